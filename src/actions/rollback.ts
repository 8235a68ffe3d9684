import { rollbackBlueGreen } from './blue-green-rollback.js';
import { rollbackCanary } from './canary-rollback.js';
import { decideCanaryRollback } from '../core/strategy/canary-plan.js';
import { requireSupportedStrategy } from '../core/strategy/strategy-support.js';
import { ChartctlError, ExitCode } from '../core/errors.js';
import { diffReleases } from '../core/release-diff.js';
import { liveRevision, newestRevision, type RevisionInfo } from '../core/release-history.js';
import { chooseRollback, planRollback, type RollbackTarget } from '../core/rollback-plan.js';
import { confirmReleaseChange } from './steps/confirm-release-change.js';
import { durationMs } from '../core/duration.js';
import { Interrupted } from '../core/interruption.js';
import type { Deps } from './deps.js';
import type { Environment } from '../core/environment.js';
import { classifyPending, type LockEvidence } from '../core/pending-release.js';
import { lockSeenFrom, withReleaseLock } from './hold-release-lock.js';
import { deployedManifest, releaseTarget } from './steps/deployed-release.js';
import { withTestResults } from './history.js';
import { interruptedRelease } from './steps/interrupted-release.js';

export type { RollbackOptions, RollbackPlan, RollbackOutcome } from './rollback-outcome.js';
import type { RollbackOptions, RollbackOutcome, RollbackPlan } from './rollback-outcome.js';

/** Back to a good revision: show what changes, confirm, `helm rollback --wait`, show the new head. */
export async function rollback(deps: Deps, options: RollbackOptions): Promise<RollbackOutcome> {
  const env = await deps.repo.loadEnvironment(options.env);
  requireSupportedStrategy(env, 'rollback', ['rolling', 'blueGreen', 'canary']);
  const strategy = env.deploy.strategy;
  if (strategy.kind === 'canary') {
    const stored = await deps.canaryRecords.read({ namespace: env.namespace, kubeContext: env.kubeContext }, env.release);
    const decision = decideCanaryRollback(stored?.record);
    if (decision.kind === 'abort-canary') return rollbackCanary(deps, env, strategy, stored!.record, decision.reason, options);
  }
  if (strategy.kind === 'blueGreen') {
    if (options.dryRun) return rollbackBlueGreen(deps, env, strategy, options);
    return withReleaseLock(deps, env, { operation: `switch back ${env.release}`, flags: options, deployTimeout: env.deploy.timeout }, (_, deps) => rollbackBlueGreen(deps, env, strategy, options));
  }
  const releases = deps.releases;
  const target = releaseTarget(env);
  if ((await releases.history(target)).length === 0) throw refusal(env, { kind: 'refused', reason: 'not-installed' }, []);
  if (options.dryRun) return rollbackHolding(deps, env, options, await lockSeenFrom(deps, env));
  const operation = `rollback ${env.release}${options.revision !== undefined ? ` to revision ${options.revision}` : ''}`;
  return withReleaseLock(deps, env, { operation, flags: options, deployTimeout: env.deploy.timeout }, (held, deps) => rollbackHolding(deps, env, options, held.evidence));
}

/** Read again under the lock: what the release is now, not what it was before waiting for it. */
async function rollbackHolding(deps: Deps, env: Environment, options: RollbackOptions, lock: LockEvidence): Promise<RollbackOutcome> {
  const releases = deps.releases;
  const target = releaseTarget(env);
  const history = await releases.history(target);
  const newest = newestRevision(history);
  const state = classifyPending({ history, lock, now: deps.now(), deployTimeoutMs: durationMs(env.deploy.timeout) });
  if (state.kind === 'inProgress') {
    throw new ChartctlError(`Release ${env.release} in ${env.namespace} is being changed: revision ${newest?.revision} is ${newest?.status} and ${state.reason}. Not rolling back a change in progress.`, {
      code: 'RELEASE_IN_PROGRESS',
      hint: `Wait for it to end (see "chartctl status ${env.name}"), then roll back if it is still needed.`,
    });
  }
  if (state.kind === 'stuck' && lock.kind === 'ours') lock.noteStuck?.({ revision: state.revision.revision, updated: state.revision.updated, reason: state.reason });
  // Only the revisions the default may choose need their test results (one helm status each).
  const candidates = options.revision === undefined ? history.filter((h) => h.revision !== newest?.revision && (h.status === 'superseded' || h.status === 'deployed')) : [];
  const withTests = await withTestResults(releases, target, candidates);
  const chosen = chooseRollback(
    history.map((h) => withTests.find((t) => t.revision === h.revision) ?? h),
    options.revision,
  );
  if (chosen.kind === 'refused') throw refusal(env, chosen, history);
  const { from, to } = chosen;
  const [current, wanted] = await Promise.all([deployedManifest(releases, env), deployedManifest(releases, env, to.revision)]);
  const plan: RollbackPlan = {
    env: env.name,
    release: env.release,
    namespace: env.namespace,
    from: { revision: from.revision, status: from.status, version: from.chartVersion },
    to: { revision: to.revision, status: to.status, version: to.chartVersion },
    recoveringPending: chosen.recoveringPending,
    diff: diffReleases(current ?? '', wanted ?? '', { namespace: env.namespace }),
  };
  const decision = planRollback({ target: chosen, diffHasChanges: plan.diff.hasChanges, dryRun: Boolean(options.dryRun) });
  if (decision.kind === 'noop') return { kind: 'unchanged', plan };
  if (decision.kind === 'planned') return { kind: 'planned', plan };
  await approve(deps, env, options, plan);

  // Never start helm after another job took the lock over (this one could not renew it in time).
  if (lock.kind === 'ours') lock.lost?.throwIfAborted();
  deps.reporter.progress(`Rolling back ${env.release} in ${env.namespace} to revision ${to.revision} (helm rollback --wait)`);
  const timeout = env.deploy.timeout;
  const rolledBack = await releases.rollback({ ...target, revision: to.revision, wait: env.deploy.wait, timeout, historyMax: env.deploy.historyMax, timeoutMs: durationMs(timeout) * 2 + 60_000 }).catch(async (err: unknown) => {
    if (err instanceof Interrupted) throw await interruptedRelease(releases, env, err, from, 'rollback');
    throw err;
  });
  if (rolledBack.kind === 'failed') {
    const ctx = env.kubeContext ? ` --kube-context ${env.kubeContext}` : '';
    return {
      kind: 'failed',
      plan,
      reason: rolledBack.message,
      recovery: [
        `helm history ${env.release} -n ${env.namespace}${ctx}`,
        `helm status ${env.release} -n ${env.namespace}${ctx}${(await releases.helmMajor()) < 4 ? ' --show-resources' : ''}`,
        `chartctl rollback ${env.name} <revision> --yes   # try another good revision`,
      ],
    };
  }
  const after = await releases.history(target);
  const head = liveRevision(after) ?? newestRevision(after)!;
  return { kind: 'rolledBack', plan, head };
}

function refusal(env: Environment, refused: Extract<RollbackTarget, { kind: 'refused' }>, history: RevisionInfo[]): ChartctlError {
  switch (refused.reason) {
    case 'not-installed':
      return new ChartctlError(`Release ${env.release} does not exist in ${env.namespace}${env.kubeContext ? ` (context ${env.kubeContext})` : ''}; there is nothing to roll back.`, {
        code: 'RELEASE_NOT_FOUND',
        exitCode: ExitCode.noMatch,
        hint: `Check the environment's namespace and kubeContext, or deploy it first (chartctl deploy ${env.name}).`,
      });
    case 'no-such-revision':
      return new ChartctlError(`Release ${env.release} in ${env.namespace} has no revision ${refused.revision}. Revisions: ${history.map((h) => `${h.revision} (${h.status}, ${h.chartVersion})`).join(', ')}.`, {
        code: 'REVISION_NOT_FOUND',
        exitCode: ExitCode.noMatch,
        hint: `Pick one of the revisions listed, or run "chartctl rollback ${env.name}" for the last good one.`,
      });
    case 'no-good-revision':
      return new ChartctlError(`Release ${env.release} in ${env.namespace} has no earlier revision that was deployed and passed its tests.`, {
        code: 'NO_ROLLBACK_TARGET',
        exitCode: ExitCode.noMatch,
        hint: `See chartctl history ${env.name}; roll back to an explicit revision with "chartctl rollback ${env.name} N", or deploy a fixed version.`,
      });
    case 'already-newest':
      return new ChartctlError(`Revision ${refused.revision} is already the newest revision of ${env.release} (${history.find((h) => h.revision === refused.revision)?.status}).`, {
        code: 'ALREADY_LIVE',
        hint: `Choose an earlier revision (chartctl history ${env.name}).`,
      });
  }
}

function approve(deps: Deps, env: Environment, options: RollbackOptions, plan: RollbackPlan): Promise<void> {
  return confirmReleaseChange(deps, env, options, plan, { change: `Rollback of ${env.name} to revision ${plan.to.revision}`, review: `chartctl diff ${env.name} --revision ${plan.to.revision}` });
}
