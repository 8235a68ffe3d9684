import type { RollbackOutcome, RollbackPlan } from '../../actions/rollback.js';
import { ExitCode } from '../../core/errors.js';
import { KUBE_CONTEXT_HELP, type RegisterCommand } from '../context.js';
import { askYesNo, canPrompt } from '../prompt.js';
import { addLockOptions, LOCK_HELP, lockFlags } from '../release-lock-flags.js';

export const registerRollback: RegisterCommand = (program, ctx) => {
  addLockOptions(program.command('rollback'))
    .argument('<env>', 'environment name')
    .option('--kube-context <name>', KUBE_CONTEXT_HELP)
    .argument('[revision]', 'revision to go back to (default: the newest earlier revision that was deployed and passed its tests)', (v) => Number.parseInt(v, 10))
    .description('roll a release back to a good revision, showing what will change first')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--dry-run', 'show the target and the diff only')
    .addHelpText(
      'after',
      `
Works on a release stuck in pending-install/pending-upgrade/pending-rollback whose job died (its
release lock expired or was freed) after it started helm: rolling back is how it recovers. A
pending release whose lock is held, or written by another helm run (e.g. a bare helm upgrade)
younger than the deploy timeout, is in progress: refused, never rolled back. Takes the release
lock first, so a rollback started during a deploy waits for it. Runs helm rollback --wait with
the environment's timeout and history limit, then shows the new head of the history. When what
runs already equals the target (the diff is empty, e.g. after helm rolled a failed upgrade back),
nothing is done: exit 0, no new revision. The default target skips revisions whose operation
failed (helm marks a failed upgrade superseded when it rolls it back) or whose tests failed. Asks
on a terminal, else needs --yes (with requireApproval in CI also CHARTCTL_ACTOR), as deploy does.

Blue/green environments (deploy.strategy.blueGreen): rollback switches the router Service back to
the slot that served before, in one write — no re-render, no helm rollback, no revision — and
refuses when that slot no longer holds the revision that served. It takes no [revision].

Canary environments (deploy.strategy.canary): while a canary run is recorded (running, waiting for
approval, or left by a killed job), rollback aborts it as "deploy <env> --abort" does (canary
removed, all traffic on the stable release, which is not touched) and says so; otherwise the
stable release is rolled back like any release.

${LOCK_HELP}

Examples:
  chartctl rollback prod             # last good revision, after showing the diff
  chartctl rollback prod 7 --yes`,
    )
    .action(async (env: string, revision: number | undefined, opts: { yes?: boolean; dryRun?: boolean; lockTimeout?: string; waitLock?: boolean }, command) =>
      ctx.run(command, async (deps, out) => {
        const { rollback } = await import('../../actions/rollback.js');
        const { renderReleaseDiff } = await import('../diff-report.js');
        const heading = (p: RollbackPlan) =>
          p.blueGreen ? `router Service ${p.blueGreen.router} in ${p.namespace}: slot ${p.blueGreen.from} (revision ${p.from.revision}) → slot ${p.blueGreen.to} (revision ${p.to.revision})` :
          `${p.release} in ${p.namespace}: revision ${p.from.revision} (${p.from.version}, ${p.from.status}) → revision ${p.to.revision} (${p.to.version})${p.recoveringPending ? ' — recovering a stuck release' : ''}`;
        let shown = false;
        const confirm = canPrompt()
          ? async (p: RollbackPlan) => {
              if (out.format === 'text') out.write(renderReleaseDiff(p.diff, out, heading(p)));
              shown = true;
              return askYesNo(p.blueGreen ? `Switch ${p.env} back to slot ${p.blueGreen.to}?` : `Roll ${p.env} back to revision ${p.to.revision}?`);
            }
          : undefined;
        const outcome: RollbackOutcome = await rollback(deps, { env, revision, yes: opts.yes, dryRun: opts.dryRun, confirm, ...lockFlags(opts) });
        if (out.format === 'json') out.json(outcome);
        else {
          if (outcome.plan.blueGreen) {
            if (!shown) out.write(`${heading(outcome.plan)}\n`);
          } else if (!shown && !outcome.plan.canary) out.write(renderReleaseDiff(outcome.plan.diff, out, heading(outcome.plan)));
          if (outcome.plan.canary && outcome.kind === 'planned') out.write(`Dry run: rollback would abort the canary ${outcome.plan.canary.release} (${outcome.plan.canary.version} at ${outcome.plan.canary.weight}%); nothing was changed.\n`);
          else if (outcome.kind === 'planned') out.write(`Dry run: nothing was changed.\n`);
          else if (outcome.kind === 'canaryAborted')
            out.write(`${out.paint.green('Canary aborted')}: rollback removed ${outcome.plan.canary?.release} (${outcome.plan.canary?.version} at ${outcome.plan.canary?.weight}%); all traffic is on the stable release ${outcome.plan.release} (revision ${outcome.plan.to.revision}, ${outcome.plan.to.version}), which was not touched.\n`);
          else if (outcome.kind === 'unchanged')
            out.write(`${out.paint.green('Nothing to roll back')}: what ${outcome.plan.release} runs (revision ${outcome.plan.from.revision}) already equals revision ${outcome.plan.to.revision}; no new revision was made.\n`);
          else if (outcome.kind === 'switchedBack')
            out.write(`${out.paint.green('Switched back')}: router Service ${outcome.plan.blueGreen?.router} selects slot ${outcome.slot} (revision ${outcome.plan.to.revision}) again, in ${outcome.seconds.toFixed(2)} s — no re-render, no helm rollback. Slot ${outcome.from} stays installed.\n`);
          else if (outcome.kind === 'rolledBack')
            out.write(`${out.paint.green('Rolled back')}: ${outcome.plan.release} is at revision ${outcome.head.revision} (${outcome.head.chartVersion}, ${outcome.head.status}: ${outcome.head.description}).\n`);
          else out.write(`${out.paint.red('Rollback failed')}: ${outcome.reason}\nTo recover:\n${outcome.recovery.map((c) => `  ${c}`).join('\n')}\n`);
        }
        return outcome.kind === 'failed' ? ExitCode.failure : ExitCode.ok;
      }),
    );
};
