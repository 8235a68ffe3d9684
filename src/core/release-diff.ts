import { createTwoFilesPatch } from 'diff';
import { dump } from 'js-yaml';
import { CLUSTER_SCOPED_KINDS, isHook, type KubeObject } from './manifests.js';
import { decodeSecret, dropSuppressedLines, keepInDiff, stripTrailingCR } from './release-diff-filters.js';
import { deepEqualNormalized, normalizeObject, sameScalar } from './release-diff-equality.js';
import { parseReleaseObjects } from './release-diff-parse.js';
import { helmDiffLines, changedFraction } from './release-diff-lines.js';
import { objectChanges, type PathChange } from './object-changes.js';
import { loadYamlDocument } from './yaml-limits.js';

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
  /** With findRenames: the resource (`group/Kind namespace/name`) this one replaces under another name. */
  renamedFrom?: string;
  /**
   * Why no diff is shown: `kind` (its kind is in suppressKinds: content hidden whole),
   * `lines` (every changed line matched suppressLines).
   */
  suppressed?: 'kind' | 'lines';
  /** With helmDiffLines: the change as helm-diff prints it (`+ `/`- `/`  ` lines, `...` for omitted context). */
  helmDiffLines?: string[];
  /** With pathChanges: the change path by path, as dyff reports it (helm-diff's --output dyff). */
  pathChanges?: PathChange[];
}

export interface ReleaseDiff {
  changes: ResourceChange[];
  counts: Record<ChangeKind, number>;
  hasChanges: boolean;
}

export interface DiffOptions {
  namespace: string;
  /** Lines of context around each change (default 3); -1 shows whole objects, as helm-diff's default. */
  context?: number;
  showSecrets?: boolean;
  /** With showSecrets: Secret `data` base64-decoded (helm-diff's --show-secrets-decoded). */
  showSecretsDecoded?: boolean;
  /** Kinds reported as changed without any content (helm-diff's --suppress; Secret for --suppress-secrets). */
  suppressKinds?: string[];
  /** Serialised lines matching any of these are left out of both sides (helm-diff's --suppress-output-line-regex). */
  suppressLines?: RegExp[];
  /**
   * Rename detection (helm-diff's --find-renames): a removed and an added resource of the same
   * kind are one renamed resource when changed lines / all lines of their diff is below this (0 = off).
   */
  findRenames?: number;
  /** CR before line ends in string values is not a change (helm-diff's --strip-trailing-cr). */
  stripTrailingCR?: boolean;
  /** Hooks other than tests take part (default true; helm-diff's --no-hooks sets false, dropping tests too). */
  hooks?: boolean;
  /**
   * `helm test` hooks take part (default true, so deploy and rollback weigh every change; `chartctl diff`
   * passes false unless --include-tests, as helm-diff). Hooks, tests included, are matched by template
   * source when their names differ, so a name made up on every render is not a change.
   */
  tests?: boolean;
  /** Also fill helmDiffLines (for the helm-diff style views). */
  helmDiffLines?: boolean;
  /** Also fill pathChanges (for the dyff view). */
  pathChanges?: boolean;
}

/** What jsdiff takes for "the whole object": more context than any manifest has lines. */
const WHOLE_OBJECT = Number.MAX_SAFE_INTEGER;

interface Entry {
  obj: KubeObject;
  hook: boolean;
  /** Template that rendered it (helm's `# Source:` comment). */
  source?: string;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

function matchKey(obj: KubeObject, namespace: string): string {
  const kind = String(obj.kind ?? '');
  const ns = CLUSTER_SCOPED_KINDS.has(kind) ? '' : String(obj.metadata?.namespace ?? namespace);
  return `${groupOf(String(obj.apiVersion ?? ''))}|${kind}|${ns}|${obj.metadata?.name ?? ''}`;
}

function index(manifest: string, options: DiffOptions): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const { obj: parsed, source } of parseReleaseObjects(manifest)) {
    const hook = isHook(parsed);
    if (!keepInDiff(parsed, hook, options)) continue;
    const obj = options.stripTrailingCR ? (stripTrailingCR(parsed) as KubeObject) : parsed;
    out.set(matchKey(obj, options.namespace), { obj, hook, source });
  }
  return out;
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

/** The two sides as the report shows them: Secrets masked (or decoded), suppressed lines dropped. */
function shownSides(kind: string, nb: KubeObject | undefined, na: KubeObject | undefined, options: DiffOptions) {
  let left = nb;
  let right = na;
  let secretKeysChanged: string[] | undefined;
  if (kind === 'Secret' && !options.showSecrets) {
    const masked = maskSecretPair(nb, na);
    left = masked.before;
    right = masked.after;
    secretKeysChanged = masked.changed;
  } else if (kind === 'Secret' && options.showSecretsDecoded) {
    left = left && decodeSecret(left);
    right = right && decodeSecret(right);
  }
  const patterns = options.suppressLines ?? [];
  return { left, right, before: dropSuppressedLines(serialize(left), patterns), after: dropSuppressedLines(serialize(right), patterns), secretKeysChanged };
}

/**
 * dyff's view of one change. As helm-diff hands dyff the lines left after
 * --suppress-output-line-regex, the shown (filtered) YAML is compared when lines were dropped.
 */
function pathChangesOf(change: ChangeKind, sides: ReturnType<typeof shownSides>, filtered: boolean): PathChange[] {
  const parse = (text: string, obj: KubeObject | undefined) => {
    if (!filtered) return obj;
    try {
      return loadYamlDocument(text) as KubeObject;
    } catch {
      return obj; // dropping lines can leave YAML that does not parse; the whole object is then shown
    }
  };
  const left = parse(sides.before, sides.left);
  const right = parse(sides.after, sides.right);
  if (change === 'added') return [{ path: [], change: 'documentAdded', document: right }];
  if (change === 'removed') return [{ path: [], change: 'documentRemoved', document: left }];
  return objectChanges(left, right);
}

/**
 * Hooks whose name differs on each side but whose template is the same: one hook under a
 * name its template makes up on every render (`randAlphaNum`, as podinfo's test pods), paired
 * in name order within each kind and template. Added key -> removed key.
 */
function pairHooksBySource(before: Map<string, Entry>, after: Map<string, Entry>): Map<string, string> {
  const unmatched = (from: Map<string, Entry>, other: Map<string, Entry>) => {
    const groups = new Map<string, string[]>();
    for (const [key, e] of [...from].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!e.hook || !e.source || other.has(key)) continue;
      const group = `${e.obj.kind}|${e.source}`;
      groups.set(group, [...(groups.get(group) ?? []), key]);
    }
    return groups;
  };
  const removed = unmatched(before, after);
  const pairs = new Map<string, string>();
  for (const [group, addedKeys] of unmatched(after, before)) {
    const removedKeys = removed.get(group) ?? [];
    addedKeys.slice(0, removedKeys.length).forEach((k, i) => pairs.set(k, removedKeys[i]!));
  }
  return pairs;
}

/** A hook compared without the name its template made up. */
function withoutName(obj: KubeObject | undefined): KubeObject | undefined {
  return obj && { ...obj, apiVersion: '', metadata: { ...obj.metadata, name: '' } };
}

/** Pairs removed and added resources of one kind whose content is close enough (helm-diff's --find-renames). */
function findRenames(before: Map<string, Entry>, after: Map<string, Entry>, options: DiffOptions, paired: Map<string, string>): Map<string, string> {
  const renames = new Map<string, string>(paired); // added key -> removed key
  const threshold = options.findRenames ?? 0;
  if (threshold <= 0) return renames;
  const pairedAway = new Set(paired.values());
  const added = [...after.keys()].filter((k) => !before.has(k) && !paired.has(k)).sort();
  for (const removedKey of [...before.keys()].filter((k) => !after.has(k) && !pairedAway.has(k)).sort()) {
    const old = before.get(removedKey)!;
    const kind = String(old.obj.kind);
    let best: { key: string; fraction: number } | undefined;
    for (const addedKey of added) {
      const candidate = after.get(addedKey)!;
      if (String(candidate.obj.kind) !== kind || renames.has(addedKey)) continue;
      const sides = shownSides(kind, normalizeObject(old.obj) as KubeObject, normalizeObject(candidate.obj) as KubeObject, options);
      // helm-diff skips pairs whose sizes differ tenfold (except Secrets, whose shown size says little).
      const ratio = sides.before.length / Math.max(1, sides.after.length);
      if (kind !== 'Secret' && (ratio < 0.1 || ratio > 10)) continue;
      const fraction = changedFraction(sides.before, sides.after);
      if (fraction > 0 && (!best || fraction < best.fraction)) best = { key: addedKey, fraction };
    }
    if (best && best.fraction < threshold) renames.set(best.key, removedKey);
  }
  return renames;
}

function describe(key: string, entry: Entry) {
  const [group, kind, namespace, name] = key.split('|') as [string, string, string, string];
  return {
    resource: `${group ? `${group}/` : ''}${kind} ${namespace ? `${namespace}/` : ''}${name}`,
    apiVersion: String(entry.obj.apiVersion),
    kind,
    namespace,
    name,
    hook: entry.hook,
  };
}

/**
 * Compares the deployed manifest with the candidate, resource by resource.
 * Both are helm output streams (`helm get manifest` / `helm template`).
 */
export function diffReleases(current: string, candidate: string, options: DiffOptions): ReleaseDiff {
  const before = index(current, options);
  const after = index(candidate, options);
  const bySource = pairHooksBySource(before, after);
  const renames = findRenames(before, after, options, bySource);
  const renamedAway = new Set(renames.values());
  const keys = [...new Set([...before.keys(), ...after.keys()])].filter((k) => !renamedAway.has(k) || after.has(k));
  const suppressedKinds = new Set(options.suppressKinds ?? []);
  const context = options.context === undefined ? 3 : options.context < 0 ? WHOLE_OBJECT : options.context;
  const changes: ResourceChange[] = [];
  for (const key of keys) {
    const renamedFrom = renames.get(key);
    const b = renamedFrom ? before.get(renamedFrom) : before.get(key);
    const a = after.get(key);
    const base = describe(key, (a ?? b)!);
    const nb = b ? (normalizeObject(b.obj) as KubeObject) : undefined;
    const na = a ? (normalizeObject(a.obj) as KubeObject) : undefined;
    // The same object served under another API version is not a change in itself.
    const sameContent = bySource.has(key) ? deepEqualNormalized(withoutName(nb), withoutName(na)) : !renamedFrom && deepEqualNormalized({ ...nb, apiVersion: '' }, { ...na, apiVersion: '' });
    const change: ChangeKind = !b ? 'added' : !a ? 'removed' : sameContent ? 'unchanged' : 'changed';
    const entry: ResourceChange = { change, ...base };
    if (renamedFrom) entry.renamedFrom = describe(renamedFrom, b!).resource;
    if (a && b && a.obj.apiVersion !== b.obj.apiVersion) entry.previousApiVersion = String(b.obj.apiVersion);
    if (change !== 'unchanged' && suppressedKinds.has(base.kind)) entry.suppressed = 'kind';
    else if (change !== 'unchanged') {
      const sides = shownSides(base.kind, nb, na, options);
      if (change === 'changed' && sides.secretKeysChanged) entry.secretKeysChanged = sides.secretKeysChanged;
      if (change === 'changed' && sides.before === sides.after) entry.suppressed = 'lines';
      else {
        const from = renamedFrom ? describe(renamedFrom, b!).resource : base.resource;
        entry.diff = createTwoFilesPatch(`${from} (deployed)`, `${base.resource} (candidate)`, sides.before, sides.after, '', '', { context })
          .split('\n')
          .slice(1) // the "=====" banner line carries nothing
          .join('\n');
        if (options.helmDiffLines) entry.helmDiffLines = helmDiffLines(sides.before, sides.after, options.context ?? 3);
        if (options.pathChanges) entry.pathChanges = pathChangesOf(change, sides, (options.suppressLines ?? []).length > 0);
      }
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
