// A job holding a release's lock records that it starts helm before its first helm change of that release, and only then.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordingHelmStart } from '../../src/actions/releases-under-lock.js';
import { MemoryReleases } from '../../src/adapters/memory-releases.js';

const shop = { release: 'shop', namespace: 'shop-dev', kubeContext: 'dev' };

function recorded() {
  const releases = new MemoryReleases();
  releases.seed(shop, { status: 'deployed', chartVersion: '1.0.0' });
  releases.seed(shop, { status: 'deployed', chartVersion: '1.0.1' });
  const order: string[] = [];
  const wrapped = recordingHelmStart(releases, shop, async () => {
    // What helm did when the start was recorded: the record must come before the change.
    order.push(`started helm after: ${releases.calls.filter((c) => !c.startsWith('history')).join(', ') || 'nothing'}`);
  });
  return { releases, wrapped, order };
}

test('an upgrade, rollback or uninstall of the locked release is recorded before helm runs', async () => {
  for (const change of ['upgrade', 'rollback', 'uninstall'] as const) {
    const { wrapped, order, releases } = recorded();
    if (change === 'upgrade') await wrapped.upgrade({ ...shop, chart: 'shop.tgz', wait: false, timeout: '1m', historyMax: 10, rollbackOnFailure: true, values: undefined, timeoutMs: 1000 });
    if (change === 'rollback') await wrapped.rollback({ ...shop, revision: 1, wait: false, timeout: '1m', historyMax: 10, timeoutMs: 1000 });
    if (change === 'uninstall') await wrapped.uninstall(shop, '1m', 1000);
    assert.deepEqual(order, ['started helm after: nothing'], change);
    assert.ok(releases.calls.some((c) => c.startsWith(change)), `${change} still ran: ${releases.calls.join(', ')}`);
  }
});

test('reads, tests and changes of another release (a slot under the environment\'s lock) record nothing', async () => {
  const { wrapped, order } = recorded();
  await wrapped.history(shop);
  await wrapped.status(shop);
  await wrapped.test(shop, '1m', 1000);
  await wrapped.uninstall({ ...shop, release: 'shop-blue' }, '1m', 1000);
  await wrapped.uninstall({ ...shop, kubeContext: 'prod' }, '1m', 1000);
  await wrapped.uninstall({ ...shop, namespace: 'shop-prod' }, '1m', 1000);
  assert.deepEqual(order, []);
});

test('a failed record stops the change: helm does not run', async () => {
  const releases = new MemoryReleases();
  const wrapped = recordingHelmStart(releases, shop, async () => Promise.reject(new Error('Lost the release lock')));
  await assert.rejects(wrapped.rollback({ ...shop, revision: 1, wait: false, timeout: '1m', historyMax: 10, timeoutMs: 1000 }), /Lost the release lock/);
  assert.deepEqual(releases.calls, []);
});
