import { ExitCode } from '../../core/errors.js';
import { addValuesOptions, commandLineValues, VALUES_FLAGS_HELP, type RegisterCommand, type ValuesFlags } from '../context.js';

export const registerLint: RegisterCommand = (program, ctx) => {
  addValuesOptions(
    program
      .command('lint')
      .argument('[env...]', 'environments to lint (default: all)')
      .description('helm lint, render, parse, duplicate, values-schema and policy checks for every environment, in parallel'),
  )
    .addHelpText(
      'after',
      `
Checks per environment: helm lint with the environment's values; the rendered output parses
as YAML (errors name the template); no resource rendered twice; values match the chart's
values.schema.json; policies image-tag, resources, probes (warnings unless the environment's
"policies:" map sets them to error or off).

Exit 1 when any environment has an error; warnings alone exit 0.
${VALUES_FLAGS_HELP} On lint they go to both helm lint and the render, so they must be flags
both accept.
--output markdown: a CI job summary (a table per environment, then the findings).

Examples:
  chartctl lint
  chartctl lint prod --output json
  chartctl lint dev -f ci-values.yaml --set api.replicaCount=2`,
    )
    .action(async (envNames: string[], opts: ValuesFlags, command) =>
      ctx.run(command, async (deps, out, globals) => {
        const { lint } = await import('../../actions/lint.js');
        const result = await lint(deps, { envs: envNames, values: commandLineValues(opts, globals) });
        if (out.format === 'json') out.json(result);
        else if (globals.output === 'markdown') out.write((await import('../markdown-report.js')).renderLintMarkdown(result, deps.masker));
        else out.write((await import('../lint-report.js')).renderLintText(result, out));
        return result.ok ? ExitCode.ok : ExitCode.failure;
      }),
    );
};
