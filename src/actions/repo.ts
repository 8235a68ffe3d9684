import { ChartctlError, isChartctlError } from '../core/errors.js';
import {
  chartIndexEntry,
  listEntries,
  OBJECT_ETAG_ANNOTATION,
  provenanceFromMetadata,
  provenanceOf,
  REPOSITORY_PROVENANCE_KEYS,
  sortedIndex,
  type ChartIndex,
  type IndexEntry,
} from '../core/chart-index.js';
import { archiveMetadata } from '../core/chart-archive.js';
import { identityMismatch, identityOfObjectName, objectNameMismatch, type ChartIdentity } from '../core/chart-identity.js';
import { entryObject, resolveIndexUrl } from '../core/index-url.js';
import { archiveLimitsFrom, assertCompressedSize } from '../core/archive-limits.js';
import type { Deps } from './deps.js';
import { isOciRepository } from '../core/environment.js';
import { reindexNotApplicable, repoListOci, repoVerifyOci } from './repo-oci.js';
import type { ChartRepository } from '../adapters/chart-repository.js';
import {
  INDEX_NAME,
  openRepository,
  readIndex,
  readIndexTolerant,
  requireConditionalWrites,
  SKIPPED_KEPT,
  updateIndex,
  warnSkippedEntries,
} from './steps/repository-index.js';
import { mapLimit } from '../core/map-limit.js';
import { sha256 } from '../core/sha256.js';

/**
 * Tarballs that refuse the whole rebuild instead of being skipped: a bomb or
 * a traversing archive in a repository is an attack to stop at, not a
 * damaged upload to leave out.
 */
const HOSTILE_ARCHIVE_CODES = new Set(['CHART_TOO_LARGE', 'ARCHIVE_UNSAFE']);

/** Parallel object reads for verify/reindex: enough to hide latency, few enough for a small endpoint. */
const READ_CONCURRENCY = 16;

/**
 * The tarballs `helm repo index` indexes: the `.tgz` files at the top of the
 * repository and one sub-folder down (its globs are `*.tgz` and `**` + `/*.tgz`,
 * and Go's filepath.Glob reads `**` as `*`).
 */
function isIndexableTarball(name: string): boolean {
  return name.endsWith('.tgz') && name.split('/').length <= 2;
}

/**
 * The url reindex lists for an object: its name relative to the repository, as
 * `helm repo index` writes it, percent-encoded only when the bare name would
 * not resolve back to the object (`%`, `#`, `?`, spaces...).
 */
function indexUrlOf(name: string, repository: ChartRepository): string {
  const bare = resolveIndexUrl(name, repository);
  return bare.kind === 'inside' && bare.name === name ? name : name.split('/').map(encodeURIComponent).join('/');
}

/** The file name of an object name (`sub/x-1.0.0.tgz` → `x-1.0.0.tgz`). */
function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

export interface RepoEntry {
  chart: string;
  version: string;
  appVersion?: string;
  digest?: string;
  created?: string;
  url?: string;
  /** chartctl.io/* annotations: git-commit, git-dirty, published-by, promoted-from, source-digest, promoted-at, promoted-by. */
  provenance: Record<string, string>;
}

export interface RepoListResult {
  env: string;
  repository: string;
  /** false when the repository has no index.yaml yet. */
  indexPresent: boolean;
  generated?: string;
  entries: RepoEntry[];
  /** Entries helm skips when it loads the index (and so does chartctl), one message each. */
  warnings: string[];
}

function toRepoEntry(e: IndexEntry): RepoEntry {
  return {
    chart: e.name,
    version: e.version,
    appVersion: e.appVersion as string | undefined,
    digest: e.digest,
    created: e.created,
    url: e.urls?.[0],
    provenance: provenanceOf(e),
  };
}

export async function repoList(deps: Deps, options: { env: string; chart?: string }): Promise<RepoListResult> {
  const env = await deps.repo.loadEnvironment(options.env);
  if (isOciRepository(env.repository)) return repoListOci(deps, { ...env, repository: env.repository }, options);
  const repository = openRepository(deps, env);
  const { index } = await readIndex(repository);
  const warnings = warnSkippedEntries(deps, repository, index, SKIPPED_KEPT);
  const entries = index ? listEntries(index).filter((e) => !options.chart || e.name === options.chart) : [];
  return { env: env.name, repository: repository.url, indexPresent: Boolean(index), generated: index?.generated, entries: entries.map(toRepoEntry), warnings };
}

export type VerifyProblem =
  | { kind: 'indexCorrupt'; key: string; message: string }
  | { kind: 'missingTarball'; chart: string; version: string; key: string }
  | { kind: 'digestMismatch'; chart: string; version: string; key: string; listed: string; actual: string }
  | { kind: 'noDigest'; chart: string; version: string }
  /** The entry's url resolves outside the repository prefix (or does not resolve): nothing was read for it. */
  | { kind: 'urlOutsideRepository'; chart: string; version: string; url: string; reason: string }
  /** The tarball is not a readable chart. */
  | { kind: 'invalidChart'; chart: string; version: string; key: string; message: string }
  /** The tarball's own Chart.yaml names another chart or version than its entry. */
  | { kind: 'identityMismatch'; chart: string; version: string; key: string; actual: ChartIdentity };

export interface RepoVerifyResult {
  env: string;
  repository: string;
  ok: boolean;
  checked: number;
  problems: VerifyProblem[];
  /** Tarballs no index entry points to (left by an interrupted publish): reported, not a failure. */
  orphans: string[];
  /** Entries helm skips when it loads the index: not checked, reported, not a failure (helm uses the rest). */
  warnings: string[];
}

/** Every index entry must point to an object inside the repository with the listed sha256, whose Chart.yaml names the entry's chart and version. */
export async function repoVerify(deps: Deps, options: { env: string }): Promise<RepoVerifyResult> {
  const env = await deps.repo.loadEnvironment(options.env);
  if (isOciRepository(env.repository)) return repoVerifyOci(deps, { ...env, repository: env.repository });
  const repository = openRepository(deps, env);
  const limits = archiveLimitsFrom(deps.env);
  const base = { env: env.name, repository: repository.url };
  let index: ChartIndex | undefined;
  try {
    index = (await readIndex(repository)).index;
  } catch (err) {
    if (isChartctlError(err) && err.code === 'INDEX_CORRUPT') {
      return { ...base, ok: false, checked: 0, problems: [{ kind: 'indexCorrupt', key: repository.keyOf(INDEX_NAME), message: err.message }], orphans: [], warnings: [] };
    }
    throw err;
  }
  const warnings = warnSkippedEntries(deps, repository, index, 'it is not checked');
  const objects = await repository.list();
  const present = new Set(objects.map((o) => o.name));
  const sizes = new Map(objects.map((o) => [o.name, o.size]));
  const entries = index ? listEntries(index) : [];
  const referenced = new Set<string>();
  deps.reporter.progress(`Verifying ${entries.length} entries of ${repository.url} (${env.name})`);
  const problems = (
    await mapLimit(entries, READ_CONCURRENCY, async (e): Promise<VerifyProblem | undefined> => {
      const object = entryObject(e, repository);
      const entry = { chart: e.name, version: e.version };
      if (object.kind === 'outside') return { kind: 'urlOutsideRepository', ...entry, url: object.url, reason: object.reason };
      const name = object.kind === 'object' ? object.name : undefined;
      if (name) referenced.add(name);
      if (!e.digest || !name) return { kind: 'noDigest', ...entry };
      const key = repository.keyOf(name);
      if (!present.has(name)) return { kind: 'missingTarball', ...entry, key };
      const size = sizes.get(name) ?? 0;
      try {
        assertCompressedSize(size, key, limits);
      } catch (err) {
        if (!isChartctlError(err)) throw err;
        return { kind: 'invalidChart', ...entry, key, message: err.message };
      }
      const got = await repository.get(name);
      if (got.kind !== 'found') return { kind: 'missingTarball', ...entry, key };
      const actual = sha256(got.body);
      if (actual !== e.digest) return { kind: 'digestMismatch', ...entry, key, listed: e.digest, actual };
      let metadata;
      try {
        metadata = archiveMetadata(got.body, key, limits);
      } catch (err) {
        if (!isChartctlError(err)) throw err;
        return { kind: 'invalidChart', ...entry, key, message: err.message };
      }
      const identity = identityMismatch({ name: e.name, version: e.version }, metadata);
      return identity ? { kind: 'identityMismatch', ...entry, key, actual: identity } : undefined;
    })
  ).filter((p): p is VerifyProblem => p !== undefined);
  const orphans = objects.filter((o) => isIndexableTarball(o.name) && !referenced.has(o.name)).map((o) => repository.keyOf(o.name));
  return { ...base, ok: problems.length === 0, checked: entries.length, problems, orphans, warnings };
}

export interface RepoReindexResult {
  env: string;
  repository: string;
  entries: number;
  /** What the rebuilt index lists, charts by name and versions newest first (what `helm repo index` would list). */
  listed: { chart: string; version: string; url: string }[];
  /** Entries whose provenance came from the previous index or the objects' metadata. */
  provenanceKept: number;
  /** Tarballs that are not readable charts, left out of the index. */
  skipped: { key: string; reason: string }[];
  /** Entries of the old index dropped because their tarball is gone. */
  dropped: string[];
  /** Objects not downloaded again: their ETag equals the one recorded when chartctl last hashed them (0 with --full). */
  reused: number;
  /** Entries of the old index helm skips when it loads it: not carried over (the index is rebuilt from the tarballs). */
  warnings: string[];
  written: boolean;
  dryRun: boolean;
}

/** Rebuilds index.yaml from the tarballs under the prefix. */
export async function repoReindex(deps: Deps, options: { env: string; dryRun?: boolean; noLock?: boolean; deadlineMs?: number; full?: boolean }): Promise<RepoReindexResult> {
  const env = await deps.repo.loadEnvironment(options.env);
  if (isOciRepository(env.repository)) throw reindexNotApplicable({ ...env, repository: env.repository });
  const repository = openRepository(deps, env);
  const snapshot = await readIndexTolerant(repository);
  const previous: ChartIndex | undefined = snapshot.index;
  if (snapshot.corrupt) deps.reporter.warn(`${snapshot.corrupt.message.split('\n')[0]} Rebuilding it; provenance comes from the tarballs' object metadata.`);
  const warnings = warnSkippedEntries(deps, repository, previous, 'the index is rebuilt from the tarballs, so it is not carried over');
  const previousByDigest = new Map<string, IndexEntry>();
  const previousByObject = new Map<string, IndexEntry>();
  for (const e of previous ? listEntries(previous) : []) {
    if (!e.digest) continue;
    previousByDigest.set(`${e.name}@${e.version}@${e.digest}`, e);
    const object = entryObject(e, repository);
    if (object.kind === 'object') previousByObject.set(object.name, e);
  }

  const limits = archiveLimitsFrom(deps.env);
  const tarballs = (await repository.list()).filter((o) => isIndexableTarball(o.name));
  deps.reporter.progress(`Reading ${tarballs.length} tarballs from ${repository.url} (${env.name})`);
  const skipped: { key: string; reason: string }[] = [];
  let provenanceKept = 0;
  let reused = 0;
  const built = await mapLimit(tarballs, READ_CONCURRENCY, async (o): Promise<IndexEntry | undefined> => {
    const known = options.full ? undefined : previousByObject.get(o.name);
    if (known && sameEtag(known.annotations?.[OBJECT_ETAG_ANNOTATION], o.etag)) {
      // Same bytes as when chartctl hashed them (the ETag changes with the content): no need to download.
      reused++;
      if (Object.keys(pickRepositoryProvenance(known)).length > 0) provenanceKept++;
      return known;
    }
    const where = `s3://${repository.bucket}/${repository.keyOf(o.name)}`;
    assertCompressedSize(o.size, where, limits);
    const got = await repository.get(o.name);
    if (got.kind !== 'found') return undefined;
    assertCompressedSize(got.body.length, where, limits);
    const digest = sha256(got.body);
    let metadata;
    try {
      metadata = archiveMetadata(got.body, where, limits);
    } catch (err) {
      if (isChartctlError(err) && HOSTILE_ARCHIVE_CODES.has(err.code)) throw err;
      skipped.push({ key: repository.keyOf(o.name), reason: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
    const claimed = identityOfObjectName(baseName(o.name));
    const actual = claimed && identityMismatch(claimed, metadata);
    if (claimed && actual) throw objectNameMismatch({ env: env.name, key: where }, claimed, actual);
    const old = previousByDigest.get(`${metadata.name}@${metadata.version}@${digest}`);
    const kept = old ? pickRepositoryProvenance(old) : provenanceFromMetadata(got.metadata);
    if (Object.keys(kept).length > 0) provenanceKept++;
    return chartIndexEntry(metadata, {
      digest,
      created: old?.created ?? (o.lastModified ?? deps.now()).toISOString(),
      url: indexUrlOf(o.name, repository),
      annotations: { ...kept, [OBJECT_ETAG_ANNOTATION]: got.etag },
    });
  });
  const entries = built.filter((e): e is IndexEntry => e !== undefined);
  refuseDuplicateVersions(entries, env.name, repository);
  const next = sortedIndex(entries, deps.now(), previous?.extra ?? {});
  const kept = new Set(entries.map((e) => `${e.name}@${e.version}`));
  const dropped = previous ? listEntries(previous).filter((e) => !kept.has(`${e.name}@${e.version}`)).map((e) => `${e.name} ${e.version}`) : [];
  const listed = listEntries(next).map((e) => ({ chart: e.name, version: e.version, url: e.urls![0]! }));
  const result = { env: env.name, repository: repository.url, entries: entries.length, listed, provenanceKept, reused, skipped, dropped, warnings, dryRun: Boolean(options.dryRun) };
  if (options.dryRun) return { ...result, written: false };
  await requireConditionalWrites(deps, repository, env, Boolean(options.noLock));
  const droppedSet = new Set(dropped);
  // If-Match on whatever is there now (even a corrupt index), so a publish that lands meanwhile is merged, not lost.
  const update = await updateIndex(
    deps,
    repository,
    async (current) => {
      const missing = current ? listEntries(current).filter((e) => !next.entries[e.name]?.some((m) => m.version === e.version)) : [];
      const landed: IndexEntry[] = [];
      for (const e of missing) {
        const object = entryObject(e, repository);
        // Entries of the old index whose tarball is gone are dropped; ones published during the rebuild are kept
        // (only when their url is an object of this repository: reindex never adopts an entry pointing elsewhere).
        if (object.kind === 'object' && !droppedSet.has(`${e.name} ${e.version}`) && (await repository.head(object.name))) landed.push(e);
      }
      const rebuilt = landed.length ? sortedIndex([...entries, ...landed], deps.now(), next.extra) : next;
      // Only `generated` would change: leave the index (and its ETag, which caches and CDNs key on) alone.
      return current && listsSameEntries(current, rebuilt) ? undefined : rebuilt;
    },
    { lock: !options.noLock, replaceCorrupt: true, deadlineMs: options.deadlineMs, initial: snapshot },
  );
  return { ...result, written: update.written };
}

/** Two objects holding one chart version: an index can list only one, and which is genuine is for a person to decide. */
function refuseDuplicateVersions(entries: IndexEntry[], env: string, repository: ChartRepository): void {
  const seen = new Map<string, IndexEntry>();
  for (const e of entries) {
    const id = `${e.name}@${e.version}`;
    const first = seen.get(id);
    if (!first) {
      seen.set(id, e);
      continue;
    }
    const keys = [first, e].map((x) => `s3://${repository.bucket}/${repository.keyOf(x.urls![0]!)}`);
    throw new ChartctlError(`Refusing to rebuild the ${env} index: ${keys[0]} and ${keys[1]} both hold ${e.name} ${e.version}. Nothing was written.`, {
      code: 'INDEX_DUPLICATE_VERSION',
      hint: `Keep the genuine one (compare with "chartctl repo verify" in the environments it was promoted to), delete the other, then run "chartctl repo reindex ${env}" again.`,
    });
  }
}

/** Whether `rebuilt` lists the very entry objects of `current`, in the same order (true only when every object was reused). */
function listsSameEntries(current: ChartIndex, rebuilt: ChartIndex): boolean {
  if (current.skipped?.length) return false;
  const names = Object.keys(current.entries);
  if (names.length !== Object.keys(rebuilt.entries).length) return false;
  return names.every((name) => {
    const was = current.entries[name]!;
    const now = rebuilt.entries[name];
    return now !== undefined && was.length === now.length && was.every((e, i) => e === now[i]);
  });
}

function pickRepositoryProvenance(entry: IndexEntry): Record<string, string> {
  return Object.fromEntries(Object.entries(entry.annotations ?? {}).filter(([k]) => REPOSITORY_PROVENANCE_KEYS.includes(k)));
}

function sameEtag(recorded: string | undefined, listed: string): boolean {
  const bare = (t: string) => t.replace(/^W\//, '').replace(/"/g, '');
  return recorded !== undefined && listed !== '' && bare(recorded) === bare(listed);
}
