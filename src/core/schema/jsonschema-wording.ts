import type { ErrorObject } from 'ajv';
import { FORMAT_CHECKS } from './formats.js';
import { BASE64_PATTERN, DATE_TIME_PATTERN, QUANTITY_PATTERN } from './kube-schema-transform.js';

/**
 * Schema errors worded as kubeconform prints them: kubeconform validates with
 * santhosh-tekuri/jsonschema v6 and shows each error's `LocalizedString`
 * (kind/kind.go), at the instance location jsonschema gives (the object, for
 * `required` and `additionalProperties`, whose missing or extra properties it
 * names together). kubeconform's formats (text, JSON, pretty, TAP) use these;
 * chartctl's own text and JSON keep chartctl's wording (schema-problems.ts).
 */

export interface JsonschemaError {
  /** JSON pointer of the instance, as kubeconform's `validationErrors[].path`. */
  path: string;
  msg: string;
}

/** jsonschema's order of types in "want" (Types.ToStrings). */
const TYPE_ORDER = ['null', 'boolean', 'number', 'integer', 'string', 'array', 'object'];

/** Formats chartctl checks as patterns (kube-schema-transform.ts), by pattern. */
const FORMAT_BY_PATTERN = new Map([
  ...Object.entries(FORMAT_CHECKS).map(([name, f]) => [f.pattern, name] as const),
  [DATE_TIME_PATTERN, 'date-time'],
  [BASE64_PATTERN, 'byte'],
  [QUANTITY_PATTERN, 'quantity'],
]);

/** ajv-shaped errors (compiled or walked, allErrors) → jsonschema v6's messages, in order. */
export function jsonschemaErrors(errors: readonly ErrorObject[]): JsonschemaError[] {
  const out: JsonschemaError[] = [];
  /** `required` / `additionalProperties` errors of one object, merged into one message as jsonschema raises one. */
  const grouped = new Map<string, { names: string[]; at: number }>();
  const seen = new Set<string>();
  const hasSpecific = new Set(errors.filter((e) => !COMBINATORS.has(e.keyword)).map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword === 'if' || (COMBINATORS.has(e.keyword) && hasSpecific.has(e.instancePath))) continue;
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required' || e.keyword === 'additionalProperties') {
      const name = String(e.keyword === 'required' ? params.missingProperty : params.additionalProperty);
      const key = `${e.keyword}\0${e.instancePath}`;
      const group = grouped.get(key);
      if (group) {
        if (!group.names.includes(name)) group.names.push(name);
      } else {
        grouped.set(key, { names: [name], at: out.length });
        out.push({ path: e.instancePath, msg: e.keyword });
      }
      continue;
    }
    const msg = message(e, params);
    const key = `${e.instancePath}\0${msg}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: e.instancePath, msg });
  }
  for (const [key, { names, at }] of grouped) {
    const quoted = names.map(quote).join(', ');
    out[at]!.msg = key.startsWith('required\0') ? (names.length === 1 ? `missing property ${quoted}` : `missing properties ${quoted}`) : `additional properties ${quoted} not allowed`;
  }
  return out;
}

const COMBINATORS = new Set(['anyOf', 'oneOf', 'allOf', 'not']);

function message(e: ErrorObject, params: Record<string, unknown>): string {
  switch (e.keyword) {
    case 'type': {
      // The walker marks optional properties, where kubeconform's schemas also allow null.
      const want = [...String(params.type).split(','), ...(params.nullable === true ? ['null'] : [])];
      return `got ${jsonType(e.data)}, want ${TYPE_ORDER.filter((t) => want.includes(t)).join(' or ')}`;
    }
    case 'enum': {
      const values = params.allowedValues as unknown[];
      if (values.some((v) => v !== null && typeof v === 'object')) return 'enum failed';
      return values.length === 1 ? `value must be ${display(values[0])}` : `value must be one of ${values.map(display).join(', ')}`;
    }
    case 'const':
      return params.allowedValue !== null && typeof params.allowedValue === 'object' ? 'const failed' : `value must be ${display(params.allowedValue)}`;
    case 'pattern': {
      const pattern = String(params.pattern);
      const format = FORMAT_BY_PATTERN.get(pattern);
      // A format checked as a pattern: jsonschema names the format (its parser's reason is not reproduced).
      if (format) return `${display(e.data)} is not valid ${format}`;
      return `${quote(String(e.data))} does not match pattern ${quote(pattern)}`;
    }
    case 'format':
      return `${display(e.data)} is not valid ${String(params.format)}${params.reason ? `: ${String(params.reason)}` : ''}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${e.keyword}: got ${goFloat(e.data as number)}, want ${goFloat(params.limit as number)}`;
    case 'multipleOf':
      return `multipleOf: got ${goFloat(e.data as number)}, want ${goFloat(params.multipleOf as number)}`;
    case 'minLength':
    case 'maxLength':
      return `${e.keyword}: got ${[...String(e.data)].length}, want ${String(params.limit)}`;
    case 'minItems':
    case 'maxItems':
      return `${e.keyword}: got ${(e.data as unknown[]).length}, want ${String(params.limit)}`;
    case 'minProperties':
    case 'maxProperties':
      return `${e.keyword}: got ${Object.keys(e.data as object).length}, want ${String(params.limit)}`;
    case 'anyOf':
      return 'anyOf failed';
    case 'oneOf':
      return 'oneOf failed, none matched';
    case 'allOf':
      return 'allOf failed';
    case 'not':
      return 'not failed';
    case 'false schema':
      return 'false schema';
    default:
      return e.message ?? `${e.keyword} failed`;
  }
}

/** jsonschema's typeOf: every number is "number". */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value === 'number' ? 'number' : typeof value;
}

/** Go's %q with jsonschema's single quotes (kind.go quote). */
export function quote(s: string): string {
  const inner = JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${inner}'`;
}

/** kind.go display: strings quoted, other primitives as Go's %v prints them. */
function display(v: unknown): string {
  if (typeof v === 'string') return quote(v);
  if (v === null) return '<nil>';
  if (typeof v === 'object') return 'value';
  return typeof v === 'number' ? goFloat(v) : String(v);
}

/** Go's %v of a float64: shortest form, exponent from 1e21 up and below 1e-4, as `1e+21`. */
function goFloat(n: number): string {
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e21 || abs < 1e-4)) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}
