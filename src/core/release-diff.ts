import { createTwoFilesPatch } from 'diff';
import { dump } from 'js-yaml';
import { CLUSTER_SCOPED_KINDS, isHook, parseManifestStream, type KubeObject } from './manifests.js';

export type ChangeKind = 'added' | 'removed' | 'changed' | 'unchanged';

/** One resource in a release diff, matched by group/kind/namespace/name (API versions may differ). */
export interface ResourceChange {
  change: ChangeKind;
  /** `group/Kind namespace/name` (group empty for the core API). */
  resource: string;
  apiVersion: string;
  /** apiVersion before, when it moved (e.g. autoscaling/v2beta2 → autoscaling/v2). */
  previousApiVersion?: string;
  kind: string;
  namespace: string;
  name: string;
  /** Helm hooks, including `helm test` pods: reported apart from regular resources. */
  hook: boolean;
  /** Unified diff of the two objects (Secret values masked unless showSecrets). */
  diff?: string;
  /** For Secrets: data/stringData keys whose values differ (the values themselves are never shown masked). */
  secretKeysChanged?: string[];
}

export interface ReleaseDiff {
  changes: ResourceChange[];
  counts: Record<ChangeKind, number>;
  hasChanges: boolean;
}

export interface DiffOptions {
  namespace: string;
  /** Lines of context around each change (default 3). */
  context?: number;
  showSecrets?: boolean;
}

interface Entry {
  obj: KubeObject;
  hook: boolean;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

function matchKey(obj: KubeObject, namespace: string): string {
  const kind = String(obj.kind ?? '');
  const ns = CLUSTER_SCOPED_KINDS.has(kind) ? '' : String(obj.metadata?.namespace ?? namespace);
  return `${groupOf(String(obj.apiVersion ?? ''))}|${kind}|${ns}|${obj.metadata?.name ?? ''}`;
}

function index(manifest: string, namespace: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const doc of parseManifestStream(manifest)) {
    if (!doc.object?.kind) continue;
    out.set(matchKey(doc.object, namespace), { obj: doc.object, hook: isHook(doc.object) });
  }
  return out;
}

/**
 * Removes what is not a change: `null` fields (the API server treats them as
 * absent), empty maps/lists left by templates, and numbers written as strings
 * where helm's own YAML round trip would make them numbers. Key order is ignored
 * by sorting keys when serialising.
 */
export function normalizeObject(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeObject);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === null || v === undefined) continue;
      const n = normalizeObject(v);
      if (n && typeof n === 'object' && !Array.isArray(n) && Object.keys(n).length === 0) continue;
      out[k] = n;
    }
    return out;
  }
  return value;
}

/** Scalars equal as the cluster sees them: `"3"` and `3` are the same value. */
export function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // "3" vs 3: helm normalises some quoted numbers; not a change the cluster would see.
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) {
    return String(a) === String(b);
  }
  return false;
}

export function deepEqualNormalized(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqualNormalized(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqualNormalized((a as any)[k], (b as any)[k]));
  }
  return sameScalar(a, b);
}

/** Secret values replaced by markers; changed keys get distinct before/after markers so the diff shows them. */
function maskSecretPair(before: KubeObject | undefined, after: KubeObject | undefined): { before?: KubeObject; after?: KubeObject; changed: string[] } {
  const changed = new Set<string>();
  const mask = (obj: KubeObject | undefined, other: KubeObject | undefined, side: 'before' | 'after') => {
    if (!obj) return undefined;
    const out: KubeObject = { ...obj };
    for (const field of ['data', 'stringData'] as const) {
      const data = obj[field] as Record<string, unknown> | undefined;
      if (!data || typeof data !== 'object') continue;
      const otherData = (other?.[field] ?? {}) as Record<string, unknown>;
      out[field] = Object.fromEntries(
        Object.entries(data).map(([k, v]) => {
          const differs = !other || !(k in otherData) || !sameScalar(v, otherData[k]);
          if (differs && other) changed.add(`${field}.${k}`);
          return [k, differs && other && k in otherData ? `*** (${side})` : '***'];
        }),
      );
    }
    return out;
  };
  const maskedBefore = mask(before, after, 'before');
  const maskedAfter = mask(after, before, 'after');
  return { before: maskedBefore, after: maskedAfter, changed: [...changed].sort() };
}

function serialize(obj: KubeObject | undefined): string {
  return obj ? dump(obj, { sortKeys: true, lineWidth: -1, noRefs: true }) : '';
}

/**
 * Compares the deployed manifest with the candidate, resource by resource.
 * Both are helm output streams (`helm get manifest` / `helm template`).
 */
export function diffReleases(current: string, candidate: string, options: DiffOptions): ReleaseDiff {
  const before = index(current, options.namespace);
  const after = index(candidate, options.namespace);
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  const changes: ResourceChange[] = [];
  for (const key of keys) {
    const b = before.get(key);
    const a = after.get(key);
    const obj = (a ?? b)!.obj;
    const [group, kind, namespace, name] = key.split('|') as [string, string, string, string];
    const base = {
      resource: `${group ? `${group}/` : ''}${kind} ${namespace ? `${namespace}/` : ''}${name}`,
      apiVersion: String(obj.apiVersion),
      kind,
      namespace,
      name,
      hook: (a ?? b)!.hook,
    };
    const nb = b ? (normalizeObject(b.obj) as KubeObject) : undefined;
    const na = a ? (normalizeObject(a.obj) as KubeObject) : undefined;
    // The same object served under another API version is not a change in itself.
    const change: ChangeKind = !b ? 'added' : !a ? 'removed' : deepEqualNormalized({ ...nb, apiVersion: '' }, { ...na, apiVersion: '' }) ? 'unchanged' : 'changed';
    const entry: ResourceChange = { change, ...base };
    if (a && b && a.obj.apiVersion !== b.obj.apiVersion) entry.previousApiVersion = String(b.obj.apiVersion);
    if (change !== 'unchanged') {
      let left = nb;
      let right = na;
      if (kind === 'Secret' && !options.showSecrets) {
        const masked = maskSecretPair(nb, na);
        left = masked.before;
        right = masked.after;
        if (change === 'changed') entry.secretKeysChanged = masked.changed;
      }
      entry.diff = createTwoFilesPatch(`${base.resource} (deployed)`, `${base.resource} (candidate)`, serialize(left), serialize(right), '', '', {
        context: options.context ?? 3,
      })
        .split('\n')
        .slice(1) // the "=====" banner line carries nothing
        .join('\n');
    }
    changes.push(entry);
  }
  const order: Record<ChangeKind, number> = { removed: 0, changed: 1, added: 2, unchanged: 3 };
  const sortKey = (c: ResourceChange) => `${c.kind}/${c.namespace}/${c.name}`;
  changes.sort((x, y) => Number(x.hook) - Number(y.hook) || order[x.change] - order[y.change] || (sortKey(x) < sortKey(y) ? -1 : sortKey(x) > sortKey(y) ? 1 : 0));
  const counts: Record<ChangeKind, number> = { added: 0, removed: 0, changed: 0, unchanged: 0 };
  for (const c of changes) counts[c.change]++;
  return { changes, counts, hasChanges: counts.added + counts.removed + counts.changed > 0 };
}
