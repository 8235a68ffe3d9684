/**
 * Turns the Kubernetes flavour of OpenAPI/JSON Schema (kubernetes-json-schema
 * definitions, CRD openAPIV3Schema, /openapi/v3 components) into plain JSON
 * Schema (draft-07) that ajv compiles, keeping the API server's meaning:
 *
 * - `x-kubernetes-int-or-string` and `format: int-or-string` → integer or string;
 *   `Quantity` → string (with the quantity grammar) or number;
 * - `nullable: true` → null allowed (other nulls are handled by the validator,
 *   which treats an explicit null as an absent field, as the API server does);
 * - `format: date-time` and `byte` are checked (as patterns, so compiled code
 *   needs no format plugins), and so are the formats kubeconform asserts
 *   (ipv4, hostname, uri, duration, …: formats.ts); `format: regex` is marked for the
 *   schema walker (Go regexp syntax, not a pattern); other formats are annotations only;
 * - OpenAPI's boolean `exclusiveMinimum/Maximum` → draft-07 numbers;
 * - strict mode closes an object (`additionalProperties: false`) only where the
 *   schema is closed: it lists `properties`, says nothing about additional
 *   ones and does not preserve unknown fields.
 */

import { FORMAT_CHECKS, REGEX_FORMAT_KEYWORD } from './formats.js';

export interface TransformOptions {
  strict: boolean;
  /** Rewrites a `$ref` (e.g. `#/components/schemas/X` → `#/definitions/X`). */
  rewriteRef?: (ref: string) => string;
}

type Json = Record<string, unknown>;

export const DATE_TIME_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$';
/** resource.Quantity's serialization grammar (signed number, then a binary/decimal SI suffix or an exponent). */
export const QUANTITY_PATTERN = '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)))?$';
/** Characters of standard base64 (Go's decoder also skips CR/LF). */
export const BASE64_PATTERN = '^[A-Za-z0-9+/\\r\\n]*={0,2}[\\r\\n]*$';

const INT_OR_STRING = { type: ['integer', 'string'] };
const QUANTITY = { type: ['string', 'number'], pattern: QUANTITY_PATTERN };

/** Well-known definitions whose published schema is looser or clumsier than the API server. */
export function wellKnownDefinition(name: string): Json | undefined {
  if (name.endsWith('.api.resource.Quantity')) return { ...QUANTITY };
  if (name.endsWith('.util.intstr.IntOrString')) return { ...INT_OR_STRING };
  return undefined;
}

/** Transforms a map of named definitions (kubernetes-json-schema `definitions`, or OpenAPI `components.schemas`). */
export function transformDefinitions(definitions: Record<string, unknown>, options: TransformOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(definitions)) out[name] = wellKnownDefinition(name) ?? transformSchema(schema, options);
  return out;
}

/** Transforms one schema (a root: strict closing applies to it). */
export function transformSchema(schema: unknown, options: TransformOptions): unknown {
  return transform(schema, options, true);
}

function transform(node: unknown, options: TransformOptions, structural: boolean): unknown {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
  const src = node as Json;
  const out: Json = {};
  for (const key of Object.keys(src)) {
    const value = src[key];
    switch (key) {
      case 'description':
      case 'example':
      case 'examples':
      case '$schema':
      case '$id':
      case 'default':
      case 'nullable':
      case 'format':
        break;
      case '$ref':
        out.$ref = typeof value === 'string' && options.rewriteRef ? options.rewriteRef(value) : value;
        break;
      case 'properties':
      case 'patternProperties':
        if (value && typeof value === 'object') {
          const props: Json = {};
          for (const [name, sub] of Object.entries(value as Json)) props[name] = transform(sub, options, true);
          out[key] = props;
        }
        break;
      case 'definitions':
      case '$defs':
        if (value && typeof value === 'object') out[key] = transformDefinitions(value as Json, options);
        break;
      case 'additionalProperties':
        out[key] = typeof value === 'object' ? transform(value, options, true) : value;
        break;
      case 'items':
        out[key] = Array.isArray(value) ? value.map((v) => transform(v, options, true)) : transform(value, options, true);
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        out[key] = Array.isArray(value) ? value.map((v) => transform(v, options, false)) : value;
        break;
      case 'not':
      case 'if':
      case 'then':
      case 'else':
        out[key] = transform(value, options, false);
        break;
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        // OpenAPI 3.0 / draft-04 spell these as booleans next to minimum/maximum.
        if (typeof value === 'number') out[key] = value;
        break;
      case 'pattern':
        if (typeof value === 'string' && compilesAsRegExp(value)) out.pattern = value;
        break;
      default:
        if (!key.startsWith('x-')) out[key] = value;
    }
  }
  convertExclusiveBounds(src, out);
  applyFormat(src, out);
  if (src['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    if (isTypeUnion(out.anyOf)) delete out.anyOf;
    if (isTypeUnion(out.oneOf)) delete out.oneOf;
    out.type = ['integer', 'string'];
  }
  simplifyTypeUnion(out);
  if (src.nullable === true) allowNull(out);
  if (options.strict && structural && isClosed(src, out)) out.additionalProperties = false;
  return out;
}

function convertExclusiveBounds(src: Json, out: Json): void {
  if (src.exclusiveMinimum === true && typeof src.minimum === 'number') {
    out.exclusiveMinimum = src.minimum;
    delete out.minimum;
  }
  if (src.exclusiveMaximum === true && typeof src.maximum === 'number') {
    out.exclusiveMaximum = src.maximum;
    delete out.maximum;
  }
}

function applyFormat(src: Json, out: Json): void {
  switch (src.format) {
    case 'date-time':
      if (out.pattern === undefined) out.pattern = DATE_TIME_PATTERN;
      break;
    case 'byte':
      if (out.pattern === undefined) out.pattern = BASE64_PATTERN;
      break;
    case 'int-or-string':
      out.type = ['integer', 'string'];
      break;
    case 'quantity':
      out.type = ['string', 'number'];
      if (out.pattern === undefined) out.pattern = QUANTITY_PATTERN;
      break;
    case 'regex':
      out[REGEX_FORMAT_KEYWORD] = true;
      break;
    default: {
      const check = typeof src.format === 'string' && Object.hasOwn(FORMAT_CHECKS, src.format) ? FORMAT_CHECKS[src.format] : undefined;
      if (!check) break;
      // A schema may give both a pattern and a format: both must hold.
      if (out.pattern === undefined) out.pattern = check.pattern;
      else out.allOf = [...(Array.isArray(out.allOf) ? out.allOf : []), { pattern: check.pattern }];
    }
  }
}

/** `oneOf: [{type: string}, {type: integer}]` says the same as `type: [string, integer]`, which compiles to less and reads better in errors. */
function simplifyTypeUnion(out: Json): void {
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = out[key];
    if (out.type !== undefined || !isTypeUnion(branches)) continue;
    const types = (branches as { type: string }[]).map((b) => b.type);
    // integer is a number: a oneOf over both is not a plain union.
    if (key === 'oneOf' && types.includes('integer') && types.includes('number')) continue;
    if (new Set(types).size !== types.length) continue;
    out.type = types;
    delete out[key];
  }
}

function isTypeUnion(branches: unknown): boolean {
  return (
    Array.isArray(branches) &&
    branches.length > 0 &&
    branches.every((b) => b && typeof b === 'object' && Object.keys(b).length === 1 && typeof (b as Json).type === 'string')
  );
}

function allowNull(out: Json): void {
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
}

function isClosed(src: Json, out: Json): boolean {
  return (
    out.properties !== undefined &&
    out.additionalProperties === undefined &&
    out.patternProperties === undefined &&
    src['x-kubernetes-preserve-unknown-fields'] !== true &&
    src['x-kubernetes-embedded-resource'] !== true
  );
}

/** Go (RE2) patterns mostly work in JavaScript; one that does not (e.g. inline flags) is dropped rather than failing the whole schema. */
function compilesAsRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
