import { setTimeout as sleep } from 'node:timers/promises';
import { ChartctlError } from '../../core/errors.js';
import { emptyChartIndex, findEntry, listEntries, parseChartIndex, serializeChartIndex, withEntry, type ChartIndex, type IndexEntry } from '../../core/chart-index.js';
import { listedVersion, scanIndexText, spliceIndexEntry, type IndexTextScan } from '../../core/chart-index-text.js';
import { retryDelayMs } from '../../core/publish-plan.js';
import { sha256 } from '../../core/sha256.js';
import { isOciRepository, type Environment } from '../../core/environment.js';
import type { ChartRepository } from '../../adapters/chart-repository.js';
import type { Deps } from '../deps.js';

export const INDEX_NAME = 'index.yaml';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The S3 repository of an environment; commands that also serve oci:// environments branch before calling this. */
export function openRepository(deps: Deps, env: Environment): ChartRepository {
  if (isOciRepository(env.repository)) {
    throw new ChartctlError(`This command does not work on ${env.name}'s OCI repository (${env.repository.url}) yet; it needs an s3:// repository.`, {
      code: 'REPOSITORY_KIND_UNSUPPORTED',
      hint: 'publish, promote, repo list|verify, diff, deploy and status work on oci:// repositories.',
    });
  }
  return deps.repositories.open(env.repository, env.name);
}

export interface IndexSnapshot {
  /** undefined: the repository has no index.yaml yet. */
  index: ChartIndex | undefined;
  etag: string | undefined;
  /** The text it was parsed from (addIndexEntry can splice into it instead of writing the whole index again). */
  text?: string;
}

function indexLocation(repository: ChartRepository): string {
  return `s3://${repository.bucket}/${repository.keyOf(INDEX_NAME)}`;
}

/** Reads and parses index.yaml; a corrupt index throws INDEX_CORRUPT naming the key (nothing is ever written over it). */
export async function readIndex(repository: ChartRepository): Promise<IndexSnapshot> {
  const snapshot = await readIndexTolerant(repository);
  if (snapshot.corrupt) throw snapshot.corrupt;
  return snapshot;
}

/** Like readIndex, but a corrupt index comes back as `corrupt` with its ETag (for `repo reindex`, which replaces it). */
export async function readIndexTolerant(repository: ChartRepository): Promise<IndexSnapshot & { corrupt?: ChartctlError }> {
  const got = await repository.get(INDEX_NAME);
  if (got.kind !== 'found') return { index: undefined, etag: undefined };
  const text = decoder.decode(got.body);
  try {
    return { index: parseChartIndex(text, indexLocation(repository)), etag: got.etag, text };
  } catch (err) {
    if (err instanceof ChartctlError && err.code === 'INDEX_CORRUPT') return { index: undefined, etag: got.etag, corrupt: err };
    throw err;
  }
}

/**
 * Warns (and returns the warnings) about the entries of `index` that helm skips when it
 * loads it: chartctl skips them too. `outcome` says what becomes of them in this command.
 */
export function warnSkippedEntries(deps: Deps, repository: ChartRepository, index: ChartIndex | undefined, outcome: string): string[] {
  const warnings = (index?.skipped ?? []).map(
    (s) =>
      `${indexLocation(repository)}: skipping entry ${s.position + 1} of chart ${JSON.stringify(s.chart)}${s.version === undefined ? '' : ` (version ${JSON.stringify(s.version)})`}, as helm does: ${s.reason}; ${outcome}.`,
  );
  for (const warning of warnings) deps.reporter.warn(warning);
  return warnings;
}

/** What becomes of skipped entries when chartctl writes the index: publish and promote write them back. */
export const SKIPPED_KEPT = 'it is not listed, and stays in index.yaml when chartctl writes it';

/**
 * Refuses to publish where the endpoint ignores conditional writes, unless
 * the caller accepted the risk with --no-lock.
 */
export async function requireConditionalWrites(deps: Deps, repository: ChartRepository, env: Environment, noLock: boolean): Promise<void> {
  if (noLock) {
    deps.reporter.warn(`--no-lock: updating ${repository.url} without conditional writes; a concurrent publish to ${env.name} can be lost.`);
    return;
  }
  if (await deps.repositories.supportsConditionalWrites(repository)) return;
  throw new ChartctlError(
    `The S3 endpoint of ${env.name} (${repository.url}) accepts If-Match/If-None-Match but does not enforce them, so two concurrent publishes could silently drop each other's index entry.`,
    {
      code: 'CONDITIONAL_WRITES_UNSUPPORTED',
      hint: 'Use an endpoint that supports S3 conditional writes (AWS S3, recent MinIO, R2), or run publishes one at a time and pass --no-lock to accept the risk. The answer is cached per bucket for 7 days (delete ~/.cache/chartctl/s3-conditional-writes.json to probe again).',
    },
  );
}

export interface IndexUpdate {
  written: boolean;
  attempts: number;
}

export interface IndexUpdateOptions {
  lock: boolean;
  /** How long to keep retrying on 412/409 before giving up. */
  deadlineMs?: number;
  random?: () => number;
  /** Only `repo reindex`: treat a corrupt index as absent and replace it (still conditionally on its ETag). */
  replaceCorrupt?: boolean;
  /** An index the caller just read: the first cycle uses it instead of reading again (a 10,000-entry index costs ~0.3 s to parse). */
  initial?: IndexSnapshot & { corrupt?: ChartctlError };
}

/**
 * Read-modify-write of index.yaml under an optimistic lock: `change` gets the
 * current index (undefined if none) and returns the new one, or undefined when
 * nothing must change. The write carries If-Match on the ETag that was read
 * (If-None-Match: * when there was no index), and on 412/409 the whole cycle
 * runs again after a jittered backoff until the deadline.
 */
export async function updateIndex(
  deps: Deps,
  repository: ChartRepository,
  change: (current: ChartIndex | undefined) => ChartIndex | undefined | Promise<ChartIndex | undefined>,
  options: IndexUpdateOptions,
): Promise<IndexUpdate> {
  return writeIndexOptimistically(
    deps,
    repository,
    () => readIndexTolerant(repository),
    async (snapshot) => {
      if (snapshot.corrupt && !options.replaceCorrupt) throw snapshot.corrupt;
      const next = await change(snapshot.index);
      return next && { text: serializeChartIndex(next), expected: entriesOf(next, indexLocation(repository)) };
    },
    options,
  );
}

/**
 * index.yaml as addIndexEntry works on it: the text and, when it is in the
 * layout chartctl and helm write, where `chart`'s versions are in it (so one
 * entry is spliced in rather than 10,000 parsed and written again). Any other
 * text is parsed in full, which refuses a corrupt index.
 */
export interface ChartIndexSnapshot {
  chart: string;
  /** undefined: the repository has no index.yaml yet. */
  text: string | undefined;
  etag: string | undefined;
  scan: IndexTextScan | undefined;
  /** The full parse: always there when the scan declined, and when the caller had it already. */
  index: ChartIndex | undefined;
}

/** Reads index.yaml for adding an entry of `chart`; a corrupt index throws INDEX_CORRUPT like readIndex. */
export async function readChartIndex(repository: ChartRepository, chart: string): Promise<ChartIndexSnapshot> {
  const got = await repository.get(INDEX_NAME);
  if (got.kind !== 'found') return { chart, text: undefined, etag: undefined, scan: undefined, index: undefined };
  return chartIndexSnapshot(repository, chart, { text: decoder.decode(got.body), etag: got.etag, index: undefined });
}

/** The ChartIndexSnapshot of an index read with readIndex (its parse is reused if the text needs the full path). */
export function chartIndexSnapshot(repository: ChartRepository, chart: string, read: IndexSnapshot): ChartIndexSnapshot {
  const { text, etag } = read;
  const scan = text === undefined ? undefined : scanIndexText(text, chart);
  const index = scan || text === undefined ? read.index : (read.index ?? parseChartIndex(text, indexLocation(repository)));
  return { chart, text, etag, scan, index };
}

/** What the index lists for `version` of the snapshot's chart: planning needs only its digest. */
export function listedVersionOf(snapshot: ChartIndexSnapshot, version: string): Pick<IndexEntry, 'digest'> | undefined {
  if (snapshot.scan) return listedVersion(snapshot.scan, version);
  return snapshot.index && findEntry(snapshot.index, snapshot.chart, version);
}

export interface IndexEntryUpdate {
  written: boolean;
  attempts: number;
  /** The entry was spliced into the text (false: the index was parsed and written in full, or not written). */
  spliced: boolean;
}

/**
 * Adds `entry` (or replaces its version) in the same read-modify-write cycle as
 * updateIndex. `admit` gets what the current index lists for the version and
 * returns whether to write; it throws to refuse (immutable versions). Each
 * cycle splices into the text when scanIndexText and spliceIndexEntry accept
 * it, and otherwise takes the full parse → withEntry → serialize path, which
 * writes the same bytes.
 */
export async function addIndexEntry(
  deps: Deps,
  repository: ChartRepository,
  entry: IndexEntry,
  admit: (listed: Pick<IndexEntry, 'digest'> | undefined) => boolean,
  options: Omit<IndexUpdateOptions, 'initial' | 'replaceCorrupt'> & { initial?: ChartIndexSnapshot },
): Promise<IndexEntryUpdate> {
  let spliced = false;
  const expected = entryOf(entry, indexLocation(repository));
  const cycle = await writeIndexOptimistically(
    deps,
    repository,
    () => readChartIndex(repository, entry.name),
    (snapshot) => {
      if (!admit(listedVersionOf(snapshot, entry.version))) return undefined;
      const generated = deps.now();
      const text = snapshot.scan && spliceIndexEntry(snapshot.scan, entry, generated);
      spliced = text !== undefined;
      if (text !== undefined) return { text, expected };
      const current = snapshot.index ?? (snapshot.text === undefined ? emptyChartIndex(generated) : parseChartIndex(snapshot.text, indexLocation(repository)));
      return { text: serializeChartIndex(withEntry(current, entry, generated)), expected };
    },
    { ...options, initial: options.initial?.chart === entry.name ? options.initial : undefined },
  );
  if (cycle.written) deps.reporter.verbose(`index.yaml: ${spliced ? 'spliced the entry into the existing text' : 'parsed and rewrote the whole index'}`);
  return { written: cycle.written, attempts: cycle.attempts, spliced: cycle.written && spliced };
}

/** What an index write must leave in index.yaml, checked by reading it back. */
interface IndexExpectation {
  /** Each entry as `name version (digest d)`, for messages. */
  entries: string[];
  /** The entries of `entries` that `text` (undefined: no index.yaml) does not list with the same digest. */
  missingFrom(text: string | undefined): string[];
}

const describeEntry = (e: Pick<IndexEntry, 'name' | 'version' | 'digest'>) => `${e.name} ${e.version} (digest ${e.digest ?? 'none'})`;

/** One entry: found through the text scan when the index is in chartctl's layout, else by a full parse. */
function entryOf(entry: IndexEntry, location: string): IndexExpectation {
  const described = describeEntry(entry);
  return {
    entries: [described],
    missingFrom(text) {
      if (text === undefined) return [described];
      const scan = scanIndexText(text, entry.name);
      const listed = scan ? listedVersion(scan, entry.version) : findEntry(parseChartIndex(text, location), entry.name, entry.version);
      return listed?.digest === entry.digest ? [] : [described];
    },
  };
}

/** Every entry of an index written whole (`repo reindex`); entries others added meanwhile do not matter. */
function entriesOf(index: ChartIndex, location: string): IndexExpectation {
  const written = listEntries(index);
  return {
    entries: written.map(describeEntry),
    missingFrom(text) {
      const back = text === undefined ? undefined : parseChartIndex(text, location);
      return written.filter((e) => !back || findEntry(back, e.name, e.version)?.digest !== e.digest).map(describeEntry);
    },
  };
}

/** Reads index.yaml back after a write; an unchanged ETag (304, no body) means it still holds the bytes just written. */
async function missingAfterWrite(repository: ChartRepository, etag: string, expected: IndexExpectation): Promise<string[]> {
  const got = await repository.get(INDEX_NAME, etag ? { ifNoneMatch: etag } : {});
  if (got.kind === 'notModified') return [];
  return expected.missingFrom(got.kind === 'found' ? decoder.decode(got.body) : undefined);
}

/** Index writes that landed but were gone when read back, before the update fails loudly. */
const MAX_LOST_WRITES = 3;

/**
 * The optimistic lock itself: `change` turns a snapshot into the new text and what it must leave
 * in the index (undefined: nothing to write), which is written with If-Match on the snapshot's
 * ETag (If-None-Match: * when there was none); on 412/409 the cycle runs again from a fresh read
 * after a jittered backoff, until the deadline.
 *
 * The lock is only as good as the endpoint's enforcement, and the probe answer behind
 * requireConditionalWrites may come from a disk cache days old. So before the first write the
 * endpoint is asked again (unless this process just probed it), and after every write the index
 * is read back: a write that is not there (another writer replaced it without this entry) runs
 * the cycle again after probing once more, and after MAX_LOST_WRITES fails loudly. An update is
 * only reported written when the read-back listed it.
 */
async function writeIndexOptimistically<S extends { etag: string | undefined }>(
  deps: Deps,
  repository: ChartRepository,
  read: () => Promise<S>,
  change: (snapshot: S) => { text: string; expected: IndexExpectation } | undefined | Promise<{ text: string; expected: IndexExpectation } | undefined>,
  options: { lock: boolean; deadlineMs?: number; random?: () => number; initial?: S },
): Promise<IndexUpdate> {
  const deadline = Date.now() + (options.deadlineMs ?? 120_000);
  const random = options.random ?? Math.random;
  let initial = options.initial;
  let confirmed = !options.lock;
  let lost = 0;
  for (let attempt = 1; ; attempt++) {
    deps.signal.throwIfAborted();
    const snapshot = initial ?? (await read());
    initial = undefined; // a retry must read again, and the old text need not stay in memory
    const next = await change(snapshot);
    if (next === undefined) return { written: false, attempts: attempt };
    if (!confirmed) {
      if (!(await deps.repositories.confirmConditionalWrites(repository))) throw conditionsNotEnforced(repository, next.expected, 'before');
      confirmed = true;
    }
    const conditions = !options.lock ? {} : snapshot.etag ? { ifMatch: snapshot.etag } : { ifNoneMatch: '*' as const };
    const result = await repository.put(INDEX_NAME, encoder.encode(next.text), { ...conditions, contentType: 'application/x-yaml' });
    if (result.kind === 'written') {
      const missing = await missingAfterWrite(repository, result.etag, next.expected);
      if (missing.length === 0) return { written: true, attempts: attempt };
      lost++;
      deps.reporter.warn(`${indexLocation(repository)} was written but read back without ${missing.join(', ')} (another writer replaced it); writing it again`);
      if (options.lock && !(await deps.repositories.confirmConditionalWrites(repository, { again: true }))) throw conditionsNotEnforced(repository, next.expected, 'after');
      if (lost >= MAX_LOST_WRITES) throw entriesLost(repository, missing, lost, options.lock);
    } else if (Date.now() >= deadline) {
      throw new ChartctlError(`Gave up updating ${indexLocation(repository)} after ${attempt} attempts: other writers kept changing it.`, {
        code: 'INDEX_CONTENDED',
        hint: 'Nothing was lost: the tarball is uploaded and the index is consistent. Run the same command again to add the entry.',
      });
    }
    const delay = retryDelayMs(attempt, random());
    deps.reporter.verbose(`index.yaml changed while updating it (attempt ${attempt}); retrying in ${delay} ms`);
    await sleep(delay, undefined, { signal: deps.signal }).catch(() => deps.signal.throwIfAborted());
  }
}

function someOf(entries: string[]): string {
  return entries.length <= 3 ? entries.join(', ') : `${entries.slice(0, 3).join(', ')} and ${entries.length - 3} more`;
}

/** The endpoint, asked live, does not enforce If-Match/If-None-Match although the cached answer said it did. */
function conditionsNotEnforced(repository: ChartRepository, expected: IndexExpectation, when: 'before' | 'after'): ChartctlError {
  const done = when === 'before' ? 'index.yaml was not changed' : 'what index.yaml lists now may not last';
  return new ChartctlError(
    `Did not add ${someOf(expected.entries)} to ${indexLocation(repository)} (environment ${repository.environment}): the endpoint accepts If-Match/If-None-Match but does not honour conditional writes (any more), so concurrent updates of the index would silently drop each other's entries; ${done}.`,
    {
      code: 'CONDITIONAL_WRITES_UNSUPPORTED',
      hint: `The cached probe answer was replaced, so the next run refuses before uploading anything. Objects this run uploaded stay and are harmless. Use an endpoint that enforces conditional writes, or stop other writers of ${repository.environment} and run the same command again with --no-lock.`,
    },
  );
}

/** Written MAX_LOST_WRITES times, and every time the read-back no longer listed the entries. */
function entriesLost(repository: ChartRepository, missing: string[], writes: number, lock: boolean): ChartctlError {
  return new ChartctlError(
    `Wrote ${indexLocation(repository)} (environment ${repository.environment}) ${writes} times and each time it was read back without ${someOf(missing)}: another writer keeps replacing the index without ${missing.length === 1 ? 'this entry' : 'these entries'}${lock ? ', so the endpoint does not honour conditional writes for it' : ' (--no-lock: this run wrote without conditions)'}.`,
    {
      code: 'INDEX_ENTRY_LOST',
      hint: `Not done: do not rely on the index listing ${missing.length === 1 ? 'it' : 'them'}. Stop the other writers of ${repository.environment} (jobs using --no-lock, tools other than chartctl), then run the same command again; "chartctl repo list ${repository.environment}" shows what the index lists.`,
    },
  );
}

/** sha256 and ETag of the object stored under `name`, or undefined if there is none. */
export async function storedObject(repository: ChartRepository, name: string): Promise<{ digest: string; etag: string } | undefined> {
  const got = await repository.get(name);
  return got.kind === 'found' ? { digest: sha256(got.body), etag: got.etag } : undefined;
}

/** sha256 of the object stored under `name`, or undefined if there is none. */
export async function storedDigest(repository: ChartRepository, name: string): Promise<string | undefined> {
  return (await storedObject(repository, name))?.digest;
}
