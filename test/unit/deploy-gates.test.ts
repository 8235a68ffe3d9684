import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeFreeze, decideApproval } from '../../src/core/deploy-gates.js';

test('freeze windows apply from `from` up to `to`', () => {
  const windows = [{ from: '2026-12-20T00:00:00Z', to: '2027-01-04T00:00:00Z', reason: 'holidays' }];
  assert.equal(activeFreeze(windows, new Date('2026-12-19T23:59:59Z')), undefined);
  assert.equal(activeFreeze(windows, new Date('2026-12-20T00:00:00Z'))?.reason, 'holidays');
  assert.equal(activeFreeze(windows, new Date('2027-01-03T12:00:00+01:00'))?.reason, 'holidays');
  assert.equal(activeFreeze(windows, new Date('2027-01-04T00:00:00Z')), undefined);
});

test('approval: not required, flag, prompt, refusals', () => {
  const base = { required: true, yes: false, interactive: false, ci: false };
  assert.deepEqual(decideApproval({ ...base, required: false }), { kind: 'approved', how: 'not-required', by: undefined });
  assert.deepEqual(decideApproval({ ...base, interactive: true }), { kind: 'ask' });
  assert.equal(decideApproval(base).kind, 'refused');
  assert.deepEqual(decideApproval({ ...base, yes: true }), { kind: 'approved', how: 'flag', by: undefined });
  const ci = decideApproval({ ...base, yes: true, ci: true });
  assert.equal(ci.kind, 'refused');
  assert.match((ci as { reason: string }).reason, /CHARTCTL_ACTOR/);
  assert.deepEqual(decideApproval({ ...base, yes: true, ci: true, actor: 'alice' }), { kind: 'approved', how: 'flag', by: 'alice' });
});

test('a deploy confirmation that cannot be asked does not claim the environment requires approval', () => {
  const base = { required: true, yes: false, interactive: false, ci: false };
  const confirmation = decideApproval({ ...base, asking: 'confirmation' });
  assert.equal(confirmation.kind, 'refused');
  assert.doesNotMatch((confirmation as { reason: string }).reason, /requires approval/);
  assert.match((confirmation as { reason: string }).reason, /confirmation and there is no terminal to ask: pass --yes/);
  assert.match((decideApproval({ ...base, asking: 'approval' }) as { reason: string }).reason, /requires approval/);
});
