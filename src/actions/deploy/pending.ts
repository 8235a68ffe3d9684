import { ChartctlError } from '../../core/errors.js';
import type { Environment } from '../../core/environment.js';
import { durationMs } from '../../core/duration.js';
import type { PendingState } from '../../core/pending-release.js';
import { chooseRollbackTarget } from '../../core/release-history.js';
import type { Deps } from '../deps.js';
import { withTestResults } from '../history.js';
import { releaseTarget } from '../steps/deployed-release.js';

/**
 * A pending head under deploy: in progress is refused (never "recovered");
 * stuck is refused with how to recover, or, with deploy.recoverStuck, rolled
 * back to the last good revision first. Returns whether it rolled back.
 */
export async function settlePending(deps: Deps, env: Environment, pending: Exclude<PendingState, { kind: 'none' }>, options: { dryRun: boolean }): Promise<boolean> {
  const where = `Release ${env.release} in ${env.namespace}`;
  const head = pending.revision;
  if (pending.kind === 'inProgress') {
    throw new ChartctlError(`${where} is being changed: revision ${head.revision} is ${head.status} and ${pending.reason}. Not deploying over it; it is not stuck.`, {
      code: 'RELEASE_IN_PROGRESS',
      hint: `Wait for that change to end (see "chartctl status ${env.name}"), then deploy again.`,
    });
  }
  if (!env.deploy.recoverStuck) {
    throw new ChartctlError(`${where} is stuck in ${head.status} at revision ${head.revision}: ${pending.reason}. Deploying over it could make things worse.`, {
      code: 'RELEASE_STUCK',
      hint: `Recover with "chartctl rollback ${env.name}" (it rolls back to the last good revision), then deploy again; or set deploy.recoverStuck: true in environments/${env.name}.yaml to let deploy do that.`,
    });
  }
  const target = releaseTarget(env);
  const history = await deps.releases.history(target);
  const candidates = await withTestResults(deps.releases, target, history.filter((h) => h.revision !== head.revision && (h.status === 'superseded' || h.status === 'deployed')));
  const to = chooseRollbackTarget([...candidates, head]);
  if (!to) {
    throw new ChartctlError(`${where} is stuck in ${head.status} at revision ${head.revision} (${pending.reason}) and has no earlier good revision to roll back to.`, {
      code: 'RELEASE_STUCK',
      hint: `Remove the stuck install with "helm uninstall ${env.release} -n ${env.namespace}", then deploy again.`,
    });
  }
  if (options.dryRun) {
    deps.reporter.progress(`${where} is stuck in ${head.status} at revision ${head.revision} (${pending.reason}); a deploy would first roll it back to revision ${to.revision} (deploy.recoverStuck).`);
    return false;
  }
  deps.reporter.progress(`${where} is stuck in ${head.status} at revision ${head.revision} (${pending.reason}); rolling back to revision ${to.revision} first (deploy.recoverStuck)`);
  const timeout = env.deploy.timeout;
  const result = await deps.releases.rollback({ ...target, revision: to.revision, wait: env.deploy.wait, timeout, historyMax: env.deploy.historyMax, timeoutMs: durationMs(timeout) * 2 + 60_000 });
  if (result.kind === 'failed') {
    throw new ChartctlError(`${where} was stuck in ${head.status} at revision ${head.revision}, and rolling it back to revision ${to.revision} failed: ${result.message}`, {
      code: 'RECOVERY_FAILED',
      hint: `See "chartctl status ${env.name}"; try "chartctl rollback ${env.name} <revision> --yes" with another good revision.`,
    });
  }
  return true;
}
