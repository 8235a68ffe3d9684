import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canaryConfirmation, canaryReplicas, canaryWalk, decideCanaryCommand, decideCanaryRollback, decideCanaryStep, pauseProbes, type CanaryRecord } from '../../src/core/strategy/canary-plan.js';
import type { CanaryStrategy } from '../../src/core/strategy/strategy-config.js';
import type { CheckResult } from '../../src/core/strategy/check-verdict.js';

const strategy: Pick<CanaryStrategy, 'steps'> = {
  steps: [
    { kind: 'weight', weight: 10, pauseMs: 120_000, checks: ['errors'] },
    { kind: 'weight', weight: 50, pauseMs: 0, checks: ['errors', 'latency'] },
    { kind: 'approve' },
    { kind: 'weight', weight: 80, pauseMs: 1000, checks: [] },
  ],
};

test('the walk: weight → pause → checks per step (skipping empty parts), approvals, then promote', () => {
  assert.deepEqual(canaryWalk(strategy), [
    { kind: 'weight', step: 0, weight: 10 },
    { kind: 'pause', step: 0, ms: 120_000 },
    { kind: 'checks', step: 0, names: ['errors'] },
    { kind: 'weight', step: 1, weight: 50 },
    { kind: 'checks', step: 1, names: ['errors', 'latency'] },
    { kind: 'approve', step: 2 },
    { kind: 'weight', step: 3, weight: 80 },
    { kind: 'pause', step: 3, ms: 1000 },
    { kind: 'promote' },
  ]);
});

const record = (over: Partial<CanaryRecord> = {}): CanaryRecord => ({ version: '1.1.0', digest: 'sha256:b', next: 3, state: 'running', weight: 10, lastChecks: [], startedAt: 't0', updatedAt: 't1', ...over });
const candidate = { version: '1.1.0', digest: 'sha256:b' };

test('command matrix: deploy / resume / abort, with and without a recorded run', () => {
  assert.deepEqual(decideCanaryCommand(undefined, { mode: 'deploy', candidate, approved: false }), { kind: 'start', ...candidate });
  assert.deepEqual(decideCanaryCommand(record(), { mode: 'resume', approved: false }), { kind: 'continue', from: 3 });
  assert.deepEqual(decideCanaryCommand(record({ state: 'awaiting-approval', next: 5 }), { mode: 'resume', approved: true }), { kind: 'continue', from: 5 });
  assert.deepEqual(decideCanaryCommand(record(), { mode: 'abort', approved: false }), { kind: 'abort', reason: 'aborted by deploy --abort' });
  assert.equal(decideCanaryCommand(undefined, { mode: 'resume', approved: false }).kind, 'refused');
  assert.equal(decideCanaryCommand(undefined, { mode: 'abort', approved: false }).kind, 'refused');
});

test('command matrix: a resume with other command-line values than the run started with is refused (unknown, from an older record: allowed)', () => {
  const changed = decideCanaryCommand(record({ inputs: 'f1' }), { mode: 'resume', approved: true, sameInputs: false });
  assert.equal(changed.kind, 'refused');
  assert.match((changed as { reason: string }).reason, /started with other command-line values .*stable would not get what the canary ran/);
  assert.match((changed as { hint: string }).hint, /exactly the values flags .*--abort/);
  assert.deepEqual(decideCanaryCommand(record({ inputs: 'f1' }), { mode: 'resume', approved: true, sameInputs: true }), { kind: 'continue', from: 3 });
  assert.deepEqual(decideCanaryCommand(record(), { mode: 'resume', approved: true }), { kind: 'continue', from: 3 });
  // An abort removes the run whatever the values.
  assert.equal(decideCanaryCommand(record({ inputs: 'f1' }), { mode: 'abort', approved: false, sameInputs: false }).kind, 'abort');
});

test('command matrix: a plain deploy never walks over a recorded run (same digest: resume it; another: finish or abort first)', () => {
  const same = decideCanaryCommand(record(), { mode: 'deploy', candidate, approved: true });
  assert.equal(same.kind, 'refused');
  assert.match((same as { reason: string }).reason, /a canary of 1\.1\.0 is in progress \(weight 10%\)/);
  assert.match((same as { hint: string }).hint, /--resume/);
  const other = decideCanaryCommand(record({ state: 'awaiting-approval' }), { mode: 'deploy', candidate: { version: '1.2.0', digest: 'sha256:c' }, approved: true });
  assert.match((other as { reason: string }).reason, /waiting for approval .*; 1\.2\.0 cannot start beside it/);
});

const ok: CheckResult = { name: 'errors', kind: 'prometheus', passed: true, value: 0.001, detail: 'within' };
const bad: CheckResult = { name: 'latency', kind: 'http', passed: false, value: 503, detail: 'GET x answered 503, expected 200' };

test('step matrix: run the next action; the first failed check aborts; approval waits unless approved; the end promotes', () => {
  const walk = canaryWalk(strategy);
  assert.deepEqual(decideCanaryStep(walk, 0, { approved: false }), { kind: 'run', action: walk[0], index: 0 });
  assert.deepEqual(decideCanaryStep(walk, 5, { approved: false, checks: [ok, bad, { ...bad, name: 'later' }] }), { kind: 'abort', reason: 'check latency failed: GET x answered 503, expected 200', failed: bad });
  assert.deepEqual(decideCanaryStep(walk, 5, { approved: false, checks: [ok] }), { kind: 'await-approval', index: 5 });
  assert.deepEqual(decideCanaryStep(walk, 5, { approved: true }), { kind: 'run', action: { kind: 'approve', step: 2 }, index: 5 });
  assert.deepEqual(decideCanaryStep(walk, 8, { approved: false }), { kind: 'promote' });
  assert.deepEqual(decideCanaryStep(walk, 99, { approved: false }), { kind: 'promote' });
});

test('replicas traffic: the replica count closest to the weight, and the share it really gives', () => {
  assert.deepEqual(canaryReplicas(9, 10), { replicas: 1, share: 10 });
  assert.deepEqual(canaryReplicas(3, 50), { replicas: 3, share: 50 });
  assert.deepEqual(canaryReplicas(2, 10), { replicas: 1, share: 33 }, 'at least one Pod; the share says what it is');
  assert.deepEqual(canaryReplicas(4, 80), { replicas: 16, share: 80 });
  assert.deepEqual(canaryReplicas(4, 100), { replicas: 4, share: 50 });
});

test('rollback matrix: no recorded run rolls the stable release back; a running, waiting or killed run is aborted', () => {
  assert.deepEqual(decideCanaryRollback(undefined), { kind: 'rollback-stable' });
  const run: CanaryRecord = { version: '1.0.1', digest: 'sha256:x', next: 1, state: 'running', weight: 10, lastChecks: [], startedAt: 't', updatedAt: 't' };
  assert.deepEqual(decideCanaryRollback(run), { kind: 'abort-canary', version: '1.0.1', weight: 10, reason: 'rollback: the canary of 1.0.1 was in progress at 10%' });
  assert.deepEqual(decideCanaryRollback({ ...run, state: 'awaiting-approval', next: 3, weight: 50 }), { kind: 'abort-canary', version: '1.0.1', weight: 50, reason: 'rollback: the canary of 1.0.1 was waiting for approval at 50%' });
});

test('pause probes: each `every` check at each multiple of its interval inside the pause, in time order', () => {
  assert.deepEqual(pauseProbes(60_000, [{ name: 'latency', everyMs: 10_000 }]).map((p) => p.atMs), [10_000, 20_000, 30_000, 40_000, 50_000]);
  assert.deepEqual(pauseProbes(60_000, [{ name: 'a', everyMs: 20_000 }, { name: 'b', everyMs: 30_000 }]), [{ atMs: 20_000, name: 'a' }, { atMs: 30_000, name: 'b' }, { atMs: 40_000, name: 'a' }]);
  assert.deepEqual(pauseProbes(61_000, [{ name: 'a', everyMs: 20_000 }]).map((p) => p.atMs), [20_000, 40_000, 60_000]);
  assert.deepEqual(pauseProbes(10_000, [{ name: 'a', everyMs: 10_000 }]), [], 'the checks action after the pause is the probe at its end');
  assert.deepEqual(pauseProbes(10_000, [{ name: 'a', everyMs: 0 }]), []);
  assert.deepEqual(pauseProbes(10_000, []), []);
});

test('confirmation: a walk with an approve step is confirmed there; one without is confirmed before it starts', () => {
  assert.equal(canaryConfirmation(canaryWalk(strategy)), 'at-approve-step');
  assert.equal(canaryConfirmation(canaryWalk({ steps: [{ kind: 'weight', weight: 10, pauseMs: 0, checks: [] }] })), 'before-start');
});
