import { ChartctlError } from '../../core/errors.js';
import { emptyChartIndex, PROVENANCE, tarballFileName, withEntry, type ChartIndex, type IndexEntry } from '../../core/chart-index.js';
import type { JsonValue } from '../../core/go-yaml-style.js';
import type { RepositoryLocation } from '../../core/index-url.js';
import { helmManifestAnnotations, MAX_PROVENANCE_BYTES } from '../../core/oci-manifest.js';
import type { OciRegistry } from '../../adapters/oci-registry.js';
import { createdAnnotation, ociReference, ociVersions, prepareChartPush, pushChart, readChartManifest, type ReadChartManifest, type VerifiedOciManifest } from './oci-charts.js';

/** Where an OCI view's entries resolve: their urls are plain tarball names, inside by construction. */
export const OCI_VIEW_LOCATION: RepositoryLocation = { bucket: 'oci', prefix: '' };
/** Annotation recording the source manifest digest of a promotion between registries. */
export const SOURCE_MANIFEST_ANNOTATION = 'chartctl.io/source-manifest-digest';

/** An OCI repository's tags as an index, and the manifest of the one version read in detail. */
export interface OciIndexView {
  index: ChartIndex;
  detailed?: ReadChartManifest;
}

/**
 * The registry's version tags of one chart read as an index (digest: the chart
 * layer's, which is the tarball's sha256), so that promotion is decided by the
 * same pure plan for S3 and OCI repositories. Only one version needs its digest:
 * `named` when the caller knows it before the tags (its manifest is then read
 * together with the tag list), else the one `detailed` picks from the tags.
 */
export async function ociIndexView(registry: OciRegistry, chart: string, now: Date, detailed: (versions: string[]) => string | undefined, named?: string): Promise<OciIndexView> {
  const early = named === undefined ? undefined : readChartManifest(registry, chart, named);
  early?.catch(() => undefined);
  const versions = await ociVersions(registry, chart);
  const wanted = named ?? detailed(versions);
  const read = wanted !== undefined && versions.includes(wanted) ? await (early ?? readChartManifest(registry, chart, wanted)) : undefined;
  const entries = versions.map((version): IndexEntry | undefined => {
    if (version !== wanted) return { name: chart, version, urls: [tarballFileName(chart, version)] };
    if (!read) return undefined;
    const annotations = Object.fromEntries(Object.entries(read.manifest.manifest.annotations ?? {}).filter(([k]) => k.startsWith('chartctl.io/')));
    const created = read.manifest.manifest.annotations?.['org.opencontainers.image.created'];
    return { name: chart, version, digest: read.manifest.chart.digest.slice('sha256:'.length), urls: [tarballFileName(chart, version)], annotations, ...(created ? { created } : {}) };
  });
  return { index: entries.reduce((index, entry) => (entry ? withEntry(index, entry, now) : index), emptyChartIndex(now)), detailed: read };
}

export interface RegistryPromotion {
  target: OciRegistry;
  /** Set when the source is an OCI repository too. */
  source?: { registry: OciRegistry; chart: VerifiedOciManifest };
  chart: string;
  version: string;
  /** The verified bytes, or (mount) a way to read and verify them should the registry refuse the mount. */
  tarball: Uint8Array | (() => Promise<Uint8Array>);
  /** Chart.yaml of the tarball (for helm's config and annotations when the source is S3). */
  metadata: Record<string, JsonValue>;
  /** The promoted entry's annotations: provenance from the source plus promoted-from/at/by and source-digest. */
  provenance: Record<string, string>;
  at: Date;
}

/**
 * Writes the version into the target registry: blobs mounted from the source
 * repository on the same registry (nothing re-uploaded), else uploaded; the
 * manifest is the source's (same config and chart layer descriptors) with the
 * provenance annotations added. The tag is read back: it must name what was written.
 */
async function readProvenance(registry: OciRegistry, repository: string, layer: { digest: string; size: number }): Promise<Uint8Array> {
  if (layer.size > MAX_PROVENANCE_BYTES) {
    throw new ChartctlError(`Refusing the .prov layer of ${registry.registry}/${repository}@${layer.digest}: its manifest says ${layer.size} bytes, more than a provenance file can be (${MAX_PROVENANCE_BYTES}). Nothing was promoted.`, {
      code: 'CHART_TOO_LARGE',
      hint: 'Someone pushed something else as the provenance layer: investigate the source registry before promoting this version.',
    });
  }
  return registry.blob(repository, layer.digest, layer.size);
}

export async function promoteIntoRegistry(p: RegistryPromotion): Promise<{ manifestDigest: string; transfers: string[] }> {
  const sameRegistry = p.source && p.source.registry.registry === p.target.registry;
  const sourceProvenance = p.source?.chart.manifest.provenance;
  const sourceRepository = p.source?.registry.repositoryOf(p.chart);
  const annotations = p.source
    ? { ...(p.source.chart.manifest.manifest.annotations ?? {}), ...p.provenance, [SOURCE_MANIFEST_ANNOTATION]: p.source.chart.manifestDigest }
    : { ...helmManifestAnnotations(p.metadata, createdAnnotation(p.at)), ...p.provenance };
  const digest = `sha256:${p.provenance[PROVENANCE.sourceDigest]}`;
  // Bytes given were verified against this digest as they were read (not hashed again; the registry checks the upload against it too).
  const bytes = p.tarball instanceof Uint8Array ? p.tarball : undefined;
  const prepared = prepareChartPush(p.target, {
    chart: p.chart,
    version: p.version,
    tarball: bytes ? { digest, size: bytes.length, read: async () => bytes } : { digest: p.source!.chart.manifest.chart.digest, size: p.source!.chart.manifest.chart.size, read: p.tarball as () => Promise<Uint8Array> },
    metadata: p.metadata,
    config: p.source?.chart.config,
    // helm's .prov travels with the chart between registries; read (and checked against its digest) only if it cannot be mounted.
    provenance: sourceProvenance && { digest: sourceProvenance.digest, size: sourceProvenance.size, read: () => readProvenance(p.source!.registry, sourceRepository!, sourceProvenance) },
    mountFrom: sameRegistry ? p.source!.registry.repositoryOf(p.chart) : undefined,
  });
  const pushed = await pushChart(p.target, prepared, annotations);
  const landed = await readChartManifest(p.target, p.chart, p.version);
  if (!landed || landed.digest !== pushed.manifestDigest || landed.manifest.chart.digest !== digest) {
    throw new ChartctlError(
      `${ociReference(p.target, p.chart, p.version)} names manifest ${landed?.digest ?? '(missing)'} after chartctl wrote ${pushed.manifestDigest}: another job tagged this version meanwhile.`,
      { code: 'TARGET_DIFFERS', hint: 'Versions are immutable: inspect both with "chartctl repo list", then publish a new version instead.' },
    );
  }
  return { manifestDigest: pushed.manifestDigest, transfers: pushed.transfers };
}
