import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideBlueGreenSwitch, planBlueGreenDeploy, planBlueGreenRollback, type BlueGreenState, type SlotState } from '../../src/core/strategy/blue-green-plan.js';
import type { CheckResult } from '../../src/core/strategy/check-verdict.js';

const slot = (name: string, over: Partial<SlotState> = {}): SlotState => ({ slot: name, release: `shop-${name}`, ...over });
const state = (blue: Partial<SlotState> | undefined, green: Partial<SlotState> | undefined, router: BlueGreenState['router'] = { exists: false }): BlueGreenState => ({
  slots: [slot('blue', blue), slot('green', green)],
  router,
});
const up = (revision: number, digest: string): Partial<SlotState> => ({ status: 'deployed', revision, digest, version: digest, healthy: true });

test('deploy: first install goes to the first slot, nothing is live', () => {
  assert.deepEqual(planBlueGreenDeploy(state(undefined, undefined), { digest: 'd1' }), { kind: 'deploy', idle: slot('blue') });
});

test('deploy: always into the slot the router does not select, whichever it is', () => {
  const blueLive = state(up(1, 'd1'), undefined, { exists: true, liveSlot: 'blue' });
  assert.equal((planBlueGreenDeploy(blueLive, { digest: 'd2' }) as { idle: SlotState }).idle.slot, 'green');
  const greenLive = state(up(1, 'd1'), up(1, 'd2'), { exists: true, liveSlot: 'green', previous: { slot: 'blue', revision: 1 } });
  const plan = planBlueGreenDeploy(greenLive, { digest: 'd3' });
  assert.equal(plan.kind, 'deploy');
  assert.equal((plan as { idle: SlotState }).idle.slot, 'blue');
  assert.equal((plan as { live: SlotState }).live.slot, 'green');
});

test('deploy: the live slot already running this digest is unchanged; the idle slot holding it is not (it is not serving)', () => {
  assert.equal(planBlueGreenDeploy(state(up(1, 'd1'), undefined, { exists: true, liveSlot: 'blue' }), { digest: 'd1' }).kind, 'unchanged');
  assert.equal(planBlueGreenDeploy(state(up(1, 'd1'), up(1, 'd2'), { exists: true, liveSlot: 'blue' }), { digest: 'd2' }).kind, 'deploy');
});

test('deploy: a router naming a slot that is not installed counts as nothing live', () => {
  assert.deepEqual(planBlueGreenDeploy(state(undefined, undefined, { exists: true, liveSlot: 'green' }), { digest: 'd1' }), { kind: 'deploy', idle: slot('blue') });
});

test('deploy: an idle slot with a pending helm operation is refused; a failed one is deployed over', () => {
  for (const status of ['pending-upgrade', 'pending-install', 'pending-rollback']) {
    const plan = planBlueGreenDeploy(state(up(1, 'd1'), { status, revision: 2 }, { exists: true, liveSlot: 'blue' }), { digest: 'd2' });
    assert.equal(plan.kind, 'refused');
    assert.match((plan as { reason: string }).reason, new RegExp(`idle slot green \\(release shop-green\\) is ${status}`));
  }
  assert.equal(planBlueGreenDeploy(state(up(1, 'd1'), { status: 'failed', revision: 2 }, { exists: true, liveSlot: 'blue' }), { digest: 'd2' }).kind, 'deploy');
});

const passed = (name: string): CheckResult => ({ name, kind: 'http', passed: true, detail: 'ok' });
const failed = (name: string): CheckResult => ({ name, kind: 'prometheus', passed: false, value: 0.2, detail: 'value 0.2 is outside max 0.01' });

test('switch: only when upgrade, tests and every check passed; otherwise the live slot keeps traffic', () => {
  const plan = { kind: 'deploy' as const, idle: slot('green'), live: slot('blue', up(1, 'd1')) };
  assert.deepEqual(decideBlueGreenSwitch(plan, { upgraded: true, testsPassed: true, checks: [passed('a'), passed('b')] }), { kind: 'switch', to: 'green', from: 'blue' });
  assert.deepEqual(decideBlueGreenSwitch(plan, { upgraded: true, testsPassed: undefined, checks: [] }), { kind: 'switch', to: 'green', from: 'blue' }, 'tests off');
  assert.deepEqual(decideBlueGreenSwitch(plan, { upgraded: false, checks: [] }), { kind: 'keep', live: 'blue', reason: 'the upgrade of slot green failed' });
  assert.deepEqual(decideBlueGreenSwitch(plan, { upgraded: true, testsPassed: false, checks: [] }), { kind: 'keep', live: 'blue', reason: 'helm test failed on slot green' });
  assert.deepEqual(decideBlueGreenSwitch(plan, { upgraded: true, testsPassed: true, checks: [passed('a'), failed('errors'), failed('later')] }), {
    kind: 'keep',
    live: 'blue',
    reason: 'check errors failed on slot green: value 0.2 is outside max 0.01',
  });
  assert.deepEqual(decideBlueGreenSwitch({ kind: 'deploy', idle: slot('blue') }, { upgraded: true, checks: [] }), { kind: 'switch', to: 'blue' }, 'first install: nothing to switch from');
});

test('rollback: back to the slot that served, while it still holds that revision and is ready', () => {
  const s = state(up(3, 'd1'), up(2, 'd2'), { exists: true, liveSlot: 'green', previous: { slot: 'blue', revision: 3 } });
  const plan = planBlueGreenRollback(s);
  assert.equal(plan.kind, 'switch');
  assert.deepEqual([(plan as { to: SlotState }).to.slot, (plan as { from: SlotState }).from.slot], ['blue', 'green']);
});

test('rollback: refused with the reason when there is nothing safe to switch to', () => {
  const cases: Array<[BlueGreenState, RegExp]> = [
    [state(undefined, undefined), /no slot is live yet/],
    [state(up(1, 'd1'), undefined, { exists: true, liveSlot: 'blue' }), /slot green has never served traffic/],
    [state(undefined, up(1, 'd2'), { exists: true, liveSlot: 'green', previous: { slot: 'blue', revision: 1 } }), /slot blue is not installed any more/],
    [state({ status: 'failed', revision: 4 }, up(1, 'd2'), { exists: true, liveSlot: 'green', previous: { slot: 'blue', revision: 3 } }), /slot blue now holds revision 4 \(failed\), not revision 3 that served: switching to it would send traffic to an untested version/],
    [state({ ...up(3, 'd1'), healthy: false }, up(1, 'd2'), { exists: true, liveSlot: 'green', previous: { slot: 'blue', revision: 3 } }), /slot blue is not ready/],
    [state({ status: 'pending-upgrade', revision: 3 }, up(1, 'd2'), { exists: true, liveSlot: 'green', previous: { slot: 'blue', revision: 3 } }), /slot blue is pending-upgrade/],
  ];
  for (const [s, reason] of cases) {
    const plan = planBlueGreenRollback(s);
    assert.equal(plan.kind, 'refused');
    assert.match((plan as { reason: string }).reason, reason);
  }
});
