import { FAILSAFE_SCHEMA } from 'js-yaml';
import { ChartctlError, isChartctlError } from './errors.js';
import { loadYaml } from './yaml-limits.js';
import { CHART_METADATA_FIELDS } from './chart-index.js';
import type { JsonValue } from './go-yaml-style.js';
import { isValidChartVersion } from './chart-version.js';

export function invalidChart(where: string, detail: string): ChartctlError {
  return new ChartctlError(`${where}: ${detail}.`, {
    code: 'CHART_INVALID',
    hint: 'Fix the chart (helm lint shows the same problem), then package again.',
  });
}

/**
 * Chart.yaml typed like helm's chart.Metadata: every scalar is read as text
 * (so `appVersion: 1.10` stays "1.10", as Go decodes it into a string field)
 * except the boolean fields.
 */
export function parseChartMetadata(text: string, where: string): Record<string, JsonValue> {
  let raw: unknown;
  try {
    raw = loadYaml(text, { schema: FAILSAFE_SCHEMA, filename: where, file: where });
  } catch (err) {
    if (isChartctlError(err)) throw err;
    throw invalidChart(where, `Chart.yaml does not parse (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalidChart(where, 'Chart.yaml is not a mapping');
  const doc = raw as Record<string, unknown>;
  const metadata: Record<string, JsonValue> = {};
  for (const field of CHART_METADATA_FIELDS) {
    const value = omitEmpty(doc[field]);
    if (value === undefined) continue;
    if (field === 'deprecated') metadata[field] = value === 'true';
    else if (field === 'dependencies' && Array.isArray(value)) {
      metadata[field] = value.map((d) => {
        if (d === null || typeof d !== 'object' || Array.isArray(d)) return d;
        const dep = { ...(d as Record<string, JsonValue>) };
        if (dep.enabled !== undefined) dep.enabled = dep.enabled === 'true';
        return dep;
      });
    } else metadata[field] = value;
  }
  if (typeof metadata.apiVersion !== 'string') throw invalidChart(where, 'Chart.yaml has no apiVersion');
  if (typeof metadata.name !== 'string') throw invalidChart(where, 'Chart.yaml has no name');
  const nameProblem = chartNameProblem(metadata.name);
  if (nameProblem) throw invalidChart(where, `Chart.yaml name ${JSON.stringify(metadata.name)} ${nameProblem}`);
  if (typeof metadata.version !== 'string') throw invalidChart(where, 'Chart.yaml has no version');
  if (!isValidChartVersion(metadata.version)) throw invalidChart(where, `Chart.yaml version "${metadata.version}" is not a semantic version`);
  return metadata;
}

/**
 * helm's rule (Metadata.Validate, lint's validateChartName): not empty, not
 * "." or "..", and `filepath.Base(name) == name`. The name becomes a file
 * name, an archive directory and an S3 key, so the Windows separator and what
 * helm would silently strip or rewrite (control and format characters, tabs,
 * newlines) are refused too, rather than meaning one chart to chartctl and
 * another to helm.
 */
export function chartNameProblem(name: string): string | undefined {
  if (name === '.' || name === '..') return 'is not allowed';
  if (name.includes('/') || name.includes('\\')) return 'contains a path separator';
  if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]+$/u.test(name)) return 'contains a control, format or whitespace character';
  return undefined;
}

/** Drops empty values, as Go's omitempty does when helm marshals metadata. */
export function omitEmpty(value: unknown): JsonValue | undefined {
  if (value === undefined || value === null || value === '' || value === '~' || value === 'null') return undefined;
  if (Array.isArray(value)) {
    const items = value.map(omitEmpty).filter((v): v is JsonValue => v !== undefined);
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const c = omitEmpty(v);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value as JsonValue;
}

