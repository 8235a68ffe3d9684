/**
 * Field sets in the `FieldsV1` encoding (`f:spec`, `k:{"name":"web"}`,
 * `v:"finalizer"`, `.`) and the two operations server-side apply needs on
 * them: the set of fields an object configures, and removing the fields a
 * manager stopped applying. Update operations are tracked coarsely (see
 * docs/sandbox.md): the writer owns every field whose value it changed.
 */
import { isPlainObject, listStrategy } from './list-strategies.js';

export type FieldSet = { [key: string]: FieldSet };
type Json = any;

/** The fields `value` sets, the way the apply configuration's owner would own them. */
export function fieldSetOf(value: Record<string, Json>, kind: string, path: string[] = []): FieldSet {
  const set: FieldSet = {};
  for (const [key, child] of Object.entries(value)) {
    if (path.length === 0 && (key === 'apiVersion' || key === 'kind' || key === 'status')) continue;
    if (path.length === 1 && path[0] === 'metadata' && !['labels', 'annotations', 'finalizers', 'ownerReferences'].includes(key)) continue;
    if (child === null || child === undefined) continue;
    const childFields = childSet(child, kind, [...path, key]);
    // metadata holding only untracked keys (name, namespace) owns nothing; `{}` would read as owning all of it.
    if (path.length === 0 && key === 'metadata' && Object.keys(childFields).length === 0) continue;
    set[`f:${key}`] = childFields;
  }
  return set;
}

function childSet(child: Json, kind: string, path: string[]): FieldSet {
  if (isPlainObject(child)) return fieldSetOf(child, kind, path);
  if (!Array.isArray(child)) return {};
  const strategy = listStrategy(kind, path);
  if (strategy.type === 'atomic') return {};
  const set: FieldSet = {};
  for (const item of child) {
    if (strategy.type === 'set' || !isPlainObject(item)) set[`v:${JSON.stringify(item)}`] = {};
    else set[`k:${JSON.stringify({ [strategy.key]: item[strategy.key] })}`] = { '.': {}, ...fieldSetOf(item, kind, path) };
  }
  return set;
}

/** Fields in `a` that are not in `b`. */
export function subtract(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = {};
  for (const [key, child] of Object.entries(a)) {
    const other = b[key];
    if (!other) out[key] = child;
    else if (Object.keys(child).length > 0 && Object.keys(other).length > 0) {
      const rest = subtract(child, other);
      if (Object.keys(rest).length > 0) out[key] = rest;
    }
  }
  return out;
}

export function union(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { ...a };
  for (const [key, child] of Object.entries(b)) out[key] = out[key] ? union(out[key]!, child) : child;
  return out;
}

/** Removes the fields in `removed` from `value` (a copy is returned). */
export function removeFields(value: Record<string, Json>, removed: FieldSet): Record<string, Json> {
  const out: Record<string, Json> = { ...value };
  for (const [key, child] of Object.entries(removed)) {
    if (!key.startsWith('f:')) continue;
    const field = key.slice(2);
    if (!(field in out)) continue;
    const whole = Object.keys(child).length === 0;
    if (whole) {
      delete out[field];
    } else if (isPlainObject(out[field])) {
      out[field] = removeFields(out[field], child);
      if (Object.keys(out[field]).length === 0) delete out[field];
    } else if (Array.isArray(out[field])) {
      out[field] = removeListItems(out[field], child);
      if (out[field].length === 0) delete out[field];
    }
  }
  return out;
}

function removeListItems(list: Json[], removed: FieldSet): Json[] {
  let result = [...list];
  for (const [key, child] of Object.entries(removed)) {
    if (key.startsWith('v:')) {
      const v = JSON.parse(key.slice(2));
      result = result.filter((item) => JSON.stringify(item) !== JSON.stringify(v));
    } else if (key.startsWith('k:')) {
      const [[k, v]] = Object.entries(JSON.parse(key.slice(2)) as Record<string, Json>) as [[string, Json]];
      const index = result.findIndex((item) => isPlainObject(item) && item[k] === v);
      if (index < 0) continue;
      if ('.' in child) result.splice(index, 1);
      else result[index] = removeFields(result[index], child);
    }
  }
  return result;
}

/** Fields whose value differs between two versions of an object (what an Update writer takes ownership of). */
export function changedFields(before: Record<string, Json> | undefined, after: Record<string, Json>, kind: string): FieldSet {
  if (!before) return fieldSetOf(after, kind);
  const all = fieldSetOf(after, kind);
  return filterChanged(all, before, after);
}

function filterChanged(set: FieldSet, before: Json, after: Json): FieldSet {
  const out: FieldSet = {};
  for (const [key, child] of Object.entries(set)) {
    const [b, a] = [pick(before, key), pick(after, key)];
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    const keys = Object.keys(child);
    if (keys.length === 0 || b === undefined) out[key] = child;
    else {
      const nested = filterChanged(child, b, a);
      if (Object.keys(nested).length > 0) out[key] = nested;
    }
  }
  return out;
}

/** The value a FieldsV1 key (`f:x`, `k:{...}`) addresses inside `value`. */
export function pick(value: Json, key: string): Json {
  if (key.startsWith('f:')) return isPlainObject(value) ? value[key.slice(2)] : undefined;
  if (key.startsWith('k:') && Array.isArray(value)) {
    const [[k, v]] = Object.entries(JSON.parse(key.slice(2)) as Record<string, Json>) as [[string, Json]];
    return value.find((item) => isPlainObject(item) && item[k] === v);
  }
  return undefined;
}

/** Paths (lists of FieldsV1 keys) to the fields a set owns, list-item markers left out. */
export function leafPaths(set: FieldSet, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [key, child] of Object.entries(set)) {
    if (key === '.' || key.startsWith('v:')) continue;
    const path = [...prefix, key];
    if (Object.keys(child).length === 0) out.push(path);
    else out.push(...leafPaths(child, path));
  }
  return out;
}

export function valueAt(value: Json, path: string[]): Json {
  return path.reduce((v, key) => pick(v, key), value);
}

export function setOfPaths(paths: string[][]): FieldSet {
  const out: FieldSet = {};
  for (const path of paths) {
    let node = out;
    for (const key of path) node = node[key] ??= {};
  }
  return out;
}

/** `.spec.template.spec.containers[name="web"].image`, the way conflict messages name a field. */
export function describePath(path: string[]): string {
  return path
    .map((key) => {
      if (key.startsWith('f:')) return `.${key.slice(2)}`;
      if (key.startsWith('k:')) return `[${Object.entries(JSON.parse(key.slice(2)) as Record<string, Json>).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      return key;
    })
    .join('');
}
