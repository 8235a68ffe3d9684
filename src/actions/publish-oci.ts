import { ChartctlError } from '../core/errors.js';
import type { Environment, OciRepositoryConfig } from '../core/environment.js';
import { PROVENANCE } from '../core/chart-index.js';
import type { JsonValue } from '../core/go-yaml-style.js';
import { helmManifestAnnotations } from '../core/oci-manifest.js';
import { planOciPublish } from '../core/oci-publish-plan.js';
import type { Deps } from './deps.js';
import type { PublishResult } from './publish-result.js';
import { createdAnnotation, ociReference, openRegistry, prepareChartPush, pushChart, readChartManifest } from './steps/oci-charts.js';
import { resolveActorAfterSending } from './steps/resolve-actor.js';

/** An oci:// publish has no index to write, and always a manifest digest. */
export type OciPublishResult = PublishResult & { manifestDigest: string; indexAttempts: 0 };

/**
 * Publishes to an `oci://` repository: the tag is the version; an existing tag
 * with other chart bytes is refused (both manifest digests shown) unless
 * --force, the same chart bytes again is a no-op. Blobs go up before the
 * manifest, so a tag never names a missing blob.
 */
export async function publishToRegistry(
  deps: Deps,
  env: Environment & { repository: OciRepositoryConfig },
  tarball: { name: string; version: string; bytes: Uint8Array; digest: string; metadata: Record<string, JsonValue>; provenance?: Uint8Array },
  force: boolean,
): Promise<OciPublishResult> {
  const registry = openRegistry(deps, env);
  const key = ociReference(registry, tarball.name, tarball.version);
  const chartDigest = `sha256:${tarball.digest}`;
  // The tag check and the blobs' HEADs go out together: reads only, nothing is written before the plan allows it.
  const reading = readChartManifest(registry, tarball.name, tarball.version);
  const prepared = prepareChartPush(registry, { chart: tarball.name, version: tarball.version, tarball: { digest: chartDigest, size: tarball.bytes.length, read: async () => tarball.bytes }, metadata: tarball.metadata, provenance: tarball.provenance });
  // Only the manifest needs the actor: git is asked while the registry answers those reads.
  const actor = resolveActorAfterSending(deps);
  const current = await reading;
  const plan = planOciPublish({ existing: current && { manifestDigest: current.digest, chartDigest: current.manifest.chart.digest }, chartDigest, force });
  const base = { env: env.name, repository: registry.url, chart: tarball.name, version: tarball.version, digest: tarball.digest, key, indexAttempts: 0 as const };
  if (plan.kind === 'unchanged') return { ...base, manifestDigest: plan.manifestDigest, outcome: 'unchanged' };

  if (plan.kind === 'refused') {
    throw tagExists(env.name, key, tarball, plan.existingManifestDigest, plan.existingChartDigest);
  }
  const created = createdAnnotation(deps.now());
  const annotations = actor.then((by) => ({ ...helmManifestAnnotations(tarball.metadata, created), ...(by ? { [PROVENANCE.publishedBy]: by } : {}) }));
  annotations.catch(() => undefined);
  deps.reporter.progress(`Pushing ${tarball.name} ${tarball.version} to ${registry.url} (${env.name})`);
  const pushed = await pushChart(registry, prepared, annotations);
  // Tags have no conditional write: read the tag back. Another job may have tagged other bytes meanwhile.
  const after = await readChartManifest(registry, tarball.name, tarball.version);
  if (!after || (after.digest !== pushed.manifestDigest && after.manifest.chart.digest !== chartDigest)) {
    throw tagExists(env.name, key, tarball, after?.digest ?? '(missing)', after?.manifest.chart.digest ?? '(missing)', pushed.manifestDigest);
  }
  return { ...base, manifestDigest: after.digest, outcome: plan.outcome };
}

function tagExists(env: string, key: string, tarball: { name: string; version: string; digest: string }, manifestDigest: string, chartDigest: string, ours?: string): ChartctlError {
  return new ChartctlError(
    `${tarball.name} ${tarball.version} is already published to ${env} with different content: ${key} has manifest ${manifestDigest} (chart sha256 ${chartDigest.replace(/^sha256:/, '')})${ours ? `, written by another job after chartctl wrote manifest ${ours}` : ''}; the new package has chart sha256 ${tarball.digest}.`,
    {
      code: 'VERSION_EXISTS',
      hint: 'Versions are immutable: bump the version (--version patch or prerelease), or pass --force to replace the tag (consumers that pulled the old bytes will not notice the change).',
    },
  );
}
