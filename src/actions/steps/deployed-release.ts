import type { Environment } from '../../core/environment.js';
import type { Releases } from '../../adapters/releases.js';

/** Where an environment's release lives, as helm's release commands take it. */
export function releaseTarget(env: Environment) {
  return { release: env.release, namespace: env.namespace, kubeContext: env.kubeContext };
}

/** The deployed manifest with its hooks (helm keeps them apart; a diff shows both), from one `helm status`. */
export async function deployedManifest(releases: Releases, env: Environment, revision?: number): Promise<string | undefined> {
  const snapshot = await releases.snapshot(releaseTarget(env), revision);
  return snapshot && `${snapshot.manifest}\n${snapshot.hooksManifest}`;
}

/** History and the current manifest, fetched in parallel; the manifest is '' when the release does not exist. */
export async function historyAndManifest(releases: Releases, env: Environment) {
  const [history, manifest] = await Promise.all([releases.history(releaseTarget(env)), deployedManifest(releases, env)]);
  return { history, manifest: manifest ?? '' };
}
