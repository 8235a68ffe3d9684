import type { Environment } from '../../core/environment.js';
import type { Releases } from '../../adapters/releases.js';
import type { ReleaseTarget } from '../../core/helm-release-args.js';
import { parseManifestStream, type KubeObject } from '../../core/manifests.js';
import { liveRevision } from '../../core/release-history.js';

/** Where an environment's release lives, as helm's release commands take it. */
export function releaseTarget(env: Environment) {
  return { release: env.release, namespace: env.namespace, kubeContext: env.kubeContext };
}

/** The deployed manifest with its hooks (helm keeps them apart; a diff shows both); undefined when there is no such release or revision. */
export function deployedManifest(releases: Releases, env: Environment, revision?: number): Promise<string | undefined> {
  return releases.manifestWithHooks(releaseTarget(env), revision);
}

/** The chart version a release runs (its live revision's), or null when none is live. */
export async function liveVersion(releases: Releases, env: Environment): Promise<string | null> {
  return liveRevision(await releases.history(releaseTarget(env)))?.chartVersion ?? null;
}

/** History and the current manifest, fetched in parallel; the manifest is '' when the release does not exist. */
export async function historyAndManifest(releases: Releases, env: Environment) {
  const [history, manifest] = await Promise.all([releases.history(releaseTarget(env)), deployedManifest(releases, env)]);
  return { history, manifest: manifest ?? '' };
}

/** The objects helm applied for a release's newest revision; none when the release does not exist. */
export async function appliedObjects(releases: Releases, target: ReleaseTarget): Promise<KubeObject[]> {
  const snapshot = await releases.snapshot(target);
  return parseManifestStream(snapshot?.manifest ?? '')
    .map((d) => d.object)
    .filter((o): o is KubeObject => Boolean(o));
}
