import type { Environment } from '../../core/environment.js';
import { liveRevision, newestRevision, type RevisionInfo } from '../../core/release-history.js';
import { classifyUpgradeFailure, planAfterFailedTests, type LiveCheck } from '../../core/deploy-plan.js';
import { unreadyWorkloads } from '../../core/workload-readiness.js';
import type { Releases, UpgradeResult } from '../../adapters/releases.js';
import type { Deps } from '../deps.js';
import type { DeployOutcome, DeployPlanSummary } from './outcome.js';
import { releaseTarget } from '../steps/deployed-release.js';

/*
 * What deploy does when an upgrade or its tests fail: read the state the
 * release is in, let the plans in core/deploy-plan.ts decide, roll back to the
 * last good revision where they say so, and otherwise say exactly how to recover.
 */

/** helm ran its own rollback (or could not); say which state the release is in now. */
export async function afterFailedUpgrade(releases: Releases, env: Environment, plan: DeployPlanSummary, upgrade: Extract<UpgradeResult, { kind: 'failed' }>, before: RevisionInfo | undefined): Promise<DeployOutcome> {
  const failures = [...upgrade.failures];
  if (!failures.some((f) => /not ready/.test(f))) {
    // Name the workloads that are still not ready when helm's message does not.
    const unready = await releases.resources(releaseTarget(env)).then(
      (r) => unreadyWorkloads(r, env.namespace),
      () => [],
    );
    failures.push(...unready.map((u) => `not ready: ${u}`));
  }
  const history = await releases.history(releaseTarget(env)).catch(() => [] as RevisionInfo[]);
  const left = classifyUpgradeFailure({ before, history, helmRolledBack: upgrade.helmRolledBack });
  if (left.kind === 'rolledBack') {
    const reason = left.how === 'helm-rolled-back' ? 'the upgrade failed and helm rolled it back' : 'the upgrade failed before changing the release';
    return { kind: 'rolledBack', plan, failedRevision: left.failedRevision, liveRevision: left.liveRevision, reason, failures };
  }
  const reason = env.deploy.rollbackOnFailure ? 'the upgrade failed and the release could not be brought back automatically' : 'the upgrade failed (deploy.rollbackOnFailure is off)';
  return failedState(env, plan, left.newest, left.goodRevisionExists, reason, failures, await releases.helmMajor());
}

export async function rollBackAfterTests(
  deps: Deps,
  releases: Releases,
  env: Environment,
  plan: DeployPlanSummary,
  failedRevision: number,
  failures: string[],
  timeout: string,
  timeoutMs: number,
): Promise<DeployOutcome> {
  const history = await releases.history(releaseTarget(env));
  const next = planAfterFailedTests({ history, failedRevision, rollbackOnFailure: env.deploy.rollbackOnFailure });
  if (next.kind === 'failed') {
    const reason = next.why === 'no-good-revision' ? 'helm test failed and there is no earlier good revision to roll back to' : 'helm test failed (deploy.rollbackOnFailure is off)';
    return failedState(env, plan, next.newest, next.goodRevisionExists, reason, failures, await releases.helmMajor());
  }
  deps.reporter.progress(`helm test failed; rolling back ${env.release} to revision ${next.to.revision}`);
  const rolledBack = await releases.rollback({ ...releaseTarget(env), revision: next.to.revision, wait: env.deploy.wait, timeout, historyMax: env.deploy.historyMax, timeoutMs });
  if (rolledBack.kind === 'failed') {
    const after = await releases.history(releaseTarget(env)).catch(() => history);
    const newest = newestRevision(after);
    return failedState(env, plan, newest, true, `helm test failed and the rollback to revision ${next.to.revision} failed too: ${rolledBack.message}`, failures, await releases.helmMajor());
  }
  const live = liveRevision(await releases.history(releaseTarget(env)));
  return { kind: 'rolledBack', plan, failedRevision, liveRevision: live?.revision ?? null, reason: `helm test failed; rolled back to revision ${next.to.revision}`, failures };
}

/** helm said the upgrade succeeded, but what is live is not the revision it created (another helm run came in between). */
export function notLive(env: Environment, plan: DeployPlanSummary, created: number, check: Extract<LiveCheck, { kind: 'notLive' }>): DeployOutcome {
  const live = check.live ? `revision ${check.live.revision} (${check.live.chartVersion || '?'}, ${check.live.description || check.live.status}) is live` : 'no revision is live';
  return {
    kind: 'failed',
    plan,
    state: `${check.newest ? `revision ${check.newest.revision} is ${check.newest.status}` : 'the release has no revisions'}; ${live}`,
    reason: `helm upgraded to revision ${created}, but ${live}: another change to the release came in after it`,
    failures: [],
    recovery: [`chartctl history ${env.name}            # what changed the release after revision ${created}`, `chartctl deploy ${env.name} --version ${plan.version} --yes   # to deploy ${plan.version} again`],
  };
}

function failedState(env: Environment, plan: DeployPlanSummary, newest: RevisionInfo | undefined, goodRevisionExists: boolean, reason: string, failures: string[], helmMajor: number): DeployOutcome {
  const ctx = env.kubeContext ? ` --kube-context ${env.kubeContext}` : '';
  return {
    kind: 'failed',
    plan,
    state: newest ? `revision ${newest.revision} is ${newest.status}` : 'the release has no revisions',
    reason,
    failures,
    recovery: [
      `helm status ${env.release} -n ${env.namespace}${ctx}${helmMajor < 4 ? ' --show-resources' : ''}   # what is not ready`,
      goodRevisionExists
        ? `chartctl rollback ${env.name}            # back to the last good revision`
        : `chartctl deploy ${env.name} --yes        # after fixing the cause: there is no good revision to roll back to`,
      ...(goodRevisionExists ? [] : [`helm uninstall ${env.release} -n ${env.namespace}${ctx}   # or start over`]),
    ],
  };
}
