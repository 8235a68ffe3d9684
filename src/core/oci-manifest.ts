import { ChartctlError } from './errors.js';
import type { JsonValue } from './go-yaml-style.js';
import { isOciDigest } from './oci-reference.js';

/** Media types `helm push` writes (helm 3.8+ and 4). */
export const HELM_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.helm.config.v1+json';
export const HELM_CHART_LAYER_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
export const HELM_PROVENANCE_LAYER_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.provenance.v1.prov';
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';

/** Manifests bigger than this are refused unread (distribution's own limit is 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** helm's config is the Chart.yaml as JSON: a megabyte is already absurd. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** A `.prov` is the Chart.yaml, a file hash and a PGP signature: a few kilobytes; more is not one. */
export const MAX_PROVENANCE_BYTES = 1024 * 1024;

export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface OciManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: OciDescriptor;
  layers: OciDescriptor[];
  annotations?: Record<string, string>;
}

/** A helm chart manifest, checked: exactly one chart layer, at most one provenance layer. */
export interface ChartManifest {
  manifest: OciManifest;
  chart: OciDescriptor;
  provenance?: OciDescriptor;
}

/** helm's tag for a chart version: `+` is not allowed in a tag, so helm writes `_`. */
export function tagOfVersion(version: string): string {
  return version.replaceAll('+', '_');
}

export function versionOfTag(tag: string): string {
  return tag.replaceAll('_', '+');
}

/** Go's encoding/json escapes these in strings; helm's config bytes do too. */
function goJsonString(value: string): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's json.Marshal of a value whose maps are sorted by key (as Go sorts them). */
function goJson(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goJsonString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${goJsonString(k)}:${goJson(value[k])}`)
    .join(',')}}`;
}

function emptyForOmit(value: JsonValue | undefined): boolean {
  return value === undefined || value === null || value === '' || value === false || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
}

/** A struct in Go's field order, every field `omitempty` (as helm's chart.Metadata declares them). */
function goStruct(fields: [string, string | undefined][], source: Record<string, JsonValue>, nested: Record<string, (v: JsonValue) => string> = {}): string {
  const parts: string[] = [];
  for (const [key, alias] of fields) {
    const value = source[alias ?? key];
    if (emptyForOmit(value)) continue;
    const text = nested[key] ? nested[key]!(value!) : goJson(value);
    parts.push(`${goJsonString(key)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

const MAINTAINER_FIELDS: [string, undefined][] = [['name', undefined], ['email', undefined], ['url', undefined]];
const DEPENDENCY_FIELDS: [string, undefined][] = ['name', 'version', 'repository', 'condition', 'tags', 'enabled', 'import-values', 'alias'].map((k) => [k, undefined]);
const METADATA_FIELDS: [string, undefined][] = [
  'name', 'home', 'sources', 'version', 'description', 'keywords', 'maintainers', 'icon', 'apiVersion', 'condition', 'tags', 'appVersion', 'deprecated', 'annotations', 'kubeVersion', 'dependencies', 'type',
].map((k) => [k, undefined]);

const asList = (fields: [string, undefined][]) => (v: JsonValue) => `[${(Array.isArray(v) ? v : []).map((item) => goStruct(fields, (item ?? {}) as Record<string, JsonValue>)).join(',')}]`;

/** The config blob `helm push` writes: the chart's Chart.yaml as Go's json.Marshal of chart.Metadata prints it. */
export function helmConfigJson(metadata: Record<string, JsonValue>): string {
  return goStruct(METADATA_FIELDS, metadata, { maintainers: asList(MAINTAINER_FIELDS), dependencies: asList(DEPENDENCY_FIELDS) });
}

const str = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** The manifest annotations helm sets from Chart.yaml (chart annotations copied, never over title or version). */
export function helmManifestAnnotations(metadata: Record<string, JsonValue>, created: string): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (key: string, value: string) => {
    if (value.trim()) out[key] = value;
  };
  add('org.opencontainers.image.description', str(metadata.description));
  add('org.opencontainers.image.title', str(metadata.name));
  add('org.opencontainers.image.version', str(metadata.version));
  add('org.opencontainers.image.url', str(metadata.home));
  add('org.opencontainers.image.created', created);
  const sources = Array.isArray(metadata.sources) ? metadata.sources : [];
  if (sources.length > 0) add('org.opencontainers.image.source', str(sources[0]));
  const maintainers = Array.isArray(metadata.maintainers) ? (metadata.maintainers as Record<string, JsonValue>[]) : [];
  add(
    'org.opencontainers.image.authors',
    maintainers
      .map((m) => [str(m?.name), m?.email ? `(${str(m.email)})` : ''].filter(Boolean).join(' '))
      .join(', '),
  );
  const chartAnnotations = (metadata.annotations && typeof metadata.annotations === 'object' && !Array.isArray(metadata.annotations) ? metadata.annotations : {}) as Record<string, JsonValue>;
  for (const [key, value] of Object.entries(chartAnnotations)) {
    if (key === 'org.opencontainers.image.title' || key === 'org.opencontainers.image.version') continue;
    out[key] = str(value);
  }
  return out;
}

/** Manifest bytes laid out as helm (Go) marshals them: schemaVersion, config, layers, annotations (sorted). */
export function serializeManifest(manifest: OciManifest): string {
  const descriptor = (d: OciDescriptor) => `{"mediaType":${goJsonString(d.mediaType)},"digest":${goJsonString(d.digest)},"size":${d.size}${d.annotations && Object.keys(d.annotations).length ? `,"annotations":${goJson(d.annotations)}` : ''}}`;
  const parts = [`"schemaVersion":2`];
  if (manifest.mediaType) parts.push(`"mediaType":${goJsonString(manifest.mediaType)}`);
  parts.push(`"config":${descriptor(manifest.config)}`, `"layers":[${manifest.layers.map(descriptor).join(',')}]`);
  if (manifest.annotations && Object.keys(manifest.annotations).length) parts.push(`"annotations":${goJson(manifest.annotations)}`);
  return `{${parts.join(',')}}`;
}

function invalid(where: string, detail: string): ChartctlError {
  return new ChartctlError(`${where} is not a helm chart manifest: ${detail}. Nothing was used from it.`, {
    code: 'OCI_MANIFEST_INVALID',
    hint: 'Push charts with "chartctl publish" or "helm push"; other artifacts (container images, other OCI artifacts) cannot be deployed as charts.',
  });
}

function descriptorOf(value: unknown, where: string, what: string): OciDescriptor {
  const d = value as Partial<OciDescriptor> | null;
  if (!d || typeof d !== 'object' || typeof d.mediaType !== 'string' || typeof d.digest !== 'string' || typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw invalid(where, `its ${what} is not a descriptor with mediaType, digest and size`);
  }
  if (!isOciDigest(d.digest)) throw invalid(where, `its ${what} digest ${JSON.stringify(d.digest).slice(0, 80)} is not sha256:<64 hex>`);
  return { mediaType: d.mediaType, digest: d.digest, size: d.size, annotations: d.annotations };
}

/**
 * Parses manifest bytes (already verified against their digest) and checks they
 * describe a helm chart: OCI image manifest, helm config, exactly one chart
 * layer, at most one provenance layer, nothing else.
 */
export function parseChartManifest(bytes: Uint8Array, where: string): ChartManifest {
  let raw: any;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid(where, 'it is not JSON');
  }
  if (!raw || typeof raw !== 'object' || raw.schemaVersion !== 2) throw invalid(where, 'schemaVersion is not 2');
  if (raw.mediaType !== undefined && raw.mediaType !== OCI_MANIFEST_MEDIA_TYPE) throw invalid(where, `its media type is ${JSON.stringify(raw.mediaType)}, not ${OCI_MANIFEST_MEDIA_TYPE}`);
  const config = descriptorOf(raw.config, where, 'config');
  if (config.mediaType !== HELM_CONFIG_MEDIA_TYPE) throw invalid(where, `its config media type is ${JSON.stringify(config.mediaType)}, not ${HELM_CONFIG_MEDIA_TYPE}`);
  if (!Array.isArray(raw.layers)) throw invalid(where, 'it has no layers');
  const layers = raw.layers.map((l: unknown, i: number) => descriptorOf(l, where, `layer ${i + 1}`));
  const charts = layers.filter((l: OciDescriptor) => l.mediaType === HELM_CHART_LAYER_MEDIA_TYPE);
  const provenance = layers.filter((l: OciDescriptor) => l.mediaType === HELM_PROVENANCE_LAYER_MEDIA_TYPE);
  const other = layers.find((l: OciDescriptor) => l.mediaType !== HELM_CHART_LAYER_MEDIA_TYPE && l.mediaType !== HELM_PROVENANCE_LAYER_MEDIA_TYPE);
  if (other) throw invalid(where, `it has a layer of media type ${JSON.stringify(other.mediaType)}`);
  if (charts.length !== 1) throw invalid(where, `it has ${charts.length} chart layers (expected 1)`);
  if (provenance.length > 1) throw invalid(where, `it has ${provenance.length} provenance layers (expected at most 1)`);
  const annotations = raw.annotations && typeof raw.annotations === 'object' ? (Object.fromEntries(Object.entries(raw.annotations).filter(([, v]) => typeof v === 'string')) as Record<string, string>) : undefined;
  return { manifest: { schemaVersion: 2, mediaType: raw.mediaType, config, layers, annotations }, chart: charts[0], provenance: provenance[0] };
}

/** A chart manifest as helm push writes it, with extra (provenance) annotations merged over helm's. */
export function chartManifest(parts: { config: OciDescriptor; chart: OciDescriptor; provenance?: OciDescriptor; annotations: Record<string, string> }): OciManifest {
  return {
    schemaVersion: 2,
    config: parts.config,
    // helm push (3 and 4, through oras) lists the layers in digest order, so the `.prov` comes first when its digest sorts first.
    layers: parts.provenance ? [parts.chart, parts.provenance].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0)) : [parts.chart],
    annotations: parts.annotations,
  };
}
