import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canaryWaitKey, continuable, decideCanaryWatch, type CanaryWatchFacts } from '../../src/core/strategy/canary-watch.js';

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
  const recorded = { version: '1.0.1', state: 'awaiting-approval' as const, next: 2 };
  const first = decideCanaryWatch(facts({ recorded }));
  assert.deepEqual(first, { kind: 'wait', run: { version: '1.0.1', state: 'awaiting-approval' }, newer: undefined, key: canaryWaitKey(recorded, undefined), report: true });
  const reported = first.kind === 'wait' ? first.key : '';
  const again = decideCanaryWatch(facts({ recorded, reported }));
  assert.deepEqual(again.kind === 'wait' && again.report, false, 'not reported again');
  const newer = decideCanaryWatch(facts({ recorded, newest: '1.0.2', reported }));
  assert.deepEqual(newer.kind === 'wait' && [newer.newer, newer.report], ['1.0.2', true]);
  assert.equal(decideCanaryWatch(facts({ recorded, newest: '1.0.2', stable: null, gaveUp: new Set(['1.0.1']) })).kind, 'wait', 'a record wins over every other fact');
});

test('a running record (another job walks it, or a killed one left it) is waited for, never started over', () => {
  const recorded = { version: '1.0.1', state: 'running' as const, next: 1 };
  const d = decideCanaryWatch(facts({ recorded, lastRun: undefined }));
  assert.deepEqual(d.kind === 'wait' && [d.run, d.report], [{ version: '1.0.1', state: 'running' }, true]);
  const approved = decideCanaryWatch(facts({ recorded: { ...recorded, state: 'awaiting-approval' }, reported: d.kind === 'wait' ? d.key : '' }));
  assert.equal(approved.kind === 'wait' && approved.report, true, 'a change of state is reported');
});

test('the run it saw is gone: promoted (stable is its version) goes on; removed by a person (stable is not) is not started again', () => {
  assert.deepEqual(decideCanaryWatch(facts({ lastRun: '1.0.1', stable: '1.0.1' })), { kind: 'up-to-date' });
  assert.deepEqual(decideCanaryWatch(facts({ lastRun: '1.0.1', stable: '1.0.1', newest: '1.0.2' })), { kind: 'start', version: '1.0.2' }, 'the newer version that waited starts');
  assert.deepEqual(decideCanaryWatch(facts({ lastRun: '1.0.1' })), { kind: 'up-to-date', giveUp: '1.0.1' });
  assert.deepEqual(decideCanaryWatch(facts({ lastRun: '1.0.1', newest: '1.0.2' })), { kind: 'start', version: '1.0.2', giveUp: '1.0.1' }, 'aborting the old run lets the newer one start');
});

test('a recorded run is continued only when a watcher started it, it was walking, nothing stopped it on purpose, no live job holds its locks and the values are the same: every combination', () => {
  const continued: string[] = [];
  for (const startedBy of [undefined, 'deploy', 'watch'] as const) {
    for (const state of ['running', 'awaiting-approval'] as const) {
      for (const stoppedAt of [undefined, '2026-01-01T00:00:00Z']) {
        for (const lockHeld of [false, true]) {
          for (const sameInputs of [true, false]) {
            const recorded = { version: '1.0.1', state, next: 3, ...(startedBy ? { startedBy } : {}), ...(stoppedAt ? { stoppedAt } : {}) };
            const d = decideCanaryWatch(facts({ recorded, newest: '1.0.2', walker: { lockHeld, sameInputs } }));
            const name = `${startedBy ?? 'absent'}/${state}/${stoppedAt ? 'stopped' : 'not stopped'}/${lockHeld ? 'held' : 'free'}/${sameInputs ? 'same' : 'other'} inputs`;
            if (d.kind === 'continue') {
              assert.deepEqual(d, { kind: 'continue', version: '1.0.1', from: 3 }, name);
              continued.push(name);
            } else {
              // As before this rule: a person's to resume or abort, reported with the newer version waiting behind it.
              assert.deepEqual(d.kind === 'wait' && [d.run, d.newer], [{ version: '1.0.1', state }, '1.0.2'], name);
            }
          }
        }
      }
    }
  }
  assert.deepEqual(continued, ['watch/running/not stopped/free/same inputs']);
});

test('a run a watcher may continue is waited for when its job was not looked up, or when its version was given up on (refused when continued)', () => {
  const recorded = { version: '1.0.1', state: 'running' as const, next: 1, startedBy: 'watch' as const };
  assert.equal(decideCanaryWatch(facts({ recorded })).kind, 'wait', 'no lookup of its locks: not known to be gone');
  assert.equal(decideCanaryWatch(facts({ recorded, walker: { lockHeld: false, sameInputs: true }, gaveUp: new Set(['1.0.1']) })).kind, 'wait');
  assert.equal(decideCanaryWatch(facts({ recorded, walker: { lockHeld: false, sameInputs: true }, gaveUp: new Set(['1.0.0']) })).kind, 'continue');
});

test('continuable: what the record alone allows (the locks and values are looked up only then)', () => {
  const run = { version: '1.0.1', state: 'running' as const, next: 1 };
  assert.equal(continuable({ ...run, startedBy: 'watch' }), true);
  assert.equal(continuable(run), false, 'a record of an older chartctl names no starter: a person\'s');
  assert.equal(continuable({ ...run, startedBy: 'deploy' }), false);
  assert.equal(continuable({ ...run, startedBy: 'watch', state: 'awaiting-approval' }), false);
  assert.equal(continuable({ ...run, startedBy: 'watch', stoppedAt: 't' }), false);
});
