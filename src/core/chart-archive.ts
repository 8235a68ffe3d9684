import { isChartctlError } from './errors.js';
import { loadYaml } from './yaml-limits.js';
import { emitGoYaml, type JsonValue } from './go-yaml-style.js';
import { helmDependencyList, helmLock, invalidChart, parseChartMetadata } from './chart-metadata.js';
import { HELM_STRING_SCHEMA } from './helm-yaml-scalars.js';
import { TarReader, unsafeMember, writeTar, type TarFile } from './tar-archive.js';
import { deterministicGzip, gunzipChunks } from './deterministic-gzip.js';
import { DecompressionBudget, HELM_ARCHIVE_LIMITS, type ArchiveLimits } from './archive-limits.js';

/**
 * A chart as helm's loader sees it (loader.LoadFiles), and the archive
 * layout `helm package` writes for it (chartutil.Save): `<name>/Chart.yaml`
 * (re-marshalled metadata), `Chart.lock`, `values.yaml`, `values.schema.json`,
 * templates, other files, then each dependency under `<name>/charts/<dep>/`,
 * expanded from its tarball. Unlike helm, everything is sorted (helm visits
 * subcharts in Go map order) and the mtime is fixed.
 */
export interface LoadedChart {
  metadata: Record<string, JsonValue>;
  lock?: JsonValue;
  values?: Uint8Array;
  schema?: Uint8Array;
  templates: TarFile[];
  files: TarFile[];
  dependencies: LoadedChart[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const BOM = [0xef, 0xbb, 0xbf];

function stripBom(data: Uint8Array): Uint8Array {
  return data[0] === BOM[0] && data[1] === BOM[1] && data[2] === BOM[2] ? data.subarray(3) : data;
}

/** Path order of Go's filepath.Walk: compare segment by segment. */
export function walkOrder(a: string, b: string): number {
  const as = a.split('/');
  const bs = b.split('/');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    if (as[i] !== bs[i]) return as[i]! < bs[i]! ? -1 : 1;
  }
  return as.length - bs.length;
}

/**
 * helm's loader.LoadFiles: classify chart-relative files into a chart, loading
 * subcharts from charts/ (their archives within `limits`, all together).
 */
export function chartFromFiles(files: TarFile[], where: string, limits: ArchiveLimits | DecompressionBudget = HELM_ARCHIVE_LIMITS): LoadedChart {
  const budget = DecompressionBudget.of(limits);
  const chartFile = files.find((f) => f.path === 'Chart.yaml');
  if (!chartFile) throw invalidChart(where, 'no Chart.yaml');
  const metadata = withRequirements(parseChartMetadata(decoder.decode(chartFile.data), `${where}/Chart.yaml`), files, where);
  const chart: LoadedChart = { metadata, templates: [], files: [], dependencies: [] };
  const subcharts = new Map<string, TarFile[]>();
  for (const f of [...files].sort((a, b) => walkOrder(a.path, b.path))) {
    const data = stripBom(f.data);
    if (f.path === 'Chart.yaml') continue;
    if (f.path === 'Chart.lock') {
      try {
        chart.lock = helmLock(loadYaml(decoder.decode(data), { schema: HELM_STRING_SCHEMA, file: `${where}/Chart.lock` }));
      } catch (err) {
        if (isChartctlError(err)) throw err;
        throw invalidChart(`${where}/Chart.lock`, 'Chart.lock does not parse');
      }
    } else if (f.path === 'values.yaml') chart.values = data;
    else if (f.path === 'values.schema.json') {
      try {
        JSON.parse(decoder.decode(data));
      } catch {
        throw invalidChart(`${where}/values.schema.json`, 'values.schema.json is not valid JSON');
      }
      chart.schema = data;
    } else if (f.path.startsWith('templates/')) chart.templates.push({ path: f.path, data });
    else if (f.path.startsWith('charts/')) {
      if (f.path.endsWith('.prov')) {
        chart.files.push({ path: f.path, data });
        continue;
      }
      const rest = f.path.slice('charts/'.length);
      if (rest.startsWith('.') || rest.startsWith('_')) continue;
      const sub = rest.split('/')[0]!;
      const list = subcharts.get(sub) ?? [];
      list.push({ path: rest.slice(sub.length + 1), data: f.data });
      subcharts.set(sub, list);
    } else chart.files.push({ path: f.path, data });
  }
  for (const name of [...subcharts.keys()].sort()) {
    const group = subcharts.get(name)!;
    if (group.length === 1 && group[0]!.path === '' && /\.t?gz$/.test(name)) {
      chart.dependencies.push(chartFromArchive(group[0]!.data, `${where}/charts/${name}`, budget));
    } else if (group.some((f) => f.path !== '')) {
      chart.dependencies.push(chartFromFiles(group.filter((f) => f.path !== ''), `${where}/charts/${name}`, budget));
    }
  }
  return chart;
}

/** A packaged chart (.tgz): files are `<name>/...`; the first path segment is dropped as helm does. */
export function chartFromArchive(tgz: Uint8Array, where: string, limits: ArchiveLimits | DecompressionBudget = HELM_ARCHIVE_LIMITS): LoadedChart {
  const budget = DecompressionBudget.of(limits);
  return chartFromFiles(archiveFiles(tgz, where, budget), where, budget);
}

/**
 * The chart-relative files of a .tgz, decompressed as they are read so that
 * `limits` stop a bomb early. Every member must be a regular file (or a
 * directory) under one top-level directory; anything else is refused.
 */
export function archiveFiles(tgz: Uint8Array, where: string, limits: ArchiveLimits | DecompressionBudget = HELM_ARCHIVE_LIMITS): TarFile[] {
  const budget = DecompressionBudget.of(limits);
  const reader = new TarReader(where, budget);
  const outcome = gunzipChunks(tgz, (chunk) => reader.push(chunk), budget.left);
  if (typeof outcome === 'object') throw invalidChart(where, `not a gzip-compressed chart archive (${outcome.damaged})`);
  const members = reader.finish();
  if (members.length === 0) throw invalidChart(where, 'the archive holds no files');
  const top = members[0]!.path.split('/')[0]!;
  const files: TarFile[] = [];
  for (const f of members) {
    const slash = f.path.indexOf('/');
    if (slash < 0 || f.path.slice(0, slash) !== top) {
      throw unsafeMember(where, f.path, `is outside the chart's directory ${JSON.stringify(`${top}/`)}`);
    }
    files.push({ path: f.path.slice(slash + 1), data: f.data });
  }
  return files;
}

/** Chart.yaml of a packaged chart (with requirements.yaml's dependencies for v1), after checking every member of the archive. */
export function archiveMetadata(tgz: Uint8Array, where: string, limits: ArchiveLimits = HELM_ARCHIVE_LIMITS): Record<string, JsonValue> {
  return archiveContents(tgz, where, limits).metadata;
}

/** archiveFiles and archiveMetadata from one decompression, for callers that need both. */
export function archiveContents(tgz: Uint8Array, where: string, limits: ArchiveLimits = HELM_ARCHIVE_LIMITS): { files: TarFile[]; metadata: Record<string, JsonValue> } {
  const files = archiveFiles(tgz, where, limits);
  const chartYaml = files.find((f) => f.path === 'Chart.yaml');
  if (!chartYaml) throw invalidChart(where, 'the archive has no <name>/Chart.yaml');
  return { files, metadata: withRequirements(parseChartMetadata(decoder.decode(chartYaml.data), `${where}:Chart.yaml`), files, where) };
}

/**
 * helm's loader reads an apiVersion v1 chart's requirements.yaml into its metadata, so
 * `helm repo index` lists those dependencies in the entry (the file itself stays as written).
 */
function withRequirements(metadata: Record<string, JsonValue>, files: TarFile[], where: string): Record<string, JsonValue> {
  const requirements = metadata.apiVersion === 'v1' ? files.find((f) => f.path === 'requirements.yaml') : undefined;
  if (!requirements) return metadata;
  let doc: unknown;
  try {
    doc = loadYaml(decoder.decode(stripBom(requirements.data)), { schema: HELM_STRING_SCHEMA, file: `${where}/requirements.yaml` });
  } catch (err) {
    if (isChartctlError(err)) throw err;
    throw invalidChart(`${where}/requirements.yaml`, 'requirements.yaml does not parse');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !('dependencies' in doc)) return metadata;
  const dependencies = helmDependencyList((doc as Record<string, unknown>).dependencies);
  const merged = { ...metadata };
  if (dependencies === undefined) delete merged.dependencies;
  else merged.dependencies = dependencies;
  return merged;
}

/** chartutil.Save's writeTarContents, in a fixed order. */
export function archiveLayout(chart: LoadedChart, prefix = ''): TarFile[] {
  const base = `${prefix}${chart.metadata.name as string}`;
  const out: TarFile[] = [];
  const metadata = { ...chart.metadata };
  // apiVersion v1 charts keep dependencies in requirements.yaml, so helm omits them from Chart.yaml.
  if (metadata.apiVersion === 'v1') delete metadata.dependencies;
  out.push({ path: `${base}/Chart.yaml`, data: encoder.encode(emitGoYaml(metadata)) });
  if (metadata.apiVersion !== 'v1' && chart.lock !== undefined) out.push({ path: `${base}/Chart.lock`, data: encoder.encode(emitGoYaml(chart.lock)) });
  if (chart.values) out.push({ path: `${base}/values.yaml`, data: chart.values });
  if (chart.schema) out.push({ path: `${base}/values.schema.json`, data: chart.schema });
  for (const t of chart.templates) out.push({ path: `${base}/${t.path}`, data: t.data });
  for (const f of chart.files) out.push({ path: `${base}/${f.path}`, data: f.data });
  for (const dep of chart.dependencies) out.push(...archiveLayout(dep, `${base}/charts/`));
  return out;
}

/** The reproducible .tgz of a chart. */
export function packChart(chart: LoadedChart): Uint8Array {
  return deterministicGzip(writeTar(archiveLayout(chart)));
}
