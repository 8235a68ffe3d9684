import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CanaryWatch, type CanaryWatchEvent } from '../../src/actions/watch-canary.js';
import { MemoryCanaryRecords } from '../../src/adapters/memory-canary-records.js';
import { MemoryReleases } from '../../src/adapters/memory-releases.js';
import { parseEnvironment } from '../../src/core/environment-file.js';
import type { CanaryRecord } from '../../src/core/strategy/canary-plan.js';
import { fakeDeps } from '../support/fake-deps.js';

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
function world() {
  const releases = new MemoryReleases();
  releases.seed({ release: 'shop', namespace: 'shop-dev' }, { status: 'deployed', chartVersion: '1.0.0', manifest: '' });
  const canaryRecords = new MemoryCanaryRecords();
  const events: CanaryWatchEvent[] = [];
  const watcher = new CanaryWatch(fakeDeps({ releases, canaryRecords }), env, (e) => events.push(e));
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
