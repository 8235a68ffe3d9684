import type { ErrorObject } from 'ajv';
import { goRegexpError, REGEX_FORMAT_KEYWORD } from './formats.js';

/**
 * Walks a schema instead of compiling it. Compiling the schema of one
 * Deployment costs ajv tens of milliseconds (PodSpec is large), which is all
 * of a cold start on a small chart; walking costs nothing up front and is
 * fast enough for a few hundred resources. Handles the keywords that the
 * Kubernetes schemas use after transformation; `supports` says no to anything
 * else, and the caller compiles with ajv instead. Errors have ajv's shape.
 */

type Schema = Record<string, unknown> | boolean;

/** Whether the walker handles a schema tree, and whether only the walker checks it in full. */
type Support = 'no' | 'yes' | 'walker-only';

/**
 * Where the walk is in the data, as a chain back to the root (undefined).
 * Valid resources never need the JSON pointer, so it is only spelled out
 * for an error.
 */
type InstancePath = { up: InstancePath; segment: string | number } | undefined;

const VALIDATING = new Set([
  '$ref', 'type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'patternProperties', 'items',
  'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'multipleOf', 'minProperties', 'maxProperties', 'allOf', 'anyOf', 'oneOf', 'not', 'definitions', '$defs', '$id',
]);
const ANNOTATIONS = new Set(['title', 'description', '$comment', 'readOnly', 'writeOnly', 'deprecated', 'default', 'examples', 'example', '$schema', 'format', 'id']);

export class SchemaInterpreter {
  private readonly documents = new Map<string, Schema>();
  private readonly patterns = new Map<string, RegExp>();
  private readonly documentSupport = new Map<string, Support>();
  /** base → ref → target; documents are only ever added, so a resolved ref stays resolved. */
  private readonly resolvedRefs = new Map<string, Map<string, { schema: Schema; base: string }>>();

  constructor(documents: { id: string; schema: object }[]) {
    this.add(documents);
  }

  add(documents: { id: string; schema: object }[]): void {
    for (const d of documents) if (!this.documents.has(stripFragment(d.id))) this.documents.set(stripFragment(d.id), d.schema as Schema);
  }

  /** Whether every keyword reachable from the documents and root is one this walker knows. */
  supports(root: object): boolean {
    return this.support(root) !== 'no';
  }

  /** Whether the schema asks for a check only this walker makes (`format: regex`), so it must not be compiled. */
  requiresWalking(root: object): boolean {
    return this.support(root) === 'walker-only';
  }

  private support(root: object): Support {
    let overall = this.walkableTree(root);
    if (overall === 'no') return 'no';
    for (const [id, doc] of this.documents) {
      let known = this.documentSupport.get(id);
      if (known === undefined) this.documentSupport.set(id, (known = this.walkableTree(doc)));
      if (known === 'no') return 'no';
      if (known === 'walker-only') overall = known;
    }
    return overall;
  }

  private walkableTree(tree: unknown): Support {
    const seen = new Set<unknown>();
    let walkerOnly = false;
    const ok = (s: unknown): boolean => {
      if (typeof s === 'boolean' || seen.has(s)) return true;
      if (!s || typeof s !== 'object' || Array.isArray(s)) return false;
      seen.add(s);
      for (const [k, v] of Object.entries(s)) {
        if (k === REGEX_FORMAT_KEYWORD) walkerOnly = true;
        if (k.startsWith('x-') || ANNOTATIONS.has(k)) continue;
        if (!VALIDATING.has(k)) return false;
        if (k === 'properties' || k === 'patternProperties' || k === 'definitions' || k === '$defs') {
          if (!Object.values(v as object).every(ok)) return false;
        } else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') {
          if (!Array.isArray(v) || !v.every(ok)) return false;
        } else if (k === 'items' && Array.isArray(v)) {
          return false;
        } else if (k === 'items' || k === 'not' || (k === 'additionalProperties' && typeof v === 'object')) {
          if (!ok(v)) return false;
        } else if (k === 'pattern' && !this.regex(String(v))) {
          return false;
        }
      }
      return true;
    };
    if (!ok(tree)) return 'no';
    return walkerOnly ? 'walker-only' : 'yes';
  }

  /** Every error (ajv's allErrors shape, with parentSchema and data as in verbose mode). */
  errors(root: object, data: unknown, base = ''): ErrorObject[] {
    const errors: ErrorObject[] = [];
    const rootBase = typeof (root as { $id?: unknown }).$id === 'string' ? stripFragment((root as { $id: string }).$id) : base;
    if (rootBase && !this.documents.has(rootBase)) this.documents.set(rootBase, root as Schema);
    this.check(root as Schema, data, undefined, rootBase, errors);
    return errors;
  }

  /**
   * `optional`: the data is a property its object does not require. kubeconform's
   * standalone schemas (openapi2jsonschema) allow null there, so its type errors
   * say `want null or …`; the flag rides along as the type error's `nullable`.
   */
  private check(schema: Schema, data: unknown, path: InstancePath, base: string, errors: ErrorObject[], optional = false): void {
    if (schema === true) return;
    if (schema === false) return void errors.push(err('false schema', path, {}, 'boolean schema is false', schema, data));
    const s = schema;
    if (typeof s.$ref === 'string') {
      const target = this.resolve(s.$ref, base);
      if (target) this.check(target.schema, data, path, target.base, errors, optional);
      else errors.push(err('$ref', path, { ref: s.$ref }, `can't resolve reference ${s.$ref}`, s, data));
    }
    if (s.type !== undefined && !(Array.isArray(s.type) ? (s.type as string[]).some((t) => hasType(data, t)) : hasType(data, s.type as string))) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      errors.push(err('type', path, optional ? { type: types.join(','), nullable: true } : { type: types.join(',') }, `must be ${types.join(',')}`, s, data));
      return;
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => equal(e, data))) errors.push(err('enum', path, { allowedValues: s.enum }, 'must be equal to one of the allowed values', s, data));
    if ('const' in s && !equal(s.const, data)) errors.push(err('const', path, { allowedValue: s.const }, 'must be equal to constant', s, data));
    if (typeof data === 'string') {
      if (typeof s.minLength === 'number' && [...data].length < s.minLength) errors.push(err('minLength', path, { limit: s.minLength }, `must NOT have fewer than ${s.minLength} characters`, s, data));
      if (typeof s.maxLength === 'number' && [...data].length > s.maxLength) errors.push(err('maxLength', path, { limit: s.maxLength }, `must NOT have more than ${s.maxLength} characters`, s, data));
      if (typeof s.pattern === 'string' && !this.regex(s.pattern)!.test(data)) errors.push(err('pattern', path, { pattern: s.pattern }, `must match pattern "${s.pattern}"`, s, data));
      if (s[REGEX_FORMAT_KEYWORD] === true) {
        const reason = goRegexpError(data);
        if (reason !== undefined) errors.push(err('format', path, { format: 'regex', reason }, 'must match format "regex"', s, data));
      }
    }
    if (typeof data === 'number') {
      const bound = (kw: string, fails: boolean, cmp: string) => fails && errors.push(err(kw, path, { comparison: cmp, limit: s[kw] }, `must be ${cmp} ${s[kw]}`, s, data));
      if (typeof s.minimum === 'number') bound('minimum', data < s.minimum, '>=');
      if (typeof s.maximum === 'number') bound('maximum', data > s.maximum, '<=');
      if (typeof s.exclusiveMinimum === 'number') bound('exclusiveMinimum', data <= s.exclusiveMinimum, '>');
      if (typeof s.exclusiveMaximum === 'number') bound('exclusiveMaximum', data >= s.exclusiveMaximum, '<');
      if (typeof s.multipleOf === 'number' && !Number.isInteger(data / s.multipleOf)) errors.push(err('multipleOf', path, { multipleOf: s.multipleOf }, `must be multiple of ${s.multipleOf}`, s, data));
    }
    if (Array.isArray(data)) {
      if (typeof s.minItems === 'number' && data.length < s.minItems) errors.push(err('minItems', path, { limit: s.minItems }, `must NOT have fewer than ${s.minItems} items`, s, data));
      if (typeof s.maxItems === 'number' && data.length > s.maxItems) errors.push(err('maxItems', path, { limit: s.maxItems }, `must NOT have more than ${s.maxItems} items`, s, data));
      if (s.items !== undefined && typeof s.items === 'object') for (let i = 0; i < data.length; i++) this.check(s.items as Schema, data[i], { up: path, segment: i }, base, errors);
    } else if (data !== null && typeof data === 'object') {
      this.checkObject(s, data as Record<string, unknown>, path, base, errors);
    }
    if (s.allOf != null) for (const sub of s.allOf as Schema[]) this.check(sub, data, path, base, errors, optional);
    if (s.anyOf) this.branches('anyOf', s, data, path, base, errors);
    if (s.oneOf) this.branches('oneOf', s, data, path, base, errors);
    if (s.not !== undefined) {
      const e: ErrorObject[] = [];
      this.check(s.not as Schema, data, path, base, e);
      if (e.length === 0) errors.push(err('not', path, {}, 'must NOT be valid', s, data));
    }
  }

  private branches(kw: 'anyOf' | 'oneOf', s: Record<string, unknown>, data: unknown, path: InstancePath, base: string, errors: ErrorObject[]): void {
    const results = (s[kw] as Schema[]).map((b) => {
      const e: ErrorObject[] = [];
      this.check(b, data, path, base, e);
      return e;
    });
    const passing = results.filter((e) => e.length === 0).length;
    if (kw === 'anyOf' ? passing === 0 : passing !== 1) {
      if (passing === 0) for (const e of results) errors.push(...e);
      errors.push(err(kw, path, {}, kw === 'anyOf' ? 'must match a schema in anyOf' : 'must match exactly one schema in oneOf', s, data));
    }
  }

  private checkObject(s: Record<string, unknown>, data: Record<string, unknown>, path: InstancePath, base: string, errors: ErrorObject[]): void {
    const keys = Object.keys(data);
    if (s.required != null) {
      for (const r of s.required as string[]) {
        if (!(r in data)) errors.push(err('required', path, { missingProperty: r }, `must have required property '${r}'`, s, data));
      }
    }
    if (typeof s.minProperties === 'number' && keys.length < s.minProperties) errors.push(err('minProperties', path, { limit: s.minProperties }, `must NOT have fewer than ${s.minProperties} properties`, s, data));
    if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties) errors.push(err('maxProperties', path, { limit: s.maxProperties }, `must NOT have more than ${s.maxProperties} properties`, s, data));
    const props = (s.properties ?? undefined) as Record<string, Schema> | undefined;
    const patterns = s.patternProperties == null ? undefined : Object.entries(s.patternProperties as Record<string, Schema>);
    const additional = s.additionalProperties;
    for (const key of keys) {
      const child: InstancePath = { up: path, segment: key };
      let matched = false;
      if (props !== undefined && Object.prototype.hasOwnProperty.call(props, key)) {
        matched = true;
        this.check(props[key]!, data[key], child, base, errors, !(s.required as string[] | undefined)?.includes(key));
      }
      if (patterns !== undefined) {
        for (const [p, sub] of patterns) {
          if (this.regex(p)?.test(key)) {
            matched = true;
            this.check(sub, data[key], child, base, errors);
          }
        }
      }
      if (matched || additional === undefined || additional === true) continue;
      if (additional === false) errors.push(err('additionalProperties', path, { additionalProperty: key }, 'must NOT have additional properties', s, data));
      else this.check(additional as Schema, data[key], child, base, errors);
    }
  }

  private resolve(ref: string, base: string): { schema: Schema; base: string } | undefined {
    let byRef = this.resolvedRefs.get(base);
    const known = byRef?.get(ref);
    if (known) return known;
    const target = this.lookupRef(ref, base);
    if (target) {
      if (!byRef) this.resolvedRefs.set(base, (byRef = new Map()));
      byRef.set(ref, target);
    }
    return target;
  }

  private lookupRef(ref: string, base: string): { schema: Schema; base: string } | undefined {
    const hash = ref.indexOf('#');
    const docPart = hash < 0 ? ref : ref.slice(0, hash);
    const pointer = hash < 0 ? '' : ref.slice(hash + 1);
    let docId = base;
    if (docPart) {
      try {
        docId = stripFragment(new URL(docPart, base || undefined).toString());
      } catch {
        docId = docPart;
      }
    }
    let node: unknown = this.documents.get(docId);
    if (node === undefined) return undefined;
    for (const raw of pointer.split('/').slice(1)) {
      const seg = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
      if (node === undefined) return undefined;
    }
    return { schema: node as Schema, base: docId };
  }

  private regex(pattern: string): RegExp | undefined {
    let re = this.patterns.get(pattern);
    if (!re) {
      try {
        re = new RegExp(pattern);
      } catch {
        return undefined;
      }
      this.patterns.set(pattern, re);
    }
    return re;
  }
}

function err(keyword: string, path: InstancePath, params: Record<string, unknown>, message: string, parentSchema: unknown, data: unknown): ErrorObject {
  return { keyword, instancePath: pointerOf(path), schemaPath: '', params, message, parentSchema: parentSchema as object, data } as ErrorObject;
}

function pointerOf(path: InstancePath): string {
  let pointer = '';
  for (let p = path; p; p = p.up) pointer = `/${typeof p.segment === 'number' ? p.segment : p.segment.replace(/~/g, '~0').replace(/\//g, '~1')}${pointer}`;
  return pointer;
}

function stripFragment(id: string): string {
  const i = id.indexOf('#');
  return i < 0 ? id : id.slice(0, i);
}

function hasType(data: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return data === null;
    case 'array':
      return Array.isArray(data);
    case 'object':
      return data !== null && typeof data === 'object' && !Array.isArray(data);
    case 'integer':
      return typeof data === 'number' && Number.isInteger(data);
    case 'number':
      return typeof data === 'number' && Number.isFinite(data);
    default:
      return typeof data === type;
  }
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
