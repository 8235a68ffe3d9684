import { Option } from 'commander';
import { ExitCode } from '../../core/errors.js';
import type { RegisterCommand } from '../context.js';

export const registerDiff: RegisterCommand = (program, ctx) => {
  program
    .command('diff')
    .argument('<env>', 'environment name')
    .description('show what deploying the candidate would change in the cluster, resource by resource (Secret values masked)')
    .option('--version <version>', 'candidate version from the environment\'s repository (default: the newest it accepts)')
    .option('--local', "candidate is the working tree's chart instead of a repository tarball")
    .option('--revision <n>', 'diff the deployed release against revision N (what a rollback to N would change)', (v) => Number.parseInt(v, 10))
    .addOption(new Option('--context <lines>', 'lines of context around each change').default(3).argParser((v) => Number.parseInt(v, 10)))
    .option('--show-secrets', 'show Secret values instead of ***')
    .option('--detailed-exitcode', 'exit 2 when there are changes (or, with --live, drift), 0 when there are none')
    .option('--live', 'also report fields of live objects changed outside helm (drift)')
    .addHelpText(
      'after',
      `
The deployed side is the release's current manifest and hooks (helm get manifest/hooks, through
the environment's kubeContext); the candidate is rendered with the same values, secrets and
--kube-version as deploy would use, with --is-upgrade semantics. Resources are matched by
group/kind/namespace/name, so an API version move is not a remove+add. Key order, null vs
absent and quoted numbers are not reported as changes. A release that does not exist yet
shows everything as added. --live also compares what helm last applied with the live objects
(helm status --show-resources) and lists fields changed outside helm (Secret values hidden).

Examples:
  chartctl diff prod
  chartctl diff staging --version 1.4.0 --detailed-exitcode
  chartctl diff prod --revision 7          # what would "chartctl rollback prod 7" change?`,
    )
    .action(async (env: string, opts: { version?: string; local?: boolean; revision?: number; context: number; showSecrets?: boolean; detailedExitcode?: boolean; live?: boolean }, command) =>
      ctx.run(command, async (deps, out) => {
        const { diff } = await import('../../actions/diff.js');
        const { renderReleaseDiff } = await import('../diff-report.js');
        const result = await diff(deps, { env, version: opts.version, local: opts.local, revision: opts.revision, context: opts.context, showSecrets: opts.showSecrets, live: opts.live });
        if (out.format === 'json') out.json(result);
        else {
          const from = result.deployed.revision === null ? 'not installed' : `revision ${result.deployed.revision} (${result.deployed.version}, ${result.deployed.status})`;
          const to = result.candidate.revision !== null ? `revision ${result.candidate.revision} (${result.candidate.version})` : `${result.candidate.version} from ${result.candidate.source}`;
          out.write(renderReleaseDiff(result.diff, out, `${result.release} in ${result.namespace}: ${from} → ${to}`));
          if (result.drift) {
            out.write(result.drift.length === 0 ? '\nNo drift: live objects match what helm applied.\n' : `\n${out.paint.bold('Drift (changed outside helm)')}\n`);
            for (const d of result.drift) {
              out.write(d.missing ? `${out.paint.red('! missing')} ${d.resource} (deleted outside helm)\n` : `${out.paint.yellow('! drifted')} ${d.resource}\n`);
              for (const f of d.fields) out.write(`    ${f.path}: applied ${JSON.stringify(f.applied)}, live ${JSON.stringify(f.live)}\n`);
            }
          }
        }
        const changed = result.diff.hasChanges || (result.drift?.length ?? 0) > 0;
        return opts.detailedExitcode && changed ? ExitCode.changes : ExitCode.ok;
      }),
    );
};
