import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appliesServerSide, helmRollbackArgs, helmUpgradeArgs, helmHistoryArgs } from '../../src/core/helm-release-args.js';

const base = { release: 'shop', namespace: 'shop-prod', kubeContext: 'prod', chart: '/tmp/shop-1.0.0.tgz', wait: true, timeout: '5m', historyMax: 10, rollbackOnFailure: true };

test('helm 4 upgrade: --wait=watcher and --rollback-on-failure; --force-conflicts only when it applies server-side', () => {
  assert.ok(!helmUpgradeArgs({ ...base, helmMajor: 4, serverSide: false }).includes('--force-conflicts'));
  assert.ok(!helmUpgradeArgs({ ...base, helmMajor: 3, serverSide: true }).includes('--force-conflicts'));
  const args = helmUpgradeArgs({ ...base, helmMajor: 4, serverSide: true, description: 'chartctl {}' });
  assert.deepEqual(args, ['upgrade', 'shop', '/tmp/shop-1.0.0.tgz', '--install', '--namespace', 'shop-prod', '--kube-context', 'prod', '--values', '-', '--wait=watcher', '--rollback-on-failure', '--force-conflicts', '--timeout', '5m', '--history-max', '10', '--description', 'chartctl {}']);
});

test('helm 3 upgrade: --wait and --atomic', () => {
  const args = helmUpgradeArgs({ ...base, helmMajor: 3, kubeContext: undefined });
  assert.ok(args.includes('--wait') && args.includes('--atomic') && args.includes('--debug'));
  assert.ok(!args.includes('--kube-context'));
  assert.ok(!args.includes('--rollback-on-failure'));
});

test('rollback and history argv', () => {
  assert.deepEqual(helmRollbackArgs({ release: 'shop', namespace: 'n', revision: 2, helmMajor: 3, wait: true, timeout: '1m', historyMax: 5 }), ['rollback', 'shop', '2', '--namespace', 'n', '--wait', '--timeout', '1m', '--history-max', '5']);
  assert.deepEqual(helmHistoryArgs({ release: 'shop', namespace: 'n', max: 3 }), ['history', 'shop', '--namespace', 'n', '--output', 'json', '--max', '3']);
});

test('Go durations as helm takes them', async () => {
  const { durationMs } = await import('../../src/core/duration.js');
  assert.equal(durationMs('90s'), 90_000);
  assert.equal(durationMs('5m'), 300_000);
  assert.equal(durationMs('1h30m'), 5_400_000);
  assert.equal(durationMs('1.5m'), 90_000);
  assert.throws(() => durationMs('5 minutes'), /is not a duration/);
  assert.throws(() => durationMs('5mx'), /is not a duration/);
});

test('helm 4 applies server-side for an install, and as the revision it starts from was applied', () => {
  assert.equal(appliesServerSide(undefined, false), true);
  assert.equal(appliesServerSide('ssa', true), true);
  assert.equal(appliesServerSide('csa', true), false);
  // helm 3 records no apply_method: client-side.
  assert.equal(appliesServerSide(undefined, true), false);
  assert.ok(!helmRollbackArgs({ release: 'shop', namespace: 'n', revision: 2, helmMajor: 4, wait: true, timeout: '1m', historyMax: 5, serverSide: false }).includes('--force-conflicts'));
  assert.ok(helmRollbackArgs({ release: 'shop', namespace: 'n', revision: 2, helmMajor: 4, wait: true, timeout: '1m', historyMax: 5, serverSide: true }).includes('--force-conflicts'));
});
