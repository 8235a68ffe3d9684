import type { Environment } from '../../core/environment.js';
import { summarizeHelmFailure } from '../../core/helm-failure.js';
import { chooseRollbackTarget, liveRevision, type RevisionInfo } from '../../core/release-history.js';
import { unreadyWorkloads } from '../../core/workload-readiness.js';
import { HelmError } from '../../adapters/helm.js';
import type { HelmReleases } from '../../adapters/helm-releases.js';
import type { Deps } from '../deps.js';
import type { DeployOutcome, DeployPlanSummary } from '../deploy.js';
import { releaseTarget } from './deployed-release.js';

/*
 * What deploy does when an upgrade or its tests fail: find out which state the
 * release is in, roll back to the last good revision where it may, and
 * otherwise say exactly how to recover.
 */

export function failedTestLines(output: string): string[] {
  // helm test prints each test's phase; keep the failing ones and helm's error.
  return output
    .split('\n')
    .filter((l) => /failed|error|Phase:\s+Failed/i.test(l))
    .map((l) => l.trim())
    .slice(0, 20);
}

/** helm ran its own rollback (or could not); say which state the release is in now. */
export async function afterFailedUpgrade(releases: HelmReleases, env: Environment, plan: DeployPlanSummary, err: HelmError, before: RevisionInfo | undefined): Promise<DeployOutcome> {
  const failures = summarizeHelmFailure(err.stderr);
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
  const newest = [...history].sort((a, b) => b.revision - a.revision)[0];
  const failedRevision = history.filter((h) => h.status === 'failed').sort((a, b) => b.revision - a.revision)[0]?.revision ?? null;
  if (live && before && live.revision !== before.revision && newest?.status === 'deployed' && /roll(ed)? ?back/i.test(err.stderr)) {
    return { kind: 'rolledBack', plan, failedRevision, liveRevision: live.revision, reason: 'the upgrade failed and helm rolled it back', failures };
  }
  if (live && newest?.revision === live.revision && before && live.revision === before.revision) {
    // Failed before anything was stored (e.g. a rejected manifest): the old revision is still live.
    return { kind: 'rolledBack', plan, failedRevision, liveRevision: live.revision, reason: 'the upgrade failed before changing the release', failures };
  }
  return failedState(env, plan, newest, env.deploy.rollbackOnFailure ? 'the upgrade failed and the release could not be brought back automatically' : 'the upgrade failed (deploy.rollbackOnFailure is off)', failures, history, await releases.major());
}

export async function rollBackAfterTests(
  deps: Deps,
  releases: HelmReleases,
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
    const newest = [...history].sort((a, b) => b.revision - a.revision)[0];
    return failedState(env, plan, newest, !targetRevision ? 'helm test failed and there is no earlier good revision to roll back to' : 'helm test failed (deploy.rollbackOnFailure is off)', failures, history, await releases.major());
  }
  deps.reporter.progress(`helm test failed; rolling back ${env.release} to revision ${targetRevision.revision}`);
  try {
    await releases.rollback({ ...releaseTarget(env), revision: targetRevision.revision, wait: env.deploy.wait, timeout, historyMax: env.deploy.historyMax }, timeoutMs);
  } catch (err) {
    if (!(err instanceof HelmError)) throw err;
    const after = await releases.history(releaseTarget(env)).catch(() => history);
    const newest = [...after].sort((a, b) => b.revision - a.revision)[0];
    return failedState(env, plan, newest, `helm test failed and the rollback to revision ${targetRevision.revision} failed too: ${err.stderr.split('\n')[0]}`, failures, after, await releases.major());
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
