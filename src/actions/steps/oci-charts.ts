import { createHash } from 'node:crypto';
import { ChartctlError } from '../../core/errors.js';
import type { Environment, OciRepositoryConfig } from '../../core/environment.js';
import { archiveMetadata } from '../../core/chart-archive.js';
import { assertCompressedSize, chartTooLarge, formatBytes, type ArchiveLimits } from '../../core/archive-limits.js';
import { identityMismatch, type ChartIdentity } from '../../core/chart-identity.js';
import { isValidChartVersion } from '../../core/chart-version.js';
import type { JsonValue } from '../../core/go-yaml-style.js';
import {
  chartManifest,
  HELM_CHART_LAYER_MEDIA_TYPE,
  HELM_CONFIG_MEDIA_TYPE,
  HELM_PROVENANCE_LAYER_MEDIA_TYPE,
  helmConfigJson,
  MAX_CONFIG_BYTES,
  MAX_PROVENANCE_BYTES,
  OCI_MANIFEST_MEDIA_TYPE,
  parseChartManifest,
  serializeManifest,
  tagOfVersion,
  versionOfTag,
  type ChartManifest,
  type OciDescriptor,
} from '../../core/oci-manifest.js';
import type { BlobTransfer, OciRegistry } from '../../adapters/oci-registry.js';
import type { Deps } from '../deps.js';

const encoder = new TextEncoder();
const digestOf = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export function openRegistry(deps: Deps, env: Environment & { repository: OciRepositoryConfig }): OciRegistry {
  return deps.registries.open(env.repository, env.name);
}

/** `host/path/chart:tag`, as helm names it. */
export function ociReference(registry: OciRegistry, chart: string, version: string): string {
  return `${registry.registry}/${registry.repositoryOf(chart)}:${tagOfVersion(version)}`;
}

/** The chart versions the repository holds: its tags that are chart versions (other tags, e.g. `latest`, are not). */
export async function ociVersions(registry: OciRegistry, chart: string): Promise<string[]> {
  const tags = (await registry.tags(registry.repositoryOf(chart))) ?? [];
  return tags.map(versionOfTag).filter(isValidChartVersion);
}

/** A chart manifest read from a registry and checked: its digest, media types, sizes, and its config blob (digest, name and version). */
export interface VerifiedOciManifest {
  manifestDigest: string;
  manifest: ChartManifest;
  config: Uint8Array;
  /** Hex sha256 of the tarball (the chart layer's digest without `sha256:`), the invariant across repositories. */
  digest: string;
}

/** A chart read from a registry and checked: the manifest as above, the tarball's digest, and the tarball's own Chart.yaml. */
export interface VerifiedOciChart extends VerifiedOciManifest {
  tarball: Uint8Array;
  provenance?: Uint8Array;
}

function identityRefused(env: string, reference: string, listed: ChartIdentity, actual: ChartIdentity, what: string): ChartctlError {
  return new ChartctlError(
    `Refusing ${listed.name} ${listed.version}: the ${env} registry tags ${reference} as ${listed.version}, but ${what} says ${JSON.stringify(actual.name)} version ${JSON.stringify(actual.version)}. Nothing was changed in the cluster or any repository.`,
    { code: 'CHART_IDENTITY_MISMATCH', hint: `Someone pushed another chart under this tag. Do not use it: investigate, then publish ${listed.version} again with --force.` },
  );
}

/**
 * The manifest and config of `chart:version`, checked without reading the
 * tarball: enough for a blob mount, where the chart bytes never leave the
 * registry (every command that uses them reads them through readVerifiedOciChart).
 * `alreadyRead`: the tag's manifest as readChartManifest gave it moments ago, not asked for again.
 */
export async function readVerifiedOciManifest(registry: OciRegistry, env: string, listed: ChartIdentity, limits: ArchiveLimits, alreadyRead?: ReadChartManifest): Promise<VerifiedOciManifest | undefined> {
  const reference = ociReference(registry, listed.name, listed.version);
  const read = alreadyRead ?? (await readChartManifest(registry, listed.name, listed.version));
  if (!read) return undefined;
  const { manifest } = read;
  if (manifest.manifest.config.size > MAX_CONFIG_BYTES) throw chartTooLarge(reference, `its config blob is ${formatBytes(manifest.manifest.config.size)}`);
  assertCompressedSize(manifest.chart.size, reference, limits);
  const config = await registry.blob(registry.repositoryOf(listed.name), manifest.manifest.config.digest, manifest.manifest.config.size);
  let metadata: Record<string, JsonValue>;
  try {
    metadata = JSON.parse(new TextDecoder().decode(config)) as Record<string, JsonValue>;
  } catch {
    throw identityRefused(env, reference, listed, { name: '(unreadable)', version: '(unreadable)' }, 'its config blob');
  }
  const actual = identityMismatch(listed, metadata ?? {});
  if (actual) throw identityRefused(env, reference, listed, actual, 'its config blob');
  return { manifestDigest: read.digest, manifest, config, digest: manifest.chart.digest.slice('sha256:'.length) };
}

/** A tag's manifest as read: its digest (checked against its bytes), and the bytes parsed as a helm chart manifest. */
export interface ReadChartManifest {
  digest: string;
  bytes: Uint8Array;
  manifest: ChartManifest;
}

/** The tag's manifest, parsed and checked to be a helm chart; undefined when the tag does not exist. */
export async function readChartManifest(registry: OciRegistry, chart: string, version: string): Promise<ReadChartManifest | undefined> {
  const reference = ociReference(registry, chart, version);
  const fetched = await registry.manifest(registry.repositoryOf(chart), tagOfVersion(version));
  if (!fetched) return undefined;
  return { digest: fetched.digest, bytes: fetched.bytes, manifest: parseChartManifest(fetched.bytes, reference) };
}

/**
 * Reads `chart:version` into memory and refuses it unless every byte matches a
 * digest (the manifest's own, then each blob's), its sizes stay within the
 * archive limits, and the tarball's Chart.yaml names this chart and version.
 * Only then may it reach helm, the cluster, or another repository.
 * `alreadyRead` as for readVerifiedOciManifest.
 */
export async function readVerifiedOciChart(registry: OciRegistry, env: string, listed: ChartIdentity, limits: ArchiveLimits, alreadyRead?: ReadChartManifest): Promise<VerifiedOciChart | undefined> {
  const reference = ociReference(registry, listed.name, listed.version);
  const checked = await readVerifiedOciManifest(registry, env, listed, limits, alreadyRead);
  if (!checked) return undefined;
  const { manifest } = checked;
  const repository = registry.repositoryOf(listed.name);
  const tarball = await registry.blob(repository, manifest.chart.digest, manifest.chart.size);
  const provenance = manifest.provenance && manifest.provenance.size <= MAX_PROVENANCE_BYTES ? await registry.blob(repository, manifest.provenance.digest, manifest.provenance.size) : undefined;
  const actual = identityMismatch(listed, archiveMetadata(tarball, reference, limits));
  if (actual) throw identityRefused(env, reference, listed, actual, "the tarball's own Chart.yaml");
  return { ...checked, tarball, provenance };
}

export type LayerSource = Uint8Array | { digest: string; size: number; read: () => Promise<Uint8Array> };

function layerOf(source: LayerSource): { digest: string; size: number; read: () => Promise<Uint8Array> } {
  return source instanceof Uint8Array ? { digest: digestOf(source), size: source.length, read: async () => source } : source;
}

export interface ChartPush {
  chart: string;
  version: string;
  /** The chart layer: its bytes, or (for a mount) its descriptor and a way to read the bytes should the mount be refused. */
  tarball: LayerSource;
  /** Chart.yaml of the tarball, for helm's config blob (absent: `config` bytes given as they are). */
  metadata?: Record<string, JsonValue>;
  config?: Uint8Array;
  /** helm's `.prov`: one more layer, as helm push adds it (bytes, or a descriptor to mount as for the tarball). */
  provenance?: LayerSource;
  /** Where blobs may be mounted from instead of uploaded (same registry). */
  mountFrom?: string;
}

export interface PushedChart {
  manifestDigest: string;
  manifestBytes: Uint8Array;
  transfers: BlobTransfer[];
}

/** A push laid out (config, descriptors) with the `HEAD` of each blob already on its way: reads only, nothing written yet. */
export interface PreparedChartPush {
  push: ChartPush;
  config: OciDescriptor;
  chart: OciDescriptor;
  provenance?: OciDescriptor;
  blobs: { digest: string; read: () => Promise<Uint8Array>; present?: Promise<boolean> }[];
}

/**
 * Lays out what pushChart will write and, unless the blobs are to be mounted, asks at once
 * whether the repository holds them, so those checks travel with the caller's own first
 * requests (publish's tag check) instead of after them.
 */
export function prepareChartPush(registry: OciRegistry, push: ChartPush): PreparedChartPush {
  const repository = registry.repositoryOf(push.chart);
  const configBytes = push.config ?? encoder.encode(helmConfigJson(push.metadata ?? {}));
  const layer = layerOf(push.tarball);
  const provenance = push.provenance && layerOf(push.provenance);
  const blobs = [{ digest: digestOf(configBytes), read: async () => configBytes }, layer, ...(provenance ? [provenance] : [])].map(({ digest, read }) => {
    const present = push.mountFrom ? undefined : registry.hasBlob(repository, digest);
    // A push that is not made after all (the tag already holds these bytes) leaves its checks unread.
    present?.catch(() => undefined);
    return { digest, read, present };
  });
  return {
    push,
    config: { mediaType: HELM_CONFIG_MEDIA_TYPE, digest: blobs[0]!.digest, size: configBytes.length },
    chart: { mediaType: HELM_CHART_LAYER_MEDIA_TYPE, digest: layer.digest, size: layer.size },
    provenance: provenance && { mediaType: HELM_PROVENANCE_LAYER_MEDIA_TYPE, digest: provenance.digest, size: provenance.size },
    blobs,
  };
}

/**
 * Uploads (or mounts) config and chart blobs, then writes the manifest under the version's tag, exactly as helm push lays it out.
 * `annotations` may be a promise: the blobs go up while it resolves (the actor's git lookup).
 */
export async function pushChart(registry: OciRegistry, prepared: PreparedChartPush, annotations: Record<string, string> | Promise<Record<string, string>>): Promise<PushedChart> {
  const { push } = prepared;
  const repository = registry.repositoryOf(push.chart);
  const transfers = await Promise.all(
    prepared.blobs.map(async ({ digest, read, present }): Promise<BlobTransfer> => {
      if (push.mountFrom && (await registry.mountBlob(repository, digest, push.mountFrom))) return 'mounted';
      if (await (present ?? registry.hasBlob(repository, digest))) return 'present';
      await registry.uploadBlob(repository, digest, await read());
      return 'uploaded';
    }),
  );
  const manifestBytes = encoder.encode(serializeManifest(chartManifest({ config: prepared.config, chart: prepared.chart, provenance: prepared.provenance, annotations: await annotations })));
  const manifestDigest = digestOf(manifestBytes);
  const stored = await registry.putManifest(repository, tagOfVersion(push.version), manifestBytes, OCI_MANIFEST_MEDIA_TYPE);
  if (stored !== manifestDigest) {
    throw new ChartctlError(`${registry.registry} stored the manifest of ${push.chart} ${push.version} as ${stored}, but chartctl wrote ${manifestDigest}.`, {
      code: 'UPLOAD_CORRUPTED',
      hint: 'The registry (or a proxy) rewrote the manifest. Check it before trusting this registry.',
    });
  }
  return { manifestDigest, manifestBytes, transfers };
}

/** RFC 3339 to the second, as helm writes `org.opencontainers.image.created`. */
export function createdAnnotation(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
