import { ChartctlError } from '../../core/errors.js';
import type { Environment } from '../../core/environment.js';
import type { Deps } from '../deps.js';
import { releaseTarget } from './deployed-release.js';
import { newestFirst } from '../../core/release-history.js';

/**
 * `promotion.requireDeployedIn: staging`: the version must be, or have been,
 * deployed in that environment and not have failed its tests there (checked
 * against its helm history; the digest must match when both are known).
 */
export async function requireDeployedIn(deps: Deps, env: Environment, candidate: { chartName: string; version: string; digest?: string }): Promise<void> {
  const otherName = env.promotion.requireDeployedIn!;
  const other = await deps.repo.loadEnvironment(otherName);
  const releases = deps.releases;
  const history = await releases.history(releaseTarget(other));
  const matches = history.filter((r) => r.chartVersion === candidate.version && (r.status === 'deployed' || r.status === 'superseded'));
  for (const r of newestFirst(matches)) {
    const status = await releases.status(releaseTarget(other), r.revision);
    if (status.tests !== 'failed' && (!candidate.digest || !r.provenance?.digest || r.provenance.digest === candidate.digest)) return;
  }
  throw new ChartctlError(`${candidate.chartName} ${candidate.version} has not been deployed and tested successfully in ${otherName}, which ${env.name} requires (promotion.requireDeployedIn).`, {
    code: 'NOT_DEPLOYED_IN',
    hint: `Deploy it to ${otherName} first (chartctl deploy ${otherName} --version ${candidate.version}).`,
  });
}
