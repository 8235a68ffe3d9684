/**
 * Server-side apply (`PATCH` with `application/apply-patch+yaml`, what helm 4
 * sends): the applied configuration is merged into the live object, fields
 * the same manager applied before but no longer applies are removed unless
 * another manager owns them, and `metadata.managedFields` records who owns
 * what. Without `force`, setting a field another manager owns to a
 * different value is a 409 conflict (helm 4 sends force=false unless
 * --force-conflicts); with force the applier takes it over. Fields set to the
 * value they already have become shared.
 */
import { ApiError } from './api-status.js';
import { isPlainObject, listStrategy } from './list-strategies.js';
import { canonicalJson } from './object-store.js';
import { changedFields, describePath, fieldSetOf, leafPaths, removeFields, setOfPaths, subtract, union, valueAt, type FieldSet } from './managed-fields.js';

type Json = any;

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldSet;
  subresource?: string;
}

export function serverSideApply(live: Record<string, Json> | undefined, applied: Record<string, Json>, manager: string, kind: string, now: string, force = true): Record<string, Json> {
  const entries: ManagedFieldsEntry[] = live?.metadata?.managedFields ?? [];
  const mine = entries.find((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource);
  const next = fieldSetOf(applied, kind);
  // Fields whose applied value differs from the live one: owning them elsewhere is a conflict.
  const changing = live ? leafPaths(next).filter((path) => canonicalJson(valueAt(live, path)) !== canonicalJson(valueAt(applied, path))) : [];
  if (!force) {
    const conflicts = entries
      .filter((e) => e !== mine && !e.subresource)
      .flatMap((e) => changing.filter((path) => ownsPath(e.fieldsV1 ?? {}, path)).map((path) => ({ manager: e.manager, apiVersion: e.apiVersion, field: describePath(path) })));
    if (conflicts.length) throw conflictError(conflicts);
  }
  const others = entries.filter((e) => e !== mine && !e.subresource).reduce<FieldSet>((acc, e) => union(acc, e.fieldsV1 ?? {}), {});
  const dropped = subtract(subtract(mine?.fieldsV1 ?? {}, next), others);
  const base = live ? removeFields(live, dropped) : {};
  const merged = mergeApplied(base, applied, kind, []);
  // The applier takes over the fields it changes; unchanged ones stay shared.
  const taken = setOfPaths(changing);
  const rest = entries
    .filter((e) => e !== mine)
    .map((e) => (e.subresource ? e : { ...e, fieldsV1: subtract(e.fieldsV1 ?? {}, taken) }))
    .filter((e) => Object.keys(e.fieldsV1).length > 0);
  merged.metadata = {
    ...merged.metadata,
    managedFields: [...rest, { manager, operation: 'Apply', apiVersion: applied.apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: next }],
  };
  return merged;
}

function ownsPath(set: FieldSet, path: string[]): boolean {
  let node: FieldSet | undefined = set;
  for (const key of path) {
    node = node[key];
    if (!node) return false;
    if (Object.keys(node).length === 0) return true; // owns the whole subtree
  }
  // Owning some fields below the path is no conflict with a path that sets none of them (an empty `spec: {}`).
  return false;
}

function conflictError(conflicts: Array<{ manager: string; apiVersion: string; field: string }>): ApiError {
  const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${c.field}`);
  const message = `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${lines.join('\n')}`;
  return new ApiError(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: c.field })),
  });
}

/** Records an Update (create, put, patch) by `manager`: it owns the fields it changed. */
export function recordUpdate(before: Record<string, Json> | undefined, after: Record<string, Json>, manager: string, kind: string, now: string, subresource?: string): void {
  const changed = changedFields(before ? stripSystem(before) : undefined, stripSystem(after), kind);
  const entries: ManagedFieldsEntry[] = (before?.metadata?.managedFields ?? []).map((e: ManagedFieldsEntry) =>
    e.subresource === subresource ? { ...e, fieldsV1: subtract(e.fieldsV1 ?? {}, changed) } : e,
  );
  const index = entries.findIndex((e) => e.manager === manager && e.operation === 'Update' && e.subresource === subresource);
  if (Object.keys(changed).length > 0) {
    const previous = index >= 0 ? entries[index]!.fieldsV1 : {};
    const entry: ManagedFieldsEntry = { manager, operation: 'Update', apiVersion: after.apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: union(previous, changed), ...(subresource ? { subresource } : {}) };
    if (index >= 0) entries[index] = entry;
    else entries.push(entry);
  }
  after.metadata.managedFields = entries.filter((e) => Object.keys(e.fieldsV1).length > 0);
}

const stripSystem = (o: Record<string, Json>) => {
  const { metadata, ...rest } = o;
  const { managedFields: _m, resourceVersion: _r, generation: _g, uid: _u, creationTimestamp: _c, ...meta } = metadata ?? {};
  return { ...rest, metadata: meta };
};

function mergeApplied(live: Record<string, Json>, applied: Record<string, Json>, kind: string, path: string[]): Record<string, Json> {
  const result: Record<string, Json> = { ...live };
  for (const [key, value] of Object.entries(applied)) {
    if (value === null || value === undefined) {
      delete result[key];
    } else if (isPlainObject(value)) {
      result[key] = mergeApplied(isPlainObject(result[key]) ? result[key] : {}, value, kind, [...path, key]);
    } else if (Array.isArray(value)) {
      result[key] = mergeAppliedList(Array.isArray(result[key]) ? result[key] : [], value, kind, [...path, key]);
    } else {
      result[key] = value;
    }
  }
  return result;
}

function mergeAppliedList(live: Json[], applied: Json[], kind: string, path: string[]): Json[] {
  const strategy = listStrategy(kind, path);
  if (strategy.type === 'atomic') return structuredClone(applied);
  if (strategy.type === 'set' || applied.some((v) => !isPlainObject(v))) {
    return [...applied, ...live.filter((v) => !applied.some((a) => JSON.stringify(a) === JSON.stringify(v)))];
  }
  const key = strategy.key;
  const merged = applied.map((item) => {
    const existing = live.find((l) => isPlainObject(l) && l[key] === item[key]);
    return existing ? mergeApplied(existing, item, kind, path) : structuredClone(item);
  });
  // Items other managers added stay, after the applied ones.
  return [...merged, ...live.filter((l) => !applied.some((a) => isPlainObject(l) && a[key] === l[key]))];
}
