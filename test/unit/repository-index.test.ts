import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryChartRepositories, MemoryChartRepository, MemoryObjectStore } from '../../src/adapters/memory-chart-repository.js';
import { probeConditionalWrites } from '../../src/adapters/conditional-write-probe.js';
import { chartIndexEntry, emptyChartIndex, parseChartIndex, serializeChartIndex, withEntry } from '../../src/core/chart-index.js';
import { isChartctlError } from '../../src/core/errors.js';
import { addIndexEntry, readChartIndex, readIndex, requireConditionalWrites, updateIndex } from '../../src/actions/steps/repository-index.js';
import type { Deps } from '../../src/actions/deps.js';
import { fakeDeps } from '../support/fake-deps.js';
import type { Environment } from '../../src/core/environment.js';

const at = new Date('2026-01-01T00:00:00Z');
function deps(store: MemoryObjectStore, repositories = new MemoryChartRepositories(store)): Deps {
  return fakeDeps({ repositories, now: () => at });
}
const entry = (version: string) => chartIndexEntry({ apiVersion: 'v2', name: 'shop', version }, { digest: version, created: at.toISOString(), url: `shop-${version}.tgz` });
const addVersion = (version: string) => (current: ReturnType<typeof emptyChartIndex> | undefined) => withEntry(current ?? emptyChartIndex(at), entry(version), at);

test('an index update that races another writer retries on the new ETag and loses nothing', async () => {
  const store = new MemoryObjectStore();
  const repo = MemoryChartRepository.fromUrl('s3://b/dev', store);
  await updateIndex(deps(store), repo, addVersion('1.0.0'), { lock: true, random: () => 0 });
  let raced = false;
  store.beforeWrite = (key) => {
    if (key !== 'dev/index.yaml' || raced) return;
    raced = true;
    // Another job's write lands between our read and our conditional write.
    const current = parseChartIndex(new TextDecoder().decode(store.bucket('b').get(key)!.body), key);
    store.beforeWrite = undefined;
    void repo.put('index.yaml', new TextEncoder().encode(serializeChartIndex(withEntry(current, entry('1.1.0'), at))));
  };
  const result = await updateIndex(deps(store), repo, addVersion('1.2.0'), { lock: true, random: () => 0 });
  assert.equal(result.attempts, 2, 'the first conditional write must fail and be retried');
  const { index } = await readIndex(repo);
  assert.deepEqual(index!.entries.shop!.map((e) => e.version), ['1.2.0', '1.1.0', '1.0.0']);
});

test('without the lock the same race loses the other writer\'s entry (what helm-s3 does)', async () => {
  const store = new MemoryObjectStore();
  const repo = MemoryChartRepository.fromUrl('s3://b/dev', store);
  await updateIndex(deps(store), repo, addVersion('1.0.0'), { lock: false });
  store.beforeWrite = (key) => {
    store.beforeWrite = undefined;
    const current = parseChartIndex(new TextDecoder().decode(store.bucket('b').get(key)!.body), key);
    void repo.put('index.yaml', new TextEncoder().encode(serializeChartIndex(withEntry(current, entry('1.1.0'), at))));
  };
  await updateIndex(deps(store), repo, addVersion('1.2.0'), { lock: false });
  const { index } = await readIndex(repo);
  assert.deepEqual(index!.entries.shop!.map((e) => e.version), ['1.2.0', '1.0.0']);
});

test('a contended index gives up at the deadline with a clear error', async () => {
  const store = new MemoryObjectStore();
  const repo = MemoryChartRepository.fromUrl('s3://b/dev', store);
  await updateIndex(deps(store), repo, addVersion('1.0.0'), { lock: true });
  store.beforeWrite = () => {
    const o = store.bucket('b').get('dev/index.yaml')!;
    o.etag = `"${Math.random()}"`;
  };
  await assert.rejects(updateIndex(deps(store), repo, addVersion('2.0.0'), { lock: true, deadlineMs: 30, random: () => 0.1 }), (e: unknown) => isChartctlError(e) && e.code === 'INDEX_CONTENDED');
});

const stored = (store: MemoryObjectStore) => new TextDecoder().decode(store.bucket('b').get('dev/index.yaml')!.body);
const seed = (store: MemoryObjectStore, text: string) => store.bucket('b').set('dev/index.yaml', { body: new TextEncoder().encode(text), etag: '"seed"', metadata: {}, lastModified: at });
const always = () => true;

test('adding an entry splices it into an index in chartctl\'s layout, with the bytes of the full rewrite', async () => {
  const store = new MemoryObjectStore();
  const repo = MemoryChartRepository.fromUrl('s3://b/dev', store);
  const first = await addIndexEntry(deps(store), repo, entry('1.0.0'), always, { lock: true });
  assert.deepEqual(first, { written: true, attempts: 1, spliced: false }, 'no index yet: it is written from scratch');
  const before = stored(store);
  const snapshot = await readChartIndex(repo, 'shop');
  assert.ok(snapshot.scan, 'chartctl\'s own index is in the layout');
  assert.equal(snapshot.index, undefined, 'and is not parsed');
  const second = await addIndexEntry(deps(store), repo, entry('1.1.0'), always, { lock: true, initial: snapshot });
  assert.deepEqual(second, { written: true, attempts: 1, spliced: true });
  assert.equal(stored(store), serializeChartIndex(withEntry(parseChartIndex(before, 'x'), entry('1.1.0'), at)));
});

test('an index in another layout is parsed and rewritten, and comes out in chartctl\'s layout', async () => {
  const store = new MemoryObjectStore();
  const repo = MemoryChartRepository.fromUrl('s3://b/dev', store);
  seed(store, "apiVersion: v1\nentries:\n    shop:\n        - name: shop\n          version: '1.0.0'\n          digest: a\ngenerated: 2020-01-01T00:00:00Z\n");
  const result = await addIndexEntry(deps(store), repo, entry('1.1.0'), always, { lock: true });
  assert.deepEqual(result, { written: true, attempts: 1, spliced: false });
  const text = stored(store);
  assert.deepEqual(parseChartIndex(text, 'x').entries.shop!.map((e) => e.version), ['1.1.0', '1.0.0']);
  assert.ok((await readChartIndex(repo, 'shop')).scan, 'the next publish splices');
});

test('admit sees what is listed: keep writes nothing, a refusal propagates, a corrupt index is refused before any write', async () => {
  const store = new MemoryObjectStore();
  const repo = MemoryChartRepository.fromUrl('s3://b/dev', store);
  await addIndexEntry(deps(store), repo, entry('1.0.0'), always, { lock: true });
  const etag = store.bucket('b').get('dev/index.yaml')!.etag;
  const seen: unknown[] = [];
  const kept = await addIndexEntry(deps(store), repo, entry('1.0.0'), (listed) => (seen.push(listed), false), { lock: true });
  assert.deepEqual(seen, [{ digest: '1.0.0' }]);
  assert.deepEqual(kept, { written: false, attempts: 1, spliced: false });
  await assert.rejects(addIndexEntry(deps(store), repo, entry('1.0.0'), () => { throw new Error('refused'); }, { lock: true }), /refused/);
  assert.equal(store.bucket('b').get('dev/index.yaml')!.etag, etag, 'nothing was written');

  seed(store, 'apiVersion: v1\nentries:\n  shop:\n  - name: shop\n    version: "1.0.0\n');
  let written = false;
  store.beforeWrite = () => (written = true);
  await assert.rejects(readChartIndex(repo, 'shop'), (e: unknown) => isChartctlError(e) && e.code === 'INDEX_CORRUPT');
  await assert.rejects(addIndexEntry(deps(store), repo, entry('1.1.0'), always, { lock: true }), (e: unknown) => isChartctlError(e) && e.code === 'INDEX_CORRUPT');
  assert.equal(written, false);
});

test('a splice that races another writer re-reads, re-applies and keeps both entries', async () => {
  const store = new MemoryObjectStore();
  const repo = MemoryChartRepository.fromUrl('s3://b/dev', store);
  await addIndexEntry(deps(store), repo, entry('1.0.0'), always, { lock: true });
  const initial = await readChartIndex(repo, 'shop');
  let raced = false;
  store.beforeWrite = (key) => {
    if (key !== 'dev/index.yaml' || raced) return;
    raced = true;
    store.beforeWrite = undefined;
    // Another job's write lands between our read and our conditional write.
    void repo.put('index.yaml', new TextEncoder().encode(serializeChartIndex(withEntry(parseChartIndex(stored(store), key), entry('1.1.0'), at))));
  };
  const result = await addIndexEntry(deps(store), repo, entry('1.2.0'), (listed) => listed === undefined, { lock: true, random: () => 0, initial });
  assert.deepEqual(result, { written: true, attempts: 2, spliced: true });
  const { index } = await readIndex(repo);
  assert.deepEqual(index!.entries.shop!.map((e) => e.version), ['1.2.0', '1.1.0', '1.0.0']);
});

test('the probe tells an endpoint that enforces conditional writes from one that ignores them', async () => {
  const good = new MemoryObjectStore();
  assert.equal(await probeConditionalWrites(MemoryChartRepository.fromUrl('s3://b/dev', good)), true);
  assert.equal(good.bucket('b').size, 0, 'the probe object is removed');
  const bad = new MemoryObjectStore();
  bad.ignoreConditions = true;
  assert.equal(await probeConditionalWrites(MemoryChartRepository.fromUrl('s3://b/dev', bad)), false);
  const env = { name: 'dev' } as Environment;
  await assert.rejects(requireConditionalWrites(deps(bad), MemoryChartRepository.fromUrl('s3://b/dev', bad), env, false), (e: unknown) => isChartctlError(e) && e.code === 'CONDITIONAL_WRITES_UNSUPPORTED' && (e.hint ?? '').includes('--no-lock'));
  await requireConditionalWrites(deps(bad), MemoryChartRepository.fromUrl('s3://b/dev', bad), env, true);
});

const versionsIn = (store: MemoryObjectStore) => parseChartIndex(stored(store), 'x').entries.shop!.map((e) => e.version);

test('a probe answer cached before the endpoint stopped enforcing conditions does not let an index write through', async () => {
  const store = new MemoryObjectStore();
  const repo = MemoryChartRepository.fromUrl('s3://b/dev', store);
  await addIndexEntry(deps(store), repo, entry('1.0.0'), always, { lock: true });
  const before = stored(store);
  store.ignoreConditions = true;
  const repositories = new MemoryChartRepositories(store);
  repositories.cachedAnswer = true; // what ~/.cache still says from last week
  await assert.rejects(
    addIndexEntry(deps(store, repositories), repo, entry('1.2.0'), always, { lock: true }),
    (e: unknown) =>
      isChartctlError(e) &&
      e.code === 'CONDITIONAL_WRITES_UNSUPPORTED' &&
      e.message.includes('shop 1.2.0 (digest 1.2.0)') &&
      e.message.includes('s3://b/dev/index.yaml') &&
      e.message.includes('environment dev') &&
      /does not honour conditional writes/.test(e.message),
  );
  assert.equal(stored(store), before, 'index.yaml was not changed');
  assert.equal(repositories.cachedAnswer, false, 'the stale answer was replaced, so the next run refuses before uploading');
});

test('an index write replaced by another writer before it is read back is written again, and only then reported', async () => {
  const store = new MemoryObjectStore();
  const repo = MemoryChartRepository.fromUrl('s3://b/dev', store);
  await addIndexEntry(deps(store), repo, entry('1.0.0'), always, { lock: true });
  const stale = parseChartIndex(stored(store), 'x');
  let replaced = false;
  store.afterWrite = (key) => {
    if (key !== 'dev/index.yaml' || replaced) return;
    replaced = true;
    // A writer that read the index before our write (e.g. with --no-lock) lands right after it.
    const body = new TextEncoder().encode(serializeChartIndex(withEntry(stale, entry('1.1.0'), at)));
    store.bucket('b').set(key, { body, etag: '"other-writer"', metadata: {}, lastModified: at });
  };
  const result = await addIndexEntry(deps(store), repo, entry('1.2.0'), (listed) => listed === undefined, { lock: true, random: () => 0 });
  assert.equal(result.written, true);
  assert.equal(result.attempts, 2, 'the lost write is detected by reading back and made again');
  assert.deepEqual(versionsIn(store), ['1.2.0', '1.1.0', '1.0.0']);
});

test('an index write that never stays fails loudly naming the environment, the index key and the missing entry', async () => {
  const store = new MemoryObjectStore();
  const repo = MemoryChartRepository.fromUrl('s3://b/dev', store);
  await addIndexEntry(deps(store), repo, entry('1.0.0'), always, { lock: true });
  const original = store.bucket('b').get('dev/index.yaml')!;
  let writes = 0;
  store.afterWrite = (key) => {
    if (key !== 'dev/index.yaml') return;
    writes++;
    store.bucket('b').set(key, { ...original, etag: `"other-${writes}"` });
  };
  const lost = (e: unknown) =>
    isChartctlError(e) &&
    e.code === 'INDEX_ENTRY_LOST' &&
    e.message.includes('s3://b/dev/index.yaml (environment dev) 3 times') &&
    e.message.includes('shop 1.2.0 (digest 1.2.0)') &&
    /does not honour conditional writes/.test(e.message);
  await assert.rejects(addIndexEntry(deps(store), repo, entry('1.2.0'), always, { lock: true, random: () => 0 }), lost);
  assert.equal(writes, 3);
  await assert.rejects(updateIndex(deps(store), repo, addVersion('1.2.0'), { lock: true, random: () => 0 }), lost, 'a whole-index write (repo reindex) is checked the same way');
  assert.deepEqual(versionsIn(store), ['1.0.0']);
});
