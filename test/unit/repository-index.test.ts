import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryChartRepositories, MemoryChartRepository, MemoryObjectStore } from '../../src/adapters/memory-chart-repository.js';
import { MemoryReporter } from '../../src/adapters/reporter.js';
import { probeConditionalWrites } from '../../src/adapters/conditional-write-probe.js';
import { chartIndexEntry, emptyChartIndex, parseChartIndex, serializeChartIndex, withEntry } from '../../src/core/chart-index.js';
import { isChartctlError } from '../../src/core/errors.js';
import { readIndex, requireConditionalWrites, updateIndex } from '../../src/actions/steps/repository-index.js';
import type { Deps } from '../../src/actions/deps.js';
import type { Environment } from '../../src/core/environment.js';

const at = new Date('2026-01-01T00:00:00Z');
function deps(store: MemoryObjectStore): Deps {
  return { repositories: new MemoryChartRepositories(store), reporter: new MemoryReporter(), signal: new AbortController().signal, now: () => at, env: {} } as unknown as Deps;
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
