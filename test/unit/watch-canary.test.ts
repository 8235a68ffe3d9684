import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CanaryWatch, type CanaryWatchEvent } from '../../src/actions/watch-canary.js';
import { MemoryCanaryRecords } from '../../src/adapters/memory-canary-records.js';
import { MemoryReleases } from '../../src/adapters/memory-releases.js';
import { parseEnvironment } from '../../src/core/environment-file.js';
import type { CanaryRecord } from '../../src/core/strategy/canary-plan.js';
import { commandLineFingerprint } from '../../src/actions/deploy/canary-inputs.js';
import { MemoryReleaseLocks } from '../../src/adapters/memory-release-locks.js';
import type { Deps } from '../../src/actions/deps.js';
import { FAKE_NOW, fakeDeps } from '../support/fake-deps.js';

const env = parseEnvironment('dev', 'environments/dev.yaml', `chart: charts/shop
release: shop
namespace: shop-dev
kubeVersion: "1.33"
repository: {url: s3://acme-charts/dev}
deploy:
  strategy:
    canary:
      traffic: replicas
      steps:
        - {weight: 20}
        - approve: true
`);
const target = { namespace: 'shop-dev' };
const run = (over: Partial<CanaryRecord> = {}): CanaryRecord => ({ version: '1.0.1', digest: 'sha256:a', next: 1, state: 'awaiting-approval', weight: 20, lastChecks: [], startedAt: 't0', updatedAt: 't1', ...over });

/** Stable at 1.0.0, no run recorded, and the events the watcher reported. */
function world(parts: Partial<Deps> = {}) {
  const releases = new MemoryReleases();
  releases.seed({ release: 'shop', namespace: 'shop-dev' }, { status: 'deployed', chartVersion: '1.0.0', manifest: '' });
  const canaryRecords = new MemoryCanaryRecords();
  const events: CanaryWatchEvent[] = [];
  const watcher = new CanaryWatch(fakeDeps({ releases, canaryRecords, ...parts }), env, (e) => events.push(e));
  return { releases, canaryRecords, events, watcher, gaveUp: new Set<string>() };
}

test('a start that ended before its record was written (a cluster error) is started again at the next poll, not dropped', async () => {
  const w = world();
  assert.deepEqual(await w.watcher.next('1.0.1', w.gaveUp), { version: '1.0.1', from: '1.0.0' });
  assert.deepEqual(await w.watcher.next('1.0.1', w.gaveUp), { version: '1.0.1', from: '1.0.0' });
  assert.deepEqual([...w.gaveUp], []);
  assert.equal(w.watcher.runRecorded, false, 'no recorded run to look at while the index is unchanged');
});

test('its own walk left waiting: the next looks say nothing more; a person removing the run drops its version', async () => {
  const w = world();
  await w.watcher.next('1.0.1', w.gaveUp);
  await w.canaryRecords.write(target, 'shop', run());
  w.watcher.leftWaiting('1.0.1');
  assert.equal(await w.watcher.next('1.0.1', w.gaveUp), undefined);
  assert.deepEqual(w.events, [], 'the caller reported the wait already');
  assert.equal(w.watcher.runRecorded, true);
  await w.canaryRecords.remove(target, 'shop');
  assert.equal(await w.watcher.next('1.0.1', w.gaveUp), undefined);
  assert.deepEqual(w.events, [{ event: 'up-to-date', env: 'dev', deployed: '1.0.0', newest: '1.0.1' }]);
  assert.deepEqual([...w.gaveUp], ['1.0.1']);
});

test("another job's run: reported once with the commands to run; promoted by a person, the newer version that waited starts", async () => {
  const w = world();
  await w.canaryRecords.write(target, 'shop', run({ state: 'running' }));
  assert.equal(await w.watcher.next('1.0.2', w.gaveUp), undefined);
  assert.equal(await w.watcher.next('1.0.2', w.gaveUp), undefined);
  assert.deepEqual(w.events, [{ event: 'canary-waiting', env: 'dev', version: '1.0.1', state: 'running', weight: 20, newer: '1.0.2', resume: 'chartctl deploy dev --resume', abort: 'chartctl deploy dev --abort' }]);
  await w.canaryRecords.remove(target, 'shop');
  w.releases.seed({ release: 'shop', namespace: 'shop-dev' }, { status: 'deployed', chartVersion: '1.0.1', manifest: '' });
  assert.deepEqual(await w.watcher.next('1.0.2', w.gaveUp), { version: '1.0.2', from: '1.0.1' });
  assert.deepEqual([...w.gaveUp], []);
});

test('its own walk taken over or removed by another job (CANARY_CONFLICT), then gone: its version is not started again', async () => {
  const w = world();
  await w.watcher.next('1.0.1', w.gaveUp);
  w.watcher.walkTakenOver('1.0.1');
  assert.equal(await w.watcher.next('1.0.1', w.gaveUp), undefined);
  assert.deepEqual([...w.gaveUp], ['1.0.1']);
});

/** A run a watcher started and walked to `next` 0 with no command-line values, as its killed job left it. */
async function watchersRun(w: ReturnType<typeof world>, over: Partial<CanaryRecord> = {}) {
  const record = run({ state: 'running', next: 0, weight: 0, startedBy: 'watch', ...over });
  record.inputs ??= await commandLineFingerprint(fakeDeps(), {}, record);
  await w.canaryRecords.write(target, 'shop', record);
  return record;
}

test("a watcher's run whose job is gone (no lock held) is continued from its record, reported as canary-continued; one a live job holds is waited for", async () => {
  const locks = new MemoryReleaseLocks();
  const w = world({ locks });
  await watchersRun(w);
  const runLock = { release: 'shop-canary-run', namespace: 'shop-dev' };
  locks.put(runLock, { holder: 'the walking watcher', acquiredAt: FAKE_NOW, renewedAt: FAKE_NOW, durationSeconds: 30, transitions: 0 });
  assert.equal(await w.watcher.next('1.0.1', w.gaveUp), undefined, 'its lock is held: a walk in progress');
  assert.deepEqual(w.events.map((e) => e.event), ['canary-waiting']);
  // Its holder stopped renewing 31 s ago: expired, as the lock itself decides.
  const stale = new Date(FAKE_NOW.getTime() - 31_000);
  locks.put(runLock, { holder: 'the killed watcher', acquiredAt: stale, renewedAt: stale, durationSeconds: 30, transitions: 0 });
  assert.deepEqual(await w.watcher.next('1.0.1', w.gaveUp), { version: '1.0.1', from: '1.0.0', resume: true });
  assert.deepEqual(w.events.at(-1), { event: 'canary-continued', env: 'dev', version: '1.0.1', next: 'step 1: weight 20%', weight: 0 });
  assert.equal(w.watcher.runRecorded, true, 'the run is known recorded: removed by a person later, its version is dropped');
});

test("a watcher's run is not continued while another job holds the canary release's lock (an abort, a step's helm change), nor with other values than the watcher's", async () => {
  const locks = new MemoryReleaseLocks();
  const w = world({ locks });
  await watchersRun(w);
  locks.put({ release: 'shop-canary', namespace: 'shop-dev' }, { holder: 'an aborting job', acquiredAt: FAKE_NOW, renewedAt: FAKE_NOW, durationSeconds: 30, transitions: 0 });
  assert.equal(await w.watcher.next('1.0.1', w.gaveUp), undefined);
  assert.deepEqual(w.events.map((e) => e.event), ['canary-waiting']);

  const other = world();
  const record = run({ state: 'running', next: 0, startedBy: 'watch' });
  await watchersRun(other, { inputs: await commandLineFingerprint(fakeDeps(), { set: ['image.tag=x'] }, record) });
  assert.equal(await other.watcher.next('1.0.1', other.gaveUp), undefined, 'started with --set: the watcher gives none');
  assert.deepEqual(other.events.map((e) => e.event), ['canary-waiting']);
});

test("a run a deploy started, or one stopped on purpose, is waited for even with every lock free", async () => {
  for (const over of [{ startedBy: 'deploy' as const }, { startedBy: undefined }, { stoppedAt: '2026-01-01T00:00:00Z' }]) {
    const w = world();
    await watchersRun(w, over);
    assert.equal(await w.watcher.next('1.0.1', w.gaveUp), undefined, JSON.stringify(over));
    assert.deepEqual(w.events.map((e) => e.event), ['canary-waiting'], JSON.stringify(over));
  }
});
