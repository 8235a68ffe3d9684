import type { ErrorObject } from 'ajv';
import { FORMAT_CHECKS } from './formats.js';
import { BASE64_PATTERN, DATE_TIME_PATTERN, QUANTITY_PATTERN } from './kube-schema-transform.js';
import type { PathSegment } from './yaml-events.js';

/** One thing wrong with a resource, in words a reader of the manifest can act on. */
export interface SchemaProblem {
  /** Field path within the resource, e.g. `spec.template.spec.containers[0].imagePullPolicy` ('' for the whole resource). */
  path: string;
  /** The same path as segments (for locating it in the YAML). */
  segments: PathSegment[];
  message: string;
  /** ajv keyword (type, required, additionalProperties, enum, ...) or `duplicate-key`. */
  keyword: string;
}

const PATTERN_WORDS: Record<string, string> = {
  [DATE_TIME_PATTERN]: 'expected an RFC 3339 date-time such as 2026-01-02T15:04:05Z',
  [QUANTITY_PATTERN]: 'expected a quantity such as 250m, 1.5, 512Mi or 2Gi',
  [BASE64_PATTERN]: 'expected base64-encoded data (format: byte); put plain text in stringData instead',
  ...Object.fromEntries(Object.values(FORMAT_CHECKS).map((f) => [f.pattern, `expected ${f.expected}`])),
};

/** ajv's errors (from a validator compiled with allErrors and verbose) → problems, deduplicated and without combinator noise. */
export function describeSchemaErrors(errors: readonly ErrorObject[], data: unknown): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  const hasSpecific = new Set(errors.filter((e) => !COMBINATORS.has(e.keyword)).map((e) => e.instancePath));
  for (const e of errors) {
    // "must match else schema" repeats the error found inside it.
    if (e.keyword === 'if') continue;
    if (COMBINATORS.has(e.keyword) && hasSpecific.has(e.instancePath)) continue;
    let segments = pointerSegments(e.instancePath, data);
    let message: string;
    switch (e.keyword) {
      case 'additionalProperties': {
        const field = (e.params as { additionalProperty: string }).additionalProperty;
        segments = [...segments, field];
        const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const guess = closest(field, known);
        message = `unknown field${guess ? ` (did you mean "${guess}"?)` : ' (not in the schema)'}`;
        break;
      }
      case 'required': {
        const field = (e.params as { missingProperty: string }).missingProperty;
        message = `missing required field "${field}"`;
        break;
      }
      case 'type': {
        const expected = String((e.params as { type: string | string[] }).type).split(',').filter((t) => t !== 'null');
        message = `expected ${expected.join(' or ')}, got ${typeName(e.data)}`;
        break;
      }
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.filter((v) => v !== null);
        message = `must be one of: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      }
      case 'pattern': {
        const pattern = (e.params as { pattern: string }).pattern;
        message = PATTERN_WORDS[pattern] ?? `does not match the pattern ${pattern}`;
        break;
      }
      case 'const':
        message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
        break;
      case 'format': {
        const { format, reason } = e.params as { format: string; reason?: string };
        const what = format === 'regex' ? 'a Go (RE2) regular expression' : 'a value';
        message = `expected ${what} (format: ${format})${reason ? `: ${reason.replace(/^error parsing regexp: /, '')}` : ''}`;
        break;
      }
      default:
        message = e.message ?? `fails "${e.keyword}"`;
    }
    const path = formatPath(segments);
    const key = `${path}\0${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, segments, message, keyword: e.keyword });
  }
  return out;
}

const COMBINATORS = new Set(['anyOf', 'oneOf', 'allOf', 'not']);

/** JSON pointer → segments; a segment is a number only where the data there is an array. */
export function pointerSegments(pointer: string, data: unknown): PathSegment[] {
  if (!pointer) return [];
  const out: PathSegment[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(seg)) {
      out.push(Number(seg));
      node = node[Number(seg)];
    } else {
      out.push(seg);
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

/** `spec.containers[0].env[1].value`; keys that are not identifiers are quoted: `metadata.labels["app.kubernetes.io/name"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** The known field a typo most likely meant (small edit distance, relative to length). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
