import type { Environment } from '../core/environment.js';
import { newestRevision } from '../core/release-history.js';
import { diffReleases } from '../core/release-diff.js';
import type { CanaryRecord } from '../core/strategy/canary-plan.js';
import type { CanaryStrategy } from '../core/strategy/strategy-config.js';
import type { Deps } from './deps.js';
import { abortCanary, canaryRelease } from './deploy/canary.js';
import type { RollbackOptions, RollbackOutcome, RollbackPlan } from './rollback-outcome.js';
import { releaseTarget } from './steps/deployed-release.js';

/**
 * Rollback of a canary environment while a run is recorded: the run is
 * aborted as `deploy --abort` does (canary removed, split reset, record
 * removed); the stable release, which the run never wrote to, stays as it is.
 */
export async function rollbackCanary(deps: Deps, env: Environment, strategy: CanaryStrategy, record: CanaryRecord, reason: string, options: RollbackOptions): Promise<RollbackOutcome> {
  const stable = newestRevision(await deps.releases.history(releaseTarget(env)));
  const head = { revision: stable?.revision ?? 0, status: stable?.status ?? 'not-installed', version: stable?.chartVersion ?? '' };
  const plan: RollbackPlan = {
    env: env.name, release: env.release, namespace: env.namespace, from: head, to: head, recoveringPending: false,
    diff: diffReleases('', '', { namespace: env.namespace }),
    canary: { release: canaryRelease(env), version: record.version, weight: record.weight },
  };
  if (options.dryRun) return { kind: 'planned', plan };
  await abortCanary(deps, env, strategy, record, { reason }, options);
  return { kind: 'canaryAborted', plan };
}
