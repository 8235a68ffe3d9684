import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canaryWaitKey, decideCanaryWatch, type CanaryWatchFacts } from '../../src/core/strategy/canary-watch.js';

const facts = (over: Partial<CanaryWatchFacts> = {}): CanaryWatchFacts => ({ newest: '1.0.1', stable: '1.0.0', recorded: undefined, gaveUp: new Set(), lastRun: undefined, reported: undefined, ...over });

test('no record: a newer version than stable starts a canary; stable at the newest (a promoted canary) is up to date', () => {
  assert.deepEqual(decideCanaryWatch(facts()), { kind: 'start', version: '1.0.1' });
  assert.deepEqual(decideCanaryWatch(facts({ stable: '1.0.1' })), { kind: 'up-to-date' });
  assert.deepEqual(decideCanaryWatch(facts({ stable: '1.0.2' })), { kind: 'up-to-date' }, 'an older newest is not deployed over a newer stable');
  assert.deepEqual(decideCanaryWatch(facts({ newest: undefined })), { kind: 'up-to-date' });
  assert.deepEqual(decideCanaryWatch(facts({ stable: null })), { kind: 'start', version: '1.0.1' }, 'nothing installed: deploy installs it as stable');
});

test('a version whose canary failed is not started again until a newer one appears', () => {
  assert.deepEqual(decideCanaryWatch(facts({ gaveUp: new Set(['1.0.1']) })), { kind: 'up-to-date' });
  assert.deepEqual(decideCanaryWatch(facts({ newest: '1.0.2', gaveUp: new Set(['1.0.1']) })), { kind: 'start', version: '1.0.2' });
});

test('a run waiting for approval is left alone and reported once; a newer version waits behind it, reported once more', () => {
  const recorded = { version: '1.0.1', state: 'awaiting-approval' as const };
  const first = decideCanaryWatch(facts({ recorded }));
  assert.deepEqual(first, { kind: 'wait', run: recorded, newer: undefined, key: canaryWaitKey(recorded, undefined), report: true });
  const reported = first.kind === 'wait' ? first.key : '';
  const again = decideCanaryWatch(facts({ recorded, reported }));
  assert.deepEqual(again.kind === 'wait' && again.report, false, 'not reported again');
  const newer = decideCanaryWatch(facts({ recorded, newest: '1.0.2', reported }));
  assert.deepEqual(newer.kind === 'wait' && [newer.newer, newer.report], ['1.0.2', true]);
  assert.equal(decideCanaryWatch(facts({ recorded, newest: '1.0.2', stable: null, gaveUp: new Set(['1.0.1']) })).kind, 'wait', 'a record wins over every other fact');
});

test('a running record (another job walks it, or a killed one left it) is waited for, never started over', () => {
  const recorded = { version: '1.0.1', state: 'running' as const };
  const d = decideCanaryWatch(facts({ recorded, lastRun: undefined }));
  assert.deepEqual(d.kind === 'wait' && [d.run, d.report], [recorded, true]);
  const approved = decideCanaryWatch(facts({ recorded: { ...recorded, state: 'awaiting-approval' }, reported: d.kind === 'wait' ? d.key : '' }));
  assert.equal(approved.kind === 'wait' && approved.report, true, 'a change of state is reported');
});

test('the run it saw is gone: promoted (stable is its version) goes on; removed by a person (stable is not) is not started again', () => {
  assert.deepEqual(decideCanaryWatch(facts({ lastRun: '1.0.1', stable: '1.0.1' })), { kind: 'up-to-date' });
  assert.deepEqual(decideCanaryWatch(facts({ lastRun: '1.0.1', stable: '1.0.1', newest: '1.0.2' })), { kind: 'start', version: '1.0.2' }, 'the newer version that waited starts');
  assert.deepEqual(decideCanaryWatch(facts({ lastRun: '1.0.1' })), { kind: 'up-to-date', giveUp: '1.0.1' });
  assert.deepEqual(decideCanaryWatch(facts({ lastRun: '1.0.1', newest: '1.0.2' })), { kind: 'start', version: '1.0.2', giveUp: '1.0.1' }, 'aborting the old run lets the newer one start');
});
