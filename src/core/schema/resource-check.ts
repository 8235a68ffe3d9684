import { duplicateKeyText } from './duplicate-keys.js';
import { matchesKindFilter } from './gvk.js';
import type { InputDocument } from './manifest-input.js';
import type { CompiledValidator } from './schema-compiler.js';
import { jsonschemaErrors } from './jsonschema-wording.js';
import { describeSchemaErrors, formatPath } from './schema-problems.js';
import type { Problem, ResourceResult, ResourceStatus } from './validation-result.js';
import { locatePath, type PathSegment } from './yaml-events.js';

/** A resource to check: a document, or one item of a `List` document. */
export interface InputResource {
  doc: InputDocument;
  item?: number;
  value: unknown;
}

/** Documents → resources; `kind: List` documents contribute their items one by one (kubeconform's rule: any case of "list"). */
export function expandResources(docs: readonly InputDocument[]): InputResource[] {
  const out: InputResource[] = [];
  for (const doc of docs) {
    const items = listItems(doc.value);
    if (items) items.forEach((item, i) => out.push({ doc, item: i, value: item }));
    else out.push({ doc, value: doc.value });
  }
  return out;
}

/** The items of a `List` document (kubeconform's rule: any case of "list"), or undefined for any other document. */
export function listItems(value: unknown): unknown[] | undefined {
  const v = value as Record<string, unknown> | undefined;
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof v.kind === 'string' && v.kind.toLowerCase() === 'list' && Array.isArray(v.items)) return v.items;
  return undefined;
}

export type SchemaLookup =
  /** `kubeconformLocation`: the per-kind file kubeconform would have read instead (its messages name it). */
  | { kind: 'found'; label: string; kubeconformLocation?: string; validator: CompiledValidator }
  | { kind: 'missing'; tried: string[] }
  | { kind: 'error'; message: string };

export interface CheckOptions {
  skip: ReadonlySet<string>;
  reject: ReadonlySet<string>;
  ignoreMissingSchemas: boolean;
}

/** The identity fields of a resource, whatever shape it has. */
export function identify(value: unknown): { apiVersion: string; kind: string; namespace: string; name: string } {
  const v = (value && typeof value === 'object' && !Array.isArray(value) ? value : {}) as Record<string, any>;
  const meta = v.metadata && typeof v.metadata === 'object' ? v.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : '';
  return {
    apiVersion: typeof v.apiVersion === 'string' ? v.apiVersion : '',
    kind: typeof v.kind === 'string' ? v.kind : '',
    namespace: typeof meta.namespace === 'string' ? meta.namespace : '',
    name,
  };
}

/** Where a resource is and what it is: the start of every result for it (`item` and `source` undefined when absent). */
export interface ResourceBase {
  file: string;
  document: number;
  item: number | undefined;
  line: number;
  source: string | undefined;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** Everything but the schema check: parse errors, identity, skip/reject. Returns a finished result, or undefined to go on. */
export function precheck(res: InputResource, options: CheckOptions, base: ResourceBase = describeResource(res)): ResourceResult | undefined {
  const { doc } = res;
  if (doc.error) {
    return resultOf(base, 'error', [{ path: '', keyword: 'yaml', message: `not valid YAML: ${doc.error.message}`, line: doc.error.line, column: doc.error.col }]);
  }
  const v = res.value;
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    return resultOf(base, 'error', [{ path: '', keyword: 'type', message: `expected a mapping (a Kubernetes object), found ${Array.isArray(v) ? 'a list' : typeof v}` }]);
  }
  if (!base.kind) return resultOf(base, 'error', [{ path: 'kind', keyword: 'required', message: "missing 'kind'" }]);
  if (!base.apiVersion) return resultOf(base, 'error', [{ path: 'apiVersion', keyword: 'required', message: "missing 'apiVersion'" }]);
  if (matchesKindFilter(options.skip, base.apiVersion, base.kind)) return resultOf(base, 'skipped', [{ path: '', keyword: 'skip', message: 'skipped by --skip' }]);
  if (matchesKindFilter(options.reject, base.apiVersion, base.kind)) {
    return resultOf(base, 'error', [{ path: '', keyword: 'rejected', message: `prohibited resource kind ${base.kind} (--reject)` }]);
  }
  return undefined;
}

/** The schema check proper, for a resource that passed `precheck`. */
export function checkAgainstSchema(res: InputResource, lookup: SchemaLookup, options: CheckOptions, fastValid?: boolean, base: ResourceBase = describeResource(res)): ResourceResult {
  const problems: Problem[] = duplicateKeyProblems(res);
  if (lookup.kind === 'error') return resultOf(base, 'error', [...problems, { path: '', keyword: 'schema-source', message: lookup.message }]);
  if (lookup.kind === 'missing') {
    if (options.ignoreMissingSchemas && problems.length === 0) {
      return resultOf(base, 'skipped', [{ path: '', keyword: 'missing-schema', message: `no schema for ${base.apiVersion}/${base.kind} (--ignore-missing-schemas)` }]);
    }
    const tried = lookup.tried.length ? ` (looked in: ${lookup.tried.join(', ')})` : '';
    const missing = { path: '', keyword: 'missing-schema', message: `could not find a schema for ${base.apiVersion}/${base.kind}${tried}` };
    return resultOf(base, options.ignoreMissingSchemas ? 'invalid' : 'error', options.ignoreMissingSchemas ? problems : [...problems, missing]);
  }
  let data = res.value;
  if (!(fastValid ?? lookup.validator.isValid(data))) {
    // An explicit null means "not set" to the API server; only look for nulls when the strict check failed.
    const stripped = withoutNulls(data);
    const cleaned = stripped !== data ? stripped : undefined;
    if (cleaned !== undefined && lookup.validator.isValid(cleaned)) {
      data = cleaned;
    } else {
      data = cleaned ?? data;
      const errors = lookup.validator.errors(data);
      for (const p of describeSchemaErrors(errors, data)) problems.push(locate(res, p.segments, { path: p.path, keyword: p.keyword, message: p.message }));
      const result = resultOf(base, 'invalid', problems, lookup.label);
      result.kubeconform = { schema: lookup.kubeconformLocation ?? lookup.label, errors: jsonschemaErrors(errors) };
      return result;
    }
  }
  return resultOf(base, problems.length ? 'invalid' : 'valid', problems, lookup.label);
}

/**
 * A result with its fields in the JSON output's order. Built field by field:
 * spreading the base into each result cost about a microsecond per resource.
 */
function resultOf(base: ResourceBase, status: ResourceStatus, problems: Problem[], schema?: string): ResourceResult {
  const out = { file: base.file, document: base.document } as ResourceResult;
  if (base.item !== undefined) out.item = base.item;
  out.line = base.line;
  if (base.source !== undefined) out.source = base.source;
  out.apiVersion = base.apiVersion;
  out.kind = base.kind;
  out.namespace = base.namespace;
  out.name = base.name;
  if (schema !== undefined) out.schema = schema;
  out.status = status;
  out.problems = problems;
  return out;
}

/** The base of every result for `res`; computing it once per resource spares a second identify (and, for List items, a second re-parse). */
export function describeResource(res: InputResource): ResourceBase {
  const { apiVersion, kind, namespace, name } = identify(res.value);
  return {
    file: res.doc.file,
    document: res.doc.index,
    item: res.item,
    line: res.item !== undefined ? itemLine(res) : res.doc.line,
    source: res.doc.source || undefined,
    apiVersion,
    kind,
    namespace,
    name,
  };
}

function itemLine(res: InputResource): number {
  return position(res, ['items', res.item!])?.line ?? res.doc.line;
}

function duplicateKeyProblems(res: InputResource): Problem[] {
  if (res.doc.duplicateKeys.length === 0) return [];
  const prefix = res.item !== undefined ? ['items', res.item] : [];
  return res.doc.duplicateKeys
    .filter((d) => prefix.every((p, i) => String(d.path[i]) === String(p)))
    .map((d) => {
      const segments = [...d.path.slice(prefix.length), d.key];
      return { path: formatPath(segments), keyword: 'duplicate-key', message: duplicateKeyText(d.key), line: d.line, column: d.col };
    });
}

function locate(res: InputResource, segments: PathSegment[], problem: Problem): Problem {
  const prefix: PathSegment[] = res.item !== undefined ? ['items', res.item] : [];
  const at = position(res, [...prefix, ...segments]);
  return at ? { ...problem, line: at.line, column: at.col } : problem;
}

function position(res: InputResource, path: PathSegment[]): { line: number; col: number } | undefined {
  const text = res.doc.text();
  const offset = locatePath(text, path);
  let line = res.doc.textLine;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
}

/**
 * `value` without object fields set to null (list items stay: a null item is not an absent field).
 * `value` itself when it has no such field; otherwise only the objects and lists on the way to
 * one are copied and the rest is shared (validation only reads the data).
 */
function withoutNulls(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const kept = withoutNulls(item);
      if (kept !== item && !out) out = value.slice(0, i);
      if (out) out.push(kept);
    }
    return out ?? value;
  }
  const object = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k in object) {
    const v = object[k];
    const kept = v === null ? v : withoutNulls(v);
    if (!out) {
      if (v !== null && kept === v) continue;
      // The first field to drop or change: the ones before it are taken as they are.
      out = {};
      for (const before in object) {
        if (before === k) break;
        setField(out, before, object[before]);
      }
    }
    if (v !== null) setField(out, k, kept);
  }
  return out ?? value;
}

function setField(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
  else out[key] = value;
}
