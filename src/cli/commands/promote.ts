import { shownDigest } from '../../core/shown-digest.js';
import { ChartctlError } from '../../core/errors.js';
import type { PromotionSummary } from '../../actions/promote.js';
import type { RegisterCommand } from '../context.js';
import { askYesNo, canPrompt } from '../prompt.js';

export const registerPromote: RegisterCommand = (program, ctx) => {
  program
    .command('promote')
    .argument('<from-env>', 'environment whose repository holds the version')
    .argument('<to-env>', 'environment that receives the very same bytes')
    .description('copy a published chart version, byte for byte, from one environment\'s repository to the next')
    .option('--version <version>', 'version to promote (default: the newest in <from-env> that <to-env>\'s rules allow)')
    .option('--chart <name>', 'chart name in the repositories (default: the target environment\'s chart)')
    .option('-y, --yes', 'approve without asking (for environments with promotion.requireApproval)')
    .option('--dry-run', 'show what would be promoted and stop')
    .option('--no-lock', 'write the target index even where the endpoint ignores conditional writes')
    .addHelpText(
      'after',
      `
Rules come from the target's environment file: promotion.from (the only allowed source),
promotion.allowPrerelease, promotion.requireApproval (then --yes, or a confirmation on a
terminal; a non-interactive run without --yes is refused). The object is copied server-side
when both repositories share an endpoint, else streamed; its sha256 must equal the source
index's digest. The target entry gets chartctl.io/promoted-from, source-digest, promoted-at
and promoted-by (CHARTCTL_ACTOR, else the CI user: GITHUB_ACTOR, GITLAB_USER_LOGIN…, else the git user).
Between two oci:// repositories of one registry the blobs are mounted (no re-upload) and the
provenance goes into the target manifest's annotations; across registries, and between s3://
and oci://, the verified tarball is streamed (its sha256 is the invariant).

Examples:
  chartctl promote dev staging
  chartctl promote staging prod --version 1.4.0 --yes
  chartctl promote staging prod --dry-run --output json`,
    )
    .action(async (from: string, to: string, opts: { version?: string; chart?: string; yes?: boolean; dryRun?: boolean; lock?: boolean }, command) =>
      ctx.run(command, async (deps, out) => {
        const { promote } = await import('../../actions/promote.js');
        const confirm = async (s: PromotionSummary): Promise<boolean> => {
          if (!canPrompt()) {
            throw new ChartctlError(`Promotion of ${s.chart} ${s.version} to ${s.to} needs approval, and this is not an interactive terminal.`, {
              code: 'APPROVAL_REQUIRED',
              hint: `Pass --yes to approve from a CD job (after your own gate), or run the command in a terminal.`,
            });
          }
          return askYesNo(`Promote ${s.chart} ${s.version} (${shownDigest(s.digest).slice(0, 19)}…) from ${s.from} to ${s.to} by ${s.transfer}?`);
        };
        const promoted = await promote(deps, { from, to, version: opts.version, chart: opts.chart, yes: opts.yes, dryRun: opts.dryRun, noLock: opts.lock === false, confirm });
        const result = 'digest' in promoted ? { ...promoted, digest: shownDigest(promoted.digest) } : promoted;
        if (out.format === 'json') return out.json(result);
        switch (result.kind) {
          case 'upToDate':
            out.write(`${result.to} is up to date with ${result.from} for ${result.chart} (newest allowed in ${result.from}: ${result.newestInSource ?? 'none'}; newest in ${result.to}: ${result.newestInTarget ?? 'none'}).\n`);
            return;
          case 'alreadyPromoted':
            out.write(`${result.chart} ${result.version} is already in ${result.to} with the same digest ${result.digest}; nothing to do.\n`);
            return;
          default: {
            const verb = result.kind === 'wouldPromote' ? 'would promote' : result.kind === 'repaired' ? 'promoted (object was already there; index entry added)' : 'promoted';
            out.write(`${result.chart} ${result.version}: ${result.from} → ${result.to} ${verb} (${result.transfer})\n  digest ${result.digest}\n  key    ${result.key}\n`);
          }
        }
      }),
    );
};
