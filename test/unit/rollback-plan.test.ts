import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseRollback, planRollback } from '../../src/core/rollback-plan.js';
import { withRollbackProvenance, type RevisionInfo } from '../../src/core/release-history.js';

const rev = (revision: number, status: string, extra: Partial<RevisionInfo> = {}): RevisionInfo => ({
  revision,
  status,
  chartName: 'shop',
  chartVersion: `1.${revision}.0`,
  appVersion: '',
  updated: '',
  description: 'Upgrade complete',
  ...extra,
});

test('chooseRollback: no release, no such revision, no good revision, already the newest → refused with the reason', () => {
  assert.deepEqual(chooseRollback([], undefined), { kind: 'refused', reason: 'not-installed' });
  assert.deepEqual(chooseRollback([rev(1, 'deployed')], 7), { kind: 'refused', reason: 'no-such-revision', revision: 7 });
  assert.deepEqual(chooseRollback([rev(1, 'deployed')], undefined), { kind: 'refused', reason: 'no-good-revision' });
  assert.deepEqual(chooseRollback([rev(1, 'superseded'), rev(2, 'deployed')], 2), { kind: 'refused', reason: 'already-newest', revision: 2 });
});

test('chooseRollback: the default skips failed tests, failed revisions, and failed upgrades helm marked superseded', () => {
  const history = [
    rev(1, 'superseded', { tests: 'passed' }),
    rev(2, 'superseded', { tests: 'failed' }),
    rev(3, 'superseded', { description: 'Upgrade "shop" failed: timed out waiting for the condition' }),
    rev(4, 'failed', { description: 'Rollback "shop" failed: timed out' }),
  ];
  const chosen = chooseRollback(history, undefined);
  assert.equal(chosen.kind === 'target' && chosen.to.revision, 1);
  assert.equal(chosen.kind === 'target' && chosen.recoveringPending, false);
});

test('chooseRollback: an explicit revision is taken as asked, even a failed one', () => {
  const chosen = chooseRollback([rev(1, 'superseded'), rev(2, 'superseded', { description: 'Upgrade "shop" failed: x' }), rev(3, 'deployed')], 2);
  assert.equal(chosen.kind === 'target' && chosen.to.revision, 2);
});

test('chooseRollback: a pending newest revision is recovered, even to itself when asked', () => {
  for (const status of ['pending-install', 'pending-upgrade', 'pending-rollback']) {
    const chosen = chooseRollback([rev(1, 'deployed'), rev(2, status)], undefined);
    assert.deepEqual(chosen.kind === 'target' && [chosen.to.revision, chosen.recoveringPending], [1, true], status);
  }
  assert.equal(chooseRollback([rev(1, 'deployed'), rev(2, 'pending-upgrade')], 2).kind, 'target');
});

test('planRollback: an empty diff from a deployed newest revision is a no-op; pending, failed or changed is a rollback', () => {
  const target = (from: RevisionInfo, recoveringPending = false) => ({ kind: 'target' as const, from, to: rev(1, 'superseded'), recoveringPending });
  assert.deepEqual(planRollback({ target: target(rev(3, 'deployed', { description: 'Rollback to 1' })), diffHasChanges: false, dryRun: false }), { kind: 'noop' });
  assert.deepEqual(planRollback({ target: target(rev(3, 'deployed')), diffHasChanges: false, dryRun: true }), { kind: 'noop' });
  assert.deepEqual(planRollback({ target: target(rev(3, 'deployed')), diffHasChanges: true, dryRun: false }), { kind: 'rollback' });
  assert.deepEqual(planRollback({ target: target(rev(3, 'deployed')), diffHasChanges: true, dryRun: true }), { kind: 'planned' });
  assert.deepEqual(planRollback({ target: target(rev(3, 'failed')), diffHasChanges: false, dryRun: false }), { kind: 'rollback' });
  assert.deepEqual(planRollback({ target: target(rev(3, 'pending-upgrade'), true), diffHasChanges: false, dryRun: false }), { kind: 'rollback' });
});

test('rollback revisions carry their target\'s provenance (a rollback to a rollback too); others keep their own or none', () => {
  const p1 = { version: '1.0.0', digest: 'sha256:aa', source: 's3://b/prod', commit: 'abc' };
  const history = withRollbackProvenance([
    rev(5, 'deployed', { description: 'Rollback to 4' }),
    rev(1, 'superseded', { provenance: p1 }),
    rev(2, 'superseded', { provenance: { version: '2.0.0', source: 's3://b/prod' } }),
    rev(3, 'superseded', { description: 'Rollback to 1' }),
    rev(4, 'superseded', { description: 'Rollback to 3' }),
    rev(6, 'superseded', { description: 'Rollback to 9' }),
  ]);
  const by = (n: number) => history.find((h) => h.revision === n)!;
  assert.deepEqual(by(3).provenance, p1);
  assert.deepEqual(by(5).provenance, p1);
  assert.equal(by(2).provenance?.version, '2.0.0');
  assert.equal(by(6).provenance, undefined, 'a pruned target gives nothing');
});
