import { deepEqualNormalized } from './release-diff-equality.js';

/** One difference between two objects at a path, in the terms dyff reports them. */
export type PathChange =
  | { path: string[]; change: 'value'; before: unknown; after: unknown }
  | { path: string[]; change: 'mapAdded' | 'mapRemoved'; entries: Record<string, unknown> }
  | { path: string[]; change: 'listAdded' | 'listRemoved'; entries: unknown[] }
  | { path: string[]; change: 'documentAdded' | 'documentRemoved'; document: unknown };

function isMap(v: unknown): v is Record<string, unknown> {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

/** Lists whose items are maps with a `name` (containers, env, ports…): dyff matches their items by name. */
function namedItems(list: unknown[]): Map<string, unknown> | undefined {
  if (list.length === 0 || !list.every((i) => isMap(i) && typeof i.name === 'string')) return undefined;
  const byName = new Map(list.map((i) => [(i as { name: string }).name, i]));
  return byName.size === list.length ? byName : undefined;
}

/**
 * Path-level differences of two (normalised) objects, as dyff's human report lists them:
 * value changes, map entries added/removed under a path, list entries added/removed
 * (named-list items matched by `name`, the name taking the index's place in the path).
 */
export function objectChanges(before: unknown, after: unknown, path: string[] = []): PathChange[] {
  if (deepEqualNormalized(before, after)) return [];
  if (isMap(before) && isMap(after)) {
    const out: PathChange[] = [];
    const removed = Object.keys(before).filter((k) => !(k in after));
    const added = Object.keys(after).filter((k) => !(k in before));
    if (removed.length) out.push({ path, change: 'mapRemoved', entries: Object.fromEntries(removed.map((k) => [k, before[k]])) });
    if (added.length) out.push({ path, change: 'mapAdded', entries: Object.fromEntries(added.map((k) => [k, after[k]])) });
    for (const k of Object.keys(before).filter((key) => key in after).sort()) out.push(...objectChanges(before[k], after[k], [...path, k]));
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const b = namedItems(before);
    const a = namedItems(after);
    if (a && b) {
      const out: PathChange[] = [];
      const removed = [...b.keys()].filter((n) => !a.has(n)).map((n) => b.get(n));
      const added = [...a.keys()].filter((n) => !b.has(n)).map((n) => a.get(n));
      if (removed.length) out.push({ path, change: 'listRemoved', entries: removed });
      if (added.length) out.push({ path, change: 'listAdded', entries: added });
      for (const [name, item] of b) if (a.has(name)) out.push(...objectChanges(item, a.get(name), [...path, name]));
      return out;
    }
    const removed = before.filter((x) => !after.some((y) => deepEqualNormalized(x, y)));
    const added = after.filter((y) => !before.some((x) => deepEqualNormalized(x, y)));
    return [
      ...(removed.length ? [{ path, change: 'listRemoved' as const, entries: removed }] : []),
      ...(added.length ? [{ path, change: 'listAdded' as const, entries: added }] : []),
    ];
  }
  return [{ path, change: 'value', before, after }];
}
