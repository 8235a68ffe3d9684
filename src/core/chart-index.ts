import { CORE_SCHEMA } from 'js-yaml';
import { ChartctlError, isChartctlError } from './errors.js';
import { loadYaml } from './yaml-limits.js';
import { compareVersions, newestFirstPosition } from './chart-version.js';
import { emitGoYaml, goYamlKeyCompare, type JsonValue } from './go-yaml-style.js';
import { helmSkipReason, sortNewestFirstAsHelm } from './helm-index-entry.js';

/**
 * The chart repository index exactly as `helm repo index` writes it:
 * `apiVersion: v1`, `entries` (chart name → versions, newest first),
 * `generated`, and per version every Chart.yaml field plus `created`,
 * `digest` (sha256 of the tarball) and `urls` (relative, the file name).
 */
export interface ChartIndex {
  apiVersion: string;
  entries: Record<string, IndexEntry[]>;
  generated: string;
  /** Other top-level keys (serverInfo, annotations) kept as they were. */
  extra: Record<string, JsonValue>;
  /**
   * Entries helm skips when it loads the index (it warns and uses the rest):
   * not in `entries`, so never listed, pulled or promoted, but written back
   * where they were when chartctl rewrites the index, so no one else's entry
   * is lost.
   */
  skipped?: SkippedIndexEntry[];
}

/** An entry helm skips on load, with where it was and why. */
export interface SkippedIndexEntry {
  chart: string;
  /** Its position in the chart's list as read. */
  position: number;
  /** Its version when it has one (as text). */
  version?: string;
  /** helm's reason, e.g. `chart.metadata.version is required`. */
  reason: string;
  /** The entry as read, normalised like a kept entry, for writing it back. */
  value: JsonValue;
}

/** One chart version: Chart.yaml metadata plus repository fields. Unknown keys are preserved. */
export interface IndexEntry {
  name: string;
  version: string;
  digest?: string;
  created?: string;
  urls?: string[];
  annotations?: Record<string, string>;
  [field: string]: JsonValue | undefined;
}

/** Chart.yaml fields helm keeps (chart.Metadata); anything else is dropped by `helm package`. */
export const CHART_METADATA_FIELDS = [
  'name',
  'home',
  'sources',
  'version',
  'description',
  'keywords',
  'maintainers',
  'icon',
  'apiVersion',
  'condition',
  'tags',
  'appVersion',
  'deprecated',
  'annotations',
  'kubeVersion',
  'dependencies',
  'type',
] as const;

/** Provenance chartctl writes: in Chart.yaml annotations at package time, in index entry annotations when publishing/promoting. */
export const PROVENANCE = {
  gitCommit: 'chartctl.io/git-commit',
  gitDirty: 'chartctl.io/git-dirty',
  buildTime: 'chartctl.io/build-time',
  publishedBy: 'chartctl.io/published-by',
  promotedFrom: 'chartctl.io/promoted-from',
  sourceDigest: 'chartctl.io/source-digest',
  promotedAt: 'chartctl.io/promoted-at',
  promotedBy: 'chartctl.io/promoted-by',
} as const;

/**
 * The S3 ETag of the tarball object when chartctl last hashed it. Not provenance: it lets
 * `repo reindex` skip re-reading objects whose bytes provably did not change since (the
 * ETag changes with the bytes), so rebuilding a 10,000-version index needs one listing.
 */
export const OBJECT_ETAG_ANNOTATION = 'chartctl.io/object-etag';

/** Annotation keys added by publish/promote to an index entry (not part of the tarball's Chart.yaml). */
export const REPOSITORY_PROVENANCE_KEYS: readonly string[] = [
  PROVENANCE.publishedBy,
  PROVENANCE.promotedFrom,
  PROVENANCE.sourceDigest,
  PROVENANCE.promotedAt,
  PROVENANCE.promotedBy,
];

export function tarballFileName(name: string, version: string): string {
  return `${name}-${version}.tgz`;
}

export function emptyChartIndex(generated: Date): ChartIndex {
  return { apiVersion: 'v1', entries: {}, generated: generated.toISOString(), extra: {} };
}

function corrupt(where: string, detail: string, cause?: unknown): ChartctlError {
  return new ChartctlError(`${where} is not a valid chart repository index: ${detail}.`, {
    code: 'INDEX_CORRUPT',
    hint: `Nothing was changed. Inspect the object, then rebuild it from the tarballs with "chartctl repo reindex <env>" (it keeps provenance where it can).`,
    cause,
  });
}

const INDEX_ALIAS_HINT = 'Nothing was changed. helm never writes anchors into an index: rebuild it from the tarballs with "chartctl repo reindex <env>" and find out who wrote this one.';

/** Parses index.yaml (js-yaml, core schema: fast and never turns `created` into a Date). */
export function parseChartIndex(text: string, where: string): ChartIndex {
  let raw: unknown;
  try {
    raw = loadYaml(text, { schema: CORE_SCHEMA, filename: where, file: where, hint: INDEX_ALIAS_HINT });
  } catch (err) {
    if (isChartctlError(err)) throw err;
    throw corrupt(where, `YAML does not parse (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`, err);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw corrupt(where, 'the document is not a mapping');
  const doc = raw as Record<string, unknown>;
  if (typeof doc.apiVersion !== 'string' || doc.apiVersion === '') throw corrupt(where, 'no apiVersion (helm refuses such an index too)');
  const rawEntries = doc.entries ?? {};
  if (typeof rawEntries !== 'object' || Array.isArray(rawEntries) || rawEntries === null) throw corrupt(where, '"entries" is not a mapping');
  const entries: Record<string, IndexEntry[]> = {};
  const skipped: SkippedIndexEntry[] = [];
  for (const [chart, versions] of Object.entries(rawEntries as Record<string, unknown>)) {
    if (versions === null) continue;
    if (!Array.isArray(versions)) throw corrupt(where, `entries.${chart} is not a list`);
    entries[chart] = [];
    for (const [position, value] of versions.entries()) {
      // What helm's strict unmarshal refuses refuses the whole index; what its validation refuses is skipped.
      if (value !== null && (typeof value !== 'object' || Array.isArray(value))) throw corrupt(`${where}: entries.${chart}[${position}]`, 'an entry is not a mapping');
      const entry = value === null ? null : normaliseEntry(value as Record<string, JsonValue>, `${where}: entries.${chart}[${position}]`);
      const reason = helmSkipReason(entry);
      if (reason === undefined) entries[chart].push(entry as IndexEntry);
      else skipped.push({ chart, position, ...(entry?.version ? { version: entry.version } : {}), reason, value: entry === null ? null : stripUndefined(entry) });
    }
  }
  const extra: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k !== 'apiVersion' && k !== 'entries' && k !== 'generated') extra[k] = v as JsonValue;
  }
  const index: ChartIndex = { apiVersion: doc.apiVersion, entries, generated: doc.generated === undefined ? '' : String(doc.generated), extra };
  if (skipped.length > 0) index.skipped = skipped;
  return index;
}

function normaliseEntry(value: Record<string, JsonValue>, where: string): IndexEntry {
  const entry = { ...value } as IndexEntry;
  // YAML may read `version: 1.0` as a number; helm reads it as the string.
  if (entry.version !== undefined && entry.version !== null) entry.version = String(entry.version);
  if (entry.appVersion !== undefined && entry.appVersion !== null) entry.appVersion = String(entry.appVersion);
  if (entry.name !== undefined && entry.name !== null) entry.name = String(entry.name);
  if (entry.urls !== undefined && entry.urls !== null && !Array.isArray(entry.urls)) throw corrupt(where, '"urls" is not a list');
  if (entry.annotations !== undefined && entry.annotations !== null) {
    if (typeof entry.annotations !== 'object' || Array.isArray(entry.annotations)) throw corrupt(where, '"annotations" is not a mapping');
    entry.annotations = Object.fromEntries(Object.entries(entry.annotations).map(([k, v]) => [k, String(v)]));
  }
  return entry;
}

export function serializeChartIndex(index: ChartIndex): string {
  const entries: Record<string, JsonValue> = {};
  for (const name of Object.keys(index.entries).sort(goYamlKeyCompare)) {
    entries[name] = withSkippedEntries(index.entries[name]!.map((e) => stripUndefined(e)), index.skipped?.filter((s) => s.chart === name));
  }
  return emitGoYaml({ ...index.extra, apiVersion: index.apiVersion, entries, generated: index.generated });
}

/** The chart's list with the entries helm skips put back at their positions (exactly where they were when the list is unchanged). */
function withSkippedEntries(kept: JsonValue[], skipped: SkippedIndexEntry[] | undefined): JsonValue[] {
  if (!skipped?.length) return kept;
  const out = [...kept];
  for (const s of skipped) out.splice(Math.min(s.position, out.length), 0, s.value);
  return out;
}

/** One chart's block under `entries:` (`  name:` and its versions), byte for byte as serializeChartIndex writes it. */
export function serializeChartSection(name: string, versions: IndexEntry[]): string {
  return emitGoYaml({ entries: { [name]: versions.map((e) => stripUndefined(e)) } }).slice('entries:\n'.length);
}

function stripUndefined(entry: IndexEntry): { [key: string]: JsonValue } {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(entry)) if (v !== undefined && v !== null && !(k === 'annotations' && Object.keys(v as object).length === 0)) out[k] = v;
  return out;
}

/** Builds an entry the way `helm repo index` does: Chart.yaml metadata + created + digest + relative url. */
export function chartIndexEntry(
  metadata: Record<string, JsonValue>,
  repository: { digest: string; created: string; url: string; annotations?: Record<string, string> },
): IndexEntry {
  const entry: IndexEntry = { name: String(metadata.name), version: String(metadata.version) };
  for (const field of CHART_METADATA_FIELDS) {
    const value = metadata[field];
    if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    if (field === 'deprecated' && value === false) continue;
    (entry as Record<string, JsonValue>)[field] = value;
  }
  const annotations = { ...((metadata.annotations as Record<string, string> | undefined) ?? {}), ...(repository.annotations ?? {}) };
  if (Object.keys(annotations).length > 0) entry.annotations = annotations;
  entry.created = repository.created;
  entry.digest = repository.digest;
  entry.urls = [repository.url];
  return entry;
}

export function findEntry(index: ChartIndex, name: string, version: string): IndexEntry | undefined {
  return index.entries[name]?.find((e) => e.version === version);
}

/** All entries helm loads, charts by name, each chart's versions newest first as helm's SortEntries orders them. */
export function listEntries(index: ChartIndex): IndexEntry[] {
  return Object.keys(index.entries)
    .sort(goYamlKeyCompare)
    .flatMap((name) => sortNewestFirstAsHelm(index.entries[name]!));
}

/** A copy of the index with `entry` added or replacing the same version; versions newest first like helm's SortEntries. */
export function withEntry(index: ChartIndex, entry: IndexEntry, generated: Date): ChartIndex {
  const current = (index.entries[entry.name] ?? []).filter((e) => e.version !== entry.version);
  // The list is normally sorted already (helm and chartctl write it so): insert in place, O(n) not O(n log n) semver parses.
  const at = newestFirstPosition(current.map((e) => e.version), entry.version);
  const versions = at === undefined ? [...current, entry].sort((a, b) => compareVersions(b.version, a.version)) : [...current.slice(0, at), entry, ...current.slice(at)];
  return { ...index, entries: { ...index.entries, [entry.name]: versions }, generated: generated.toISOString() };
}

export function sortedIndex(entries: IndexEntry[], generated: Date, extra: Record<string, JsonValue> = {}): ChartIndex {
  const byName: Record<string, IndexEntry[]> = {};
  for (const e of entries) (byName[e.name] ??= []).push(e);
  for (const list of Object.values(byName)) list.sort((a, b) => compareVersions(b.version, a.version));
  return { apiVersion: 'v1', entries: byName, generated: generated.toISOString(), extra };
}

/**
 * Repository provenance is also stored as object metadata on the tarball
 * (`x-amz-meta-chartctl-promoted-from`, ...), so `repo reindex` can restore it
 * even when index.yaml is lost.
 */
export function provenanceToMetadata(annotations: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of REPOSITORY_PROVENANCE_KEYS) {
    const value = annotations?.[key];
    if (value !== undefined) out[key.replace('chartctl.io/', 'chartctl-')] = encodeURIComponent(value);
  }
  return out;
}

export function provenanceFromMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of REPOSITORY_PROVENANCE_KEYS) {
    const value = metadata?.[key.replace('chartctl.io/', 'chartctl-')];
    if (value !== undefined) {
      try {
        out[key] = decodeURIComponent(value);
      } catch {
        out[key] = value;
      }
    }
  }
  return out;
}

/** The chartctl provenance annotations of an entry (package-time and repository-time). */
export function provenanceOf(entry: IndexEntry): Record<string, string> {
  return Object.fromEntries(Object.entries(entry.annotations ?? {}).filter(([k]) => k.startsWith('chartctl.io/') && k !== OBJECT_ETAG_ANNOTATION));
}
