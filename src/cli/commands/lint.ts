import type { LintResult } from '../../actions/lint.js';
import { ExitCode } from '../../core/errors.js';
import { counted } from '../../core/plural.js';
import type { Finding } from '../../core/findings.js';
import { shareFindings, sharedEnvironments } from '../../core/shared-findings.js';
import { addValuesOptions, commandLineValues, VALUES_FLAGS_HELP, type RegisterCommand, type ValuesFlags } from '../context.js';
import type { Output } from '../output.js';

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
        else out.write(renderLint(result, out));
        return result.ok ? ExitCode.ok : ExitCode.failure;
      }),
    );
};

function renderLint(result: LintResult, out: Output): string {
  const { paint } = out;
  const lines: string[] = [];
  const mark = (f: Pick<Finding, 'severity'>) =>
    f.severity === 'error' ? paint.red('error  ') : f.severity === 'warning' ? paint.yellow('warning') : paint.dim('info   ');
  const where = (f: Finding) => [f.resource, f.source && paint.dim(`[${f.source}]`)].filter(Boolean).join(' ');
  // A cause the environments share (offline: schemas unavailable) is told once, after them; --output json keeps each environment's record.
  const { shared, own } = shareFindings(result.environments);
  result.environments.forEach((env, i) => {
    const status = env.ok ? paint.green('ok') : paint.red('FAILED');
    lines.push(`${paint.bold(env.env)}: ${status} (${counted(env.resources, 'resource')}, ${counted(env.counts.error, 'error')}, ${counted(env.counts.warning, 'warning')})`);
    for (const f of own[i]!.filter((x) => x.severity !== 'info')) {
      const at = where(f);
      lines.push(`  ${mark(f)} ${f.check}: ${at ? `${at}: ` : ''}${f.message}`);
    }
  });
  for (const f of shared.filter((x) => x.severity !== 'info')) lines.push(`${mark(f)} ${f.check}: ${sharedEnvironments(f, result.environments.length)}: ${f.message}`);
  const c = result.counts;
  lines.push(`${counted(result.environments.length, 'environment')}: ${counted(c.error, 'error')}, ${counted(c.warning, 'warning')}${result.ok ? '' : ' — lint failed'}`);
  return `${lines.join('\n')}\n`;
}
