import { ChartctlError } from '../../core/errors.js';
import type { Environment } from '../../core/environment.js';
import type { Deps } from '../deps.js';
import { releaseTarget } from './deployed-release.js';
import { newestFirst } from '../../core/release-history.js';

/**
 * `promotion.requireDeployedIn: staging`: the very bytes (the tarball's digest) must be,
 * or have been, deployed in that environment and not have failed its tests there.
 * The version string alone proves nothing: a version can be republished, and a
 * revision deployed by another tool records no digest, so neither counts.
 */
export async function requireDeployedIn(deps: Deps, env: Environment, candidate: { chartName: string; version: string; digest?: string }): Promise<void> {
  const otherName = env.promotion.requireDeployedIn!;
  const other = await deps.repo.loadEnvironment(otherName);
  const releases = deps.releases;
  const history = await releases.history(releaseTarget(other));
  const ran = history.filter((r) => r.status === 'deployed' || r.status === 'superseded');
  const matches = candidate.digest ? ran.filter((r) => r.provenance?.digest === candidate.digest) : [];
  for (const r of newestFirst(matches)) {
    const status = await releases.status(releaseTarget(other), r.revision);
    if (status.tests !== 'failed') return;
  }
  const sameVersion = newestFirst(ran).find((r) => r.chartVersion === candidate.version);
  const detail = !candidate.digest
    ? 'it has no digest to compare'
    : matches.length > 0
      ? `its tests failed there (revision ${newestFirst(matches)[0]!.revision})`
      : sameVersion
        ? `${otherName} ran ${candidate.version} with other bytes (${sameVersion.provenance?.digest ?? 'no digest recorded'}, revision ${sameVersion.revision})`
        : `${otherName} never ran it`;
  throw new ChartctlError(`${candidate.chartName} ${candidate.version} (${candidate.digest ?? 'no digest'}) has not been deployed and tested successfully in ${otherName}, which ${env.name} requires (promotion.requireDeployedIn): ${detail}.`, {
    code: 'NOT_DEPLOYED_IN',
    hint: `Deploy these bytes to ${otherName} first (chartctl deploy ${otherName} --version ${candidate.version}); promotion copies the very tarball, so the digests then match.`,
  });
}
