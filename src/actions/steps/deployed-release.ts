import type { Environment } from '../../core/environment.js';
import { HelmError } from '../../adapters/helm.js';
import type { HelmReleases } from '../../adapters/helm-releases.js';

/** Where an environment's release lives, as helm's release commands take it. */
export function releaseTarget(env: Environment) {
  return { release: env.release, namespace: env.namespace, kubeContext: env.kubeContext };
}

/** The deployed manifest with its hooks (helm keeps them apart; a diff shows both). */
export function deployedManifest(releases: HelmReleases, env: Environment, revision?: number): Promise<string> {
  return releases.manifestWithHooks(releaseTarget(env), revision);
}

/** The current manifest, '' when the release does not exist yet. */
export function currentManifest(releases: HelmReleases, env: Environment): Promise<string> {
  return deployedManifest(releases, env).catch((err: unknown) => {
    if (err instanceof HelmError && /release: not found/.test(err.stderr)) return '';
    throw err;
  });
}

/** History and the current manifest, fetched in parallel. */
export async function historyAndManifest(releases: HelmReleases, env: Environment) {
  const [history, manifest] = await Promise.all([releases.history(releaseTarget(env)), currentManifest(releases, env)]);
  return { history, manifest };
}
