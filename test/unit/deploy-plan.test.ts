import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCreatedRevisionLive, classifyUpgradeFailure, planAfterFailedTests, planDeploy, type DeployPlanInput } from '../../src/core/deploy-plan.js';
import { encodeProvenance, newestRevision, type RevisionInfo } from '../../src/core/release-history.js';
import { MemoryReleases, type ScriptedUpgrade } from '../../src/adapters/memory-releases.js';
import type { UpgradeRequest } from '../../src/adapters/releases.js';

const target = { release: 'shop', namespace: 'shop-dev' };
const rev = (revision: number, status: string, chartVersion = '1.0.0', extra: Partial<RevisionInfo> = {}): RevisionInfo => ({
  revision,
  status,
  chartVersion,
  chartName: 'shop',
  appVersion: '',
  updated: '',
  description: extra.description ?? (status === 'failed' ? 'Upgrade "shop" failed: timed out' : 'Upgrade complete'),
  ...extra,
});
const input = (over: Partial<DeployPlanInput>): DeployPlanInput => ({ history: [], candidate: { version: '1.0.0' }, manifestChanges: false, drifted: [], dryRun: false, ...over });

test('planDeploy: an empty history is an install', () => {
  assert.deepEqual(planDeploy(input({ manifestChanges: true })), { kind: 'upgrade', reasons: ['install'], install: true });
  assert.deepEqual(planDeploy(input({ dryRun: true })), { kind: 'planned', reasons: ['install'] });
});

test('planDeploy: the live revision running this exact version, no changes, no drift → unchanged', () => {
  const history = [rev(1, 'superseded'), rev(2, 'deployed', '1.0.0', { provenance: { version: '1.0.0', digest: 'sha256:a', source: 's3://b' } })];
  assert.deepEqual(planDeploy(input({ history, candidate: { version: '1.0.0', digest: 'sha256:a' } })), { kind: 'unchanged' });
  // --local has no digest: the version and the manifests decide.
  assert.deepEqual(planDeploy(input({ history, candidate: { version: '1.0.0' } })), { kind: 'unchanged' });
});

test('planDeploy: a new version with identical manifests still becomes a revision (as helm upgrade makes one)', () => {
  const history = [rev(1, 'deployed', '0.2.0')];
  assert.deepEqual(planDeploy(input({ history, candidate: { version: '0.2.1' } })), { kind: 'upgrade', reasons: ['new-version'], install: false });
});

test('planDeploy: the same version with other bytes (a different digest) is another artifact', () => {
  const history = [rev(1, 'deployed', '1.0.0', { provenance: { version: '1.0.0', digest: 'sha256:a', source: 's3://b' } })];
  assert.deepEqual(planDeploy(input({ history, candidate: { version: '1.0.0', digest: 'sha256:b' } })).kind, 'upgrade');
});

test('planDeploy: drift alone is repaired, and the plan says so', () => {
  const history = [rev(1, 'deployed')];
  assert.deepEqual(planDeploy(input({ history, drifted: ['Deployment/shop-web'] })), { kind: 'upgrade', reasons: ['drift'], install: false });
  assert.deepEqual(planDeploy(input({ history, drifted: ['Deployment/shop-web'], manifestChanges: true, candidate: { version: '1.1.0' } })), {
    kind: 'upgrade',
    reasons: ['new-version', 'manifest-changes', 'drift'],
    install: false,
  });
});

test('planDeploy: a newest revision that is not live (failed, or only failed ones) is upgraded even without changes', () => {
  assert.deepEqual(planDeploy(input({ history: [rev(1, 'deployed'), rev(2, 'failed')] })), { kind: 'upgrade', reasons: ['not-live'], install: false });
  assert.deepEqual(planDeploy(input({ history: [rev(1, 'failed'), rev(2, 'failed')] })), { kind: 'upgrade', reasons: ['not-live'], install: false });
});

test('planDeploy: every pending-* newest revision is refused, whatever else changed', () => {
  for (const status of ['pending-install', 'pending-upgrade', 'pending-rollback']) {
    const history = [rev(1, 'deployed'), rev(2, status)];
    const d = planDeploy(input({ history, manifestChanges: true, candidate: { version: '2.0.0' } }));
    assert.equal(d.kind, 'refused', status);
    assert.equal(d.kind === 'refused' && d.pending.revision, 2);
  }
});

/** Runs one scripted upgrade on the in-memory releases and classifies what it left. */
async function afterUpgrade(script: ScriptedUpgrade, seeded: ('deployed' | 'superseded' | 'failed')[], rollbackOnFailure = true) {
  const releases = new MemoryReleases();
  seeded.forEach((status, i) => releases.seed(target, { status, chartVersion: `1.${i}.0` }));
  const before = newestRevision(await releases.history(target));
  releases.upgrades = [script];
  const request: UpgradeRequest = { ...target, chart: 'c.tgz', wait: true, timeout: '1m', historyMax: 10, rollbackOnFailure, values: '', timeoutMs: 1, description: encodeProvenance({ version: '2.0.0', source: 's3://b' }) };
  const result = await releases.upgrade(request);
  const history = await releases.history(target);
  return { result, history, before };
}

test('classifyUpgradeFailure: helm rolled the failed upgrade back → rolledBack, naming the failed and the live revision', async () => {
  const { result, history, before } = await afterUpgrade('fails', ['superseded', 'deployed']);
  assert.equal(result.kind === 'failed' && result.helmRolledBack, true);
  assert.deepEqual(classifyUpgradeFailure({ before, history, helmRolledBack: true }), { kind: 'rolledBack', how: 'helm-rolled-back', failedRevision: 3, liveRevision: 4 });
});

test('classifyUpgradeFailure: refused before anything was stored → rolledBack (not changed)', async () => {
  const { history, before } = await afterUpgrade('rejected', ['deployed']);
  assert.deepEqual(classifyUpgradeFailure({ before, history, helmRolledBack: false }), { kind: 'rolledBack', how: 'not-changed', failedRevision: null, liveRevision: 1 });
});

test('classifyUpgradeFailure: helm\'s own rollback failed too → failed; the upgrade marked superseded is not a good revision', async () => {
  const { history, before } = await afterUpgrade('failsAndRollbackFails', ['deployed']);
  assert.deepEqual(history.map((h) => `${h.revision}:${h.status}`), ['1:deployed', '2:superseded', '3:failed']);
  const left = classifyUpgradeFailure({ before, history, helmRolledBack: false });
  assert.equal(left.kind, 'failed');
  assert.equal(left.kind === 'failed' && left.newest?.revision, 3);
  assert.equal(left.kind === 'failed' && left.goodRevisionExists, true, 'revision 1 is good');
});

test('classifyUpgradeFailure: without rollbackOnFailure the failed revision stays failed → failed; a first install that failed has no good revision', async () => {
  const off = await afterUpgrade('fails', ['deployed'], false);
  const left = classifyUpgradeFailure({ before: off.before, history: off.history, helmRolledBack: false });
  assert.equal(left.kind, 'failed');
  const first = await afterUpgrade('fails', [], false);
  const none = classifyUpgradeFailure({ before: undefined, history: first.history, helmRolledBack: false });
  assert.deepEqual(none.kind === 'failed' && none.goodRevisionExists, false);
});

test('classifyUpgradeFailure: "rolled back" in helm\'s message is not enough while the newest revision is still pending', () => {
  const history = [rev(1, 'superseded'), rev(2, 'superseded', '2.0.0', { description: 'Upgrade "shop" failed: x' }), rev(3, 'pending-rollback', '1.0.0', { description: 'Rollback to 1' })];
  const left = classifyUpgradeFailure({ before: history[0], history, helmRolledBack: true });
  assert.equal(left.kind, 'failed');
  assert.equal(left.kind === 'failed' && left.newest?.status, 'pending-rollback');
});

test('planAfterFailedTests: back to the last good revision, skipping failed tests and failed upgrades marked superseded', () => {
  const history = [
    rev(1, 'superseded', '1.0.0', { tests: 'passed' }),
    rev(2, 'superseded', '1.1.0', { tests: 'failed' }),
    rev(3, 'superseded', '1.2.0', { description: 'Upgrade "shop" failed: timed out' }),
    rev(4, 'superseded', '1.0.0', { description: 'Rollback to 1' }),
    rev(5, 'deployed', '1.3.0'),
  ];
  const next = planAfterFailedTests({ history, failedRevision: 5, rollbackOnFailure: true });
  assert.equal(next.kind === 'rollback' && next.to.revision, 4);
  const withoutRollbackRevision = history.filter((h) => h.revision !== 4);
  const again = planAfterFailedTests({ history: withoutRollbackRevision, failedRevision: 5, rollbackOnFailure: true });
  assert.equal(again.kind === 'rollback' && again.to.revision, 1);
});

test('planAfterFailedTests: no good revision, or rollbackOnFailure off → failed with the reason', () => {
  const only = planAfterFailedTests({ history: [rev(1, 'deployed')], failedRevision: 1, rollbackOnFailure: true });
  assert.deepEqual(only.kind === 'failed' && [only.why, only.goodRevisionExists], ['no-good-revision', false]);
  const off = planAfterFailedTests({ history: [rev(1, 'superseded'), rev(2, 'deployed')], failedRevision: 2, rollbackOnFailure: false });
  assert.deepEqual(off.kind === 'failed' && [off.why, off.goodRevisionExists], ['rollback-off', true]);
});

test('checkCreatedRevisionLive: success is reported only when the revision the upgrade created is live', () => {
  assert.deepEqual(checkCreatedRevisionLive([rev(1, 'superseded'), rev(2, 'deployed')], 2), { kind: 'live' });
  // A rollback (revision 3) came in after this deploy's revision 2: what runs is revision 1's.
  const history = [rev(1, 'superseded'), rev(2, 'superseded', '2.0.0'), rev(3, 'deployed', '1.0.0', { description: 'Rollback to 1' })];
  const check = checkCreatedRevisionLive(history, 2);
  assert.equal(check.kind, 'notLive');
  assert.equal(check.kind === 'notLive' && check.live?.revision, 3);
});

test('a helm killed mid-upgrade leaves pending-upgrade (the fake as helm stores it): the next deploy is refused, and rollback recovers it', async () => {
  const releases = new MemoryReleases();
  releases.seed(target, { status: 'deployed' });
  releases.upgrades = ['interrupted'];
  const request: UpgradeRequest = { ...target, chart: 'c.tgz', wait: true, timeout: '1m', historyMax: 10, rollbackOnFailure: true, values: '', timeoutMs: 1 };
  await assert.rejects(releases.upgrade(request), /helm was killed/);
  const history = await releases.history(target);
  assert.equal(planDeploy(input({ history, manifestChanges: true, candidate: { version: '2.0.0' } })).kind, 'refused');
  assert.deepEqual(await releases.rollback({ ...target, revision: 1, wait: true, timeout: '1m', historyMax: 10, timeoutMs: 1 }), { kind: 'ok' });
  assert.equal(planDeploy(input({ history: await releases.history(target), manifestChanges: true, candidate: { version: '2.0.0' } })).kind, 'upgrade');
});
