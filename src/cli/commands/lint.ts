import { ExitCode } from '../../core/errors.js';
import { addValuesOptions, commandLineValues, VALUES_FLAGS_HELP, type RegisterCommand, type ValuesFlags } from '../context.js';

export const registerLint: RegisterCommand = (program, ctx) => {
  addValuesOptions(
    program
      .command('lint')
      .argument('[env...]', 'environments to lint (default: all)')
      .description('helm lint, render, parse, duplicate, values-schema, Kubernetes schema and policy checks for every environment, in parallel'),
  )
    .addHelpText(
      'after',
      `
Checks per environment: helm lint with the environment's values; the rendered output parses
as YAML (errors name the template); no resource rendered twice; no mapping key given twice
(a warning); values match the chart's values.schema.json; resources match their Kubernetes
schemas (check "schema"); policies image-tag, resources, probes (warnings unless the
environment's "policies:" map sets them to error or off).

Kubernetes schemas: CRDs in the output, then CHARTCTL_SCHEMA_LOCATION (comma-separated
locations), else the default location through the cache (CHARTCTL_SCHEMA_BASE_URL, or
kubeconform's); CHARTCTL_OFFLINE=1 never downloads. Schemas that cannot be had are a
warning, not a failure; when several environments share the cause, the text and markdown
reports say it once, naming them (--output json keeps each environment's warning).

Exit 1 when any environment has an error; warnings alone exit 0.
${VALUES_FLAGS_HELP}
On lint, the arguments after "--" go to both helm lint and the render, so they must be flags
both accept.
--output markdown: a CI job summary (a table with a row per environment, then each
environment's findings).

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
