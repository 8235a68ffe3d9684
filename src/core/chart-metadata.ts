import { ChartctlError, isChartctlError } from './errors.js';
import { loadYaml } from './yaml-limits.js';
import { CHART_METADATA_FIELDS } from './chart-index.js';
import type { JsonValue } from './go-yaml-style.js';
import { isValidChartVersion } from './chart-version.js';
import { HELM_STRING_SCHEMA } from './helm-yaml-scalars.js';

export function invalidChart(where: string, detail: string): ChartctlError {
  return new ChartctlError(`${where}: ${detail}.`, {
    code: 'CHART_INVALID',
    hint: 'Fix the chart (helm lint shows the same problem), then package again.',
  });
}

/**
 * Chart.yaml typed like helm's chart.Metadata: every scalar is read as the
 * text helm's string fields get (see helm-yaml-scalars.ts: `appVersion: 1.10`
 * is "1.1" to helm too), except the boolean fields; strings are sanitized as
 * Metadata.Validate does, and dependencies keep the fields chart.Dependency has.
 */
export function parseChartMetadata(text: string, where: string): Record<string, JsonValue> {
  let raw: unknown;
  try {
    raw = loadYaml(text, { schema: HELM_STRING_SCHEMA, filename: where, file: where });
  } catch (err) {
    if (isChartctlError(err)) throw err;
    throw invalidChart(where, `Chart.yaml does not parse (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalidChart(where, 'Chart.yaml is not a mapping');
  const doc = raw as Record<string, unknown>;
  const metadata: Record<string, JsonValue> = {};
  for (const field of CHART_METADATA_FIELDS) {
    const value = field === 'dependencies' ? helmDependencyList(doc[field]) : omitEmpty(sanitizeField(field, doc[field]));
    if (value === undefined) continue;
    if (field === 'deprecated') {
      if (value === 'true') metadata[field] = true;
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
 * Space and every visible ASCII character are letters, digits, punctuation or symbols to Unicode (and printable to Go):
 * the usual Chart.yaml text passes this without the Unicode property classes, whose first use compiles for ~1 ms each.
 */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

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
  if (!PRINTABLE_ASCII.test(name) && !/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]+$/u.test(name)) return 'contains a control, format or whitespace character';
  return undefined;
}

// Metadata.Validate sanitizes these string fields (and every source and keyword) before helm writes them; the name is refused instead (chartNameProblem).
const SANITIZED_FIELDS = new Set(['description', 'home', 'icon', 'condition', 'tags', 'appVersion', 'kubeVersion', 'sources', 'keywords', 'maintainers']);
// Whitespace as Go's unicode.IsSpace sees it (not JavaScript's \s: U+0085 is, U+FEFF is not).
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/g;
const NOT_GO_PRINTABLE = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu;

/** helm's sanitizeString: whitespace becomes a space, other characters unicode.IsPrint refuses are dropped. */
export function sanitizeString(text: string): string {
  if (PRINTABLE_ASCII.test(text)) return text;
  return text.replace(GO_SPACE, ' ').replace(NOT_GO_PRINTABLE, '');
}

function sanitizeField(field: string, value: unknown): unknown {
  if (!SANITIZED_FIELDS.has(field)) return value;
  if (typeof value === 'string') return sanitizeString(value);
  if (!Array.isArray(value)) return value;
  // A list keeps its empty items (omitempty drops only an empty list); null items are "" to Go.
  if (field === 'maintainers') return value.map(helmMaintainer);
  return value.map((item) => (item === null ? '' : typeof item === 'string' ? sanitizeString(item) : item));
}

/** chart.Maintainer: name, email and url, each sanitized and left out when empty. */
function helmMaintainer(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const maintainer: Record<string, unknown> = {};
  for (const field of ['name', 'email', 'url']) {
    const value = typeof raw[field] === 'string' ? sanitizeString(raw[field] as string) : raw[field];
    if (value !== undefined && value !== null && value !== '') maintainer[field] = value;
  }
  return maintainer;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** chart.Dependency's JSON fields in helm 3 and 4; `name` and `repository` have no omitempty. */
const DEPENDENCY_FIELDS = ['name', 'version', 'repository', 'condition', 'tags', 'enabled', 'import-values', 'alias'] as const;
const DEPENDENCY_SANITIZED = new Set(['name', 'version', 'repository', 'condition', 'tags']);

/** A dependency as helm writes it back: its known fields, `name` and `repository` always, the rest when not empty. */
export function helmDependency(raw: unknown): JsonValue {
  if (!isRecord(raw)) return raw as JsonValue;
  const dep: Record<string, JsonValue> = {};
  for (const field of DEPENDENCY_FIELDS) {
    let value = raw[field];
    if (DEPENDENCY_SANITIZED.has(field)) {
      if (typeof value === 'string') value = sanitizeString(value);
      else if (Array.isArray(value)) value = value.map((t) => (t === null ? '' : typeof t === 'string' ? sanitizeString(t) : t));
    }
    if (field === 'name' || field === 'repository') dep[field] = (value ?? '') as JsonValue;
    else if (field === 'enabled') {
      if (value === 'true') dep[field] = true;
    } else {
      const kept = Array.isArray(value) && field === 'tags' ? (value.length ? (value as JsonValue[]) : undefined) : omitEmpty(value);
      if (kept !== undefined) dep[field] = kept;
    }
  }
  return dep;
}

/** A `dependencies:` list as chart.Metadata holds it (undefined when empty, as omitempty leaves it out). */
export function helmDependencyList(value: unknown): JsonValue | undefined {
  if (!Array.isArray(value)) return omitEmpty(value);
  return value.length ? value.map(helmDependency) : undefined;
}

/**
 * Chart.lock as helm writes it back (chart.Lock): `generated` (a time, re-formatted the way
 * Go's encoding/json writes it), `digest` and `dependencies`, always present.
 */
export function helmLock(raw: unknown): JsonValue {
  const lock = isRecord(raw) ? raw : {};
  const dependencies = Array.isArray(lock.dependencies) ? lock.dependencies.map(helmDependency) : null;
  return { generated: goTimeText(lock.generated), digest: typeof lock.digest === 'string' ? lock.digest : '', dependencies };
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[-+]\d{2}:\d{2})$/;

/** time.Time's MarshalJSON (RFC 3339, trailing fraction zeros dropped, the offset kept); the zero time when unset. */
function goTimeText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '0001-01-01T00:00:00Z';
  const m = typeof value === 'string' ? RFC3339.exec(value) : null;
  if (!m) return String(value);
  const fraction = (m[3] ?? '').slice(0, 9).replace(/0+$/, '');
  const zone = m[4]!.toUpperCase() === 'Z' || m[4] === '+00:00' || m[4] === '-00:00' ? 'Z' : m[4]!;
  return `${m[1]}T${m[2]}${fraction ? `.${fraction}` : ''}${zone}`;
}

/**
 * Go's omitempty on one field when helm marshals metadata: null, "" and an empty list or map are
 * left out. What a list or map holds is kept (a null there is Go's zero value, "").
 */
export function omitEmpty(value: unknown): JsonValue | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) return value.length ? value.map((v) => (v ?? '') as JsonValue) : undefined;
  if (isRecord(value)) {
    const entries = Object.entries(value);
    return entries.length ? Object.fromEntries(entries.map(([k, v]) => [k, (v ?? '') as JsonValue])) : undefined;
  }
  return value as JsonValue;
}
