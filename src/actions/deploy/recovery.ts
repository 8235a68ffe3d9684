import type { Environment } from '../../core/environment.js';
import { chooseRollbackTarget, liveRevision, newestRevision, type RevisionInfo } from '../../core/release-history.js';
import { unreadyWorkloads } from '../../core/workload-readiness.js';
import type { Releases, UpgradeResult } from '../../adapters/releases.js';
import type { Deps } from '../deps.js';
import type { DeployOutcome, DeployPlanSummary } from './outcome.js';
import { releaseTarget } from '../steps/deployed-release.js';

/*
 * What deploy does when an upgrade or its tests fail: find out which state the
 * release is in, roll back to the last good revision where it may, and
 * otherwise say exactly how to recover.
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
  const live = liveRevision(history);
  const newest = newestRevision(history);
  const failedRevision = newestRevision(history.filter((h) => h.status === 'failed'))?.revision ?? null;
  if (live && before && live.revision !== before.revision && newest?.status === 'deployed' && upgrade.helmRolledBack) {
    return { kind: 'rolledBack', plan, failedRevision, liveRevision: live.revision, reason: 'the upgrade failed and helm rolled it back', failures };
  }
  if (live && newest?.revision === live.revision && before && live.revision === before.revision) {
    // Failed before anything was stored (e.g. a rejected manifest): the old revision is still live.
    return { kind: 'rolledBack', plan, failedRevision, liveRevision: live.revision, reason: 'the upgrade failed before changing the release', failures };
  }
  return failedState(env, plan, newest, env.deploy.rollbackOnFailure ? 'the upgrade failed and the release could not be brought back automatically' : 'the upgrade failed (deploy.rollbackOnFailure is off)', failures, history, await releases.helmMajor());
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
  const targetRevision = chooseRollbackTarget(history.filter((h) => h.revision !== failedRevision).concat(history.filter((h) => h.revision === failedRevision)));
  if (!targetRevision || !env.deploy.rollbackOnFailure) {
    return failedState(env, plan, newestRevision(history), !targetRevision ? 'helm test failed and there is no earlier good revision to roll back to' : 'helm test failed (deploy.rollbackOnFailure is off)', failures, history, await releases.helmMajor());
  }
  deps.reporter.progress(`helm test failed; rolling back ${env.release} to revision ${targetRevision.revision}`);
  const rolledBack = await releases.rollback({ ...releaseTarget(env), revision: targetRevision.revision, wait: env.deploy.wait, timeout, historyMax: env.deploy.historyMax, timeoutMs });
  if (rolledBack.kind === 'failed') {
    const after = await releases.history(releaseTarget(env)).catch(() => history);
    return failedState(env, plan, newestRevision(after), `helm test failed and the rollback to revision ${targetRevision.revision} failed too: ${rolledBack.message}`, failures, after, await releases.helmMajor());
  }
  const live = liveRevision(await releases.history(releaseTarget(env)));
  return { kind: 'rolledBack', plan, failedRevision, liveRevision: live?.revision ?? null, reason: `helm test failed; rolled back to revision ${targetRevision.revision}`, failures };
}

function failedState(env: Environment, plan: DeployPlanSummary, newest: RevisionInfo | undefined, reason: string, failures: string[], history: RevisionInfo[], helmMajor: number): DeployOutcome {
  const ctx = env.kubeContext ? ` --kube-context ${env.kubeContext}` : '';
  const good = history.some((h) => h.revision !== newest?.revision && (h.status === 'superseded' || h.status === 'deployed'));
  return {
    kind: 'failed',
    plan,
    state: newest ? `revision ${newest.revision} is ${newest.status}` : 'the release has no revisions',
    reason,
    failures,
    recovery: [
      `helm status ${env.release} -n ${env.namespace}${ctx}${helmMajor < 4 ? ' --show-resources' : ''}   # what is not ready`,
      good
        ? `chartctl rollback ${env.name}            # back to the last good revision`
        : `chartctl deploy ${env.name} --yes        # after fixing the cause: there is no good revision to roll back to`,
      ...(good ? [] : [`helm uninstall ${env.release} -n ${env.namespace}${ctx}   # or start over`]),
    ],
  };
}
