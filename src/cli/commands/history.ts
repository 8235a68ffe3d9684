import { KUBE_CONTEXT_HELP, type RegisterCommand } from '../context.js';
import { table } from '../output.js';

export const registerHistory: RegisterCommand = (program, ctx) => {
  program
    .command('history')
    .argument('<env>', 'environment name')
    .option('--kube-context <name>', KUBE_CONTEXT_HELP)
    .description("a release's revisions with chart version, digest, tests and chartctl provenance")
    .option('--max <n>', 'at most N revisions', (v) => Number.parseInt(v, 10))
    .addHelpText(
      'after',
      `
--output json: {env, release, namespace, revisions: [{revision, updated, status, chartName,
chartVersion, appVersion, description, tests, provenance: {version, digest, source, commit,
actor, freezeOverride}}]}, newest first.

Example:
  chartctl history prod --max 5`,
    )
    .action(async (env: string, opts: { max?: number }, command) =>
      ctx.run(command, async (deps, out) => {
        const { history } = await import('../../actions/history.js');
        const result = await history(deps, { env, max: opts.max });
        if (out.format === 'json') return out.json(result);
        out.write(
          `${table(
            result.revisions.map((r) => [
              String(r.revision),
              r.updated.replace(/\.\d+/, '').replace('T', ' '),
              r.status,
              r.chartVersion,
              r.provenance?.digest ? r.provenance.digest.slice(0, 19) : '-',
              r.tests === 'not-run' ? 'not run' : (r.tests ?? '-'),
              r.provenance ? [/^Rollback to \d+/.exec(r.description)?.[0].toLowerCase(), r.provenance.source, r.provenance.actor && `by ${r.provenance.actor}`, r.provenance.commit && `@${r.provenance.commit}`, r.provenance.freezeOverride && `freeze override: ${r.provenance.freezeOverride}`].filter(Boolean).join(' ') : r.description.split('\n')[0]!.slice(0, 80),
            ]),
            ['REVISION', 'UPDATED', 'STATUS', 'CHART', 'DIGEST', 'TESTS', 'PROVENANCE / DESCRIPTION'],
          )}\n`,
        );
      }),
    );
};
