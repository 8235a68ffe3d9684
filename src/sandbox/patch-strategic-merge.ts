/**
 * Applies a strategic merge patch (what helm 3 and `kubectl apply` send) the
 * way apimachinery's strategicpatch package does for the directives those
 * clients generate: null deletes, `$patch: replace|delete`, `$retainKeys`,
 * `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`, and lists
 * merged by key where the field's strategy says so (see list-strategies.ts).
 */
import { isPlainObject, listStrategy } from './list-strategies.js';

type Json = any;

export function applyStrategicMergePatch(original: Record<string, Json>, patch: Record<string, Json>, kind: string): Record<string, Json> {
  return mergeMap(structuredClone(original), patch, kind, []) ?? {};
}

function mergeMap(original: Record<string, Json>, patch: Record<string, Json>, kind: string, path: string[]): Record<string, Json> | undefined {
  if (patch.$patch === 'delete') return undefined;
  if (patch.$patch === 'replace') return stripDirectives(patch);
  const result: Record<string, Json> = { ...original };
  const orders: Array<[string, Json[]]> = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith('$setElementOrder/')) {
      orders.push([key.slice('$setElementOrder/'.length), value]);
      continue;
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(result[field])) result[field] = result[field].filter((v: Json) => !(value as Json[]).includes(v));
      continue;
    }
    if (value === null) {
      delete result[key];
    } else if (isPlainObject(value)) {
      const merged = mergeMap(isPlainObject(result[key]) ? result[key] : {}, value, kind, [...path, key]);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value)) {
      result[key] = mergeList(Array.isArray(result[key]) ? result[key] : [], value, kind, [...path, key]);
    } else {
      result[key] = value;
    }
  }
  for (const [field, order] of orders) {
    if (Array.isArray(result[field])) result[field] = reorder(result[field], order, kind, [...path, field]);
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set<string>(patch.$retainKeys);
    for (const key of Object.keys(result)) if (!keep.has(key)) delete result[key];
  }
  return result;
}

function mergeList(original: Json[], patch: Json[], kind: string, path: string[]): Json[] {
  if (patch.some((item) => isPlainObject(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isPlainObject(item) && item.$patch === 'replace')).map(stripDirectives);
  }
  const strategy = listStrategy(kind, path);
  if (strategy.type === 'atomic') return patch.map(stripDirectives);
  if (strategy.type === 'set' || patch.every((item) => !isPlainObject(item))) {
    const result = [...original];
    for (const item of patch) if (!result.includes(item)) result.push(item);
    return result;
  }
  const key = strategy.key;
  const result = [...original];
  for (const item of patch) {
    if (!isPlainObject(item)) continue;
    const index = result.findIndex((existing) => isPlainObject(existing) && existing[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) {
      const merged = mergeMap(result[index], item, kind, path);
      if (merged === undefined) result.splice(index, 1);
      else result[index] = merged;
    } else {
      result.push(stripDirectives(item));
    }
  }
  return result;
}

/** `$setElementOrder`: listed elements first, in the given order; the rest keep their relative order after them. */
function reorder(list: Json[], order: Json[], kind: string, path: string[]): Json[] {
  const strategy = listStrategy(kind, path);
  const identity = (v: Json) => (strategy.type === 'map' && isPlainObject(v) ? v[strategy.key] : v);
  const wanted = order.map(identity);
  const rank = (v: Json) => {
    const i = wanted.indexOf(identity(v));
    return i < 0 ? wanted.length : i;
  };
  return list.map((v, i) => ({ v, i })).sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i).map((e) => e.v);
}

export function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isPlainObject(value)) return value;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = stripDirectives(v);
  return out;
}
