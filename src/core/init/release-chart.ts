/**
 * The chart a helm release runs, written back as a chart directory from the
 * `chart` of its release record (helm's chart.Chart as JSON). helm keeps the
 * parent chart only: `Chart.dependencies` is not serialised, so subcharts are
 * not in the record — they are listed so that `helm dependency build` (run by
 * lint/template) fetches them, or the user copies them in.
 */
import { ChartctlError } from '../errors.js';
import { chartNameProblem, helmDependencyList, helmLock } from '../chart-metadata.js';
import { emitGoYaml, type JsonValue } from '../go-yaml-style.js';

export interface ReleaseChartFile {
  /** Path inside the chart directory. */
  path: string;
  content: Buffer;
}

export interface MissingSubchart {
  name: string;
  version: string;
  /** Where helm dependency build fetches it from; '' for a subchart vendored under charts/. */
  repository: string;
}

export interface ReleaseChart {
  name: string;
  version: string;
  files: ReleaseChartFile[];
  /** Dependencies whose chart is not in the release record. */
  subcharts: MissingSubchart[];
}

/** Chart.yaml's fields in the order people write them; anything else follows as helm stored it. */
const LEADING_FIELDS = ['apiVersion', 'name', 'version', 'appVersion', 'kubeVersion', 'description', 'type'];

export function releaseChartFiles(chart: unknown, where: string): ReleaseChart {
  const bad = (detail: string) =>
    new ChartctlError(`${where}: the release record's chart ${detail}.`, {
      code: 'INIT_BAD_RELEASE_RECORD',
      hint: 'The release was not written by helm 3 or 4 (or was altered); adopt with --chart DIR from the chart\'s source instead.',
    });
  if (!isRecord(chart) || !isRecord(chart.metadata)) throw bad('has no metadata');
  const metadata = chart.metadata;
  const name = metadata.name;
  if (typeof name !== 'string' || chartNameProblem(name)) throw bad(`name ${JSON.stringify(name)} is not a chart name`);
  const files: ReleaseChartFile[] = [];
  const seen = new Set<string>();
  const add = (path: string, content: Buffer) => {
    if (!isSafeChartPath(path) || seen.has(path)) throw bad(`holds a file named ${JSON.stringify(path)}, which is not a path inside a chart`);
    seen.add(path);
    files.push({ path, content });
  };
  const yaml = (value: JsonValue) => Buffer.from(emitGoYaml(value));

  const dependencies = helmDependencyList(metadata.dependencies);
  // apiVersion v1 charts keep their dependencies in requirements.yaml (helm's loader merges it into the metadata).
  const legacy = metadata.apiVersion === 'v1';
  const chartYaml: Record<string, JsonValue> = {};
  for (const key of [...LEADING_FIELDS, ...Object.keys(metadata)]) {
    if (key in chartYaml || metadata[key] === undefined || key === 'dependencies') continue;
    chartYaml[key] = metadata[key] as JsonValue;
  }
  if (dependencies !== undefined && !legacy) chartYaml.dependencies = dependencies;
  add('Chart.yaml', yaml(chartYaml));
  if (dependencies !== undefined && legacy) add('requirements.yaml', yaml({ dependencies }));
  if (isRecord(chart.lock)) add(legacy ? 'requirements.lock' : 'Chart.lock', yaml(helmLock(chart.lock)));
  if (isRecord(chart.values) && Object.keys(chart.values).length > 0) add('values.yaml', yaml(chart.values as JsonValue));
  if (typeof chart.schema === 'string' && chart.schema) add('values.schema.json', Buffer.from(chart.schema, 'base64'));
  for (const list of [chart.templates, chart.files]) {
    for (const file of Array.isArray(list) ? list : []) {
      if (!isRecord(file) || typeof file.name !== 'string') throw bad('holds a file without a name');
      add(file.name, Buffer.from(typeof file.data === 'string' ? file.data : '', 'base64'));
    }
  }
  const subcharts = (Array.isArray(dependencies) ? dependencies : []).filter(isRecord).map((d) => ({
    name: String(d.name),
    version: String(d.version ?? ''),
    repository: String(d.repository ?? ''),
  }));
  return { name, version: String(metadata.version ?? ''), files, subcharts };
}

/** Relative, no `..`, no control characters: a record is data from the cluster, not a path to trust. */
function isSafeChartPath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || /[\u0000-\u001f]/.test(path)) return false;
  return path.split('/').every((p) => p !== '' && p !== '.' && p !== '..');
}

function isRecord(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
