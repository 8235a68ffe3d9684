// A pending-* head told apart: in progress (refuse) or stuck (recover), over the whole matrix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyPending, type LockEvidence } from '../../src/core/pending-release.js';
import type { LeaseRecord } from '../../src/core/release-lock.js';
import type { RevisionInfo } from '../../src/core/release-history.js';

const T0 = Date.parse('2026-12-02T13:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const rev = (revision: number, status: string, updatedS: number): RevisionInfo => ({ revision, status, updated: at(updatedS).toISOString(), chartName: 'shop', chartVersion: `1.0.${revision}`, appVersion: '1', description: '' });
const history = (headStatus: string, headAtS: number) => [rev(1, 'superseded', -3600), rev(2, 'deployed', -1800), rev(3, headStatus, headAtS)];
const TIMEOUT = 300_000; // 5m
const lease = (extra: Partial<LeaseRecord>): LeaseRecord => ({ name: 'chartctl-release-shop', resourceVersion: '9', transitions: 1, ...extra });
const classify = (h: RevisionInfo[], lock: LockEvidence, nowS = 0) => classifyPending({ history: h, lock, now: at(nowS), deployTimeoutMs: TIMEOUT });

test('no pending head: nothing to tell apart', () => {
  assert.equal(classify(history('deployed', -10), { kind: 'ours' }).kind, 'none');
  assert.equal(classify(history('failed', -10), { kind: 'ours' }).kind, 'none');
  assert.equal(classify([], { kind: 'ours' }).kind, 'none');
  // Only the head counts: an old pending revision below a deployed one is history.
  assert.equal(classify([rev(1, 'pending-upgrade', -100), rev(2, 'deployed', -50)], { kind: 'ours' }).kind, 'none');
});

test('a held lock means in progress, however old the pending revision', () => {
  for (const status of ['pending-install', 'pending-upgrade', 'pending-rollback']) {
    const s = classify(history(status, -86_400), { kind: 'heldByOther', holder: 'job-a', since: at(-60) });
    assert.equal(s.kind, 'inProgress', status);
    assert.match(s.kind === 'inProgress' ? s.reason : '', /held by job-a/);
  }
});

test('written during a dead holder\'s tenure (its Lease expired): stuck, even when young', () => {
  const dead = lease({ holder: 'job-a', acquiredAt: at(-20), renewedAt: at(-18), durationSeconds: 5 });
  const s = classify(history('pending-upgrade', -19), { kind: 'ours', previous: dead });
  assert.equal(s.kind, 'stuck');
  assert.match(s.kind === 'stuck' ? s.reason : '', /written by job-a, whose lock expired/);
});

test('written during a holder\'s tenure that ended with a release: stuck (it left the release pending)', () => {
  const released = lease({ holder: undefined, lastHolder: 'job-a', acquiredAt: at(-60), renewedAt: at(-30), durationSeconds: 30, operation: 'deploy shop 1.0.3' });
  const s = classify(history('pending-upgrade', -40), { kind: 'ours', previous: released });
  assert.equal(s.kind, 'stuck');
  assert.match(s.kind === 'stuck' ? s.reason : '', /job-a \(deploy shop 1.0.3\), which released the lock/);
});

test('a helm run that began right after a holder released the lock is in progress, not stuck (no slack past the tenure)', () => {
  const released = lease({ holder: undefined, lastHolder: 'job-a', acquiredAt: at(-60), renewedAt: at(-30), durationSeconds: 30, operation: 'rollback shop' });
  const rightAfter = { ...rev(3, 'pending-upgrade', -30), updated: new Date(at(-30).getTime() + 200).toISOString() };
  const s = classify([rev(1, 'superseded', -3600), rev(2, 'deployed', -1800), rightAfter], { kind: 'ours', previous: released });
  assert.equal(s.kind, 'inProgress');
  // Just before the release, by the same clock, it is the holder's own: stuck.
  const rightBefore = { ...rightAfter, updated: new Date(at(-30).getTime() - 200).toISOString() };
  assert.equal(classify([rev(1, 'superseded', -3600), rev(2, 'deployed', -1800), rightBefore], { kind: 'ours', previous: released }).kind, 'stuck');
});

test('a helm run that wrote just before a job took the lock is in progress, not that job\'s (no slack before the tenure)', () => {
  // The race seen in integration/release-lock: a bare helm upgrade writes pending-upgrade, a deploy takes the lock
  // 300 ms later, finds it in progress and releases; a rollback then reads that deploy's tenure. A chartctl job's own
  // helm run writes after its lock is taken, by the same machine's clock, so nothing before the tenure is the job's.
  const refused = lease({ holder: undefined, lastHolder: 'job-a', acquiredAt: at(-10), renewedAt: new Date(at(-10).getTime() + 400), durationSeconds: 30, operation: 'deploy shop 1.0.4' });
  const justBefore = { ...rev(3, 'pending-upgrade', -10), updated: new Date(at(-10).getTime() - 300).toISOString() };
  const s = classify([rev(1, 'superseded', -3600), rev(2, 'deployed', -1800), justBefore], { kind: 'ours', previous: refused });
  assert.equal(s.kind, 'inProgress');
  assert.match(s.kind === 'inProgress' ? s.reason : '', /outside chartctl's lock/);
});

test('written outside any chartctl tenure: in progress while younger than the deploy timeout, stuck after', () => {
  // Before the last holder took the lock, or after it released it: a helm run chartctl did not start.
  const released = lease({ holder: undefined, lastHolder: 'job-a', acquiredAt: at(-600), renewedAt: at(-500), durationSeconds: 30 });
  for (const lock of [{ kind: 'ours' } as const, { kind: 'ours', previous: released } as const]) {
    assert.equal(classify(history('pending-upgrade', -60), lock).kind, 'inProgress');
    assert.equal(classify(history('pending-upgrade', -299), lock).kind, 'inProgress');
    assert.equal(classify(history('pending-upgrade', -300), lock).kind, 'stuck');
    assert.equal(classify(history('pending-install', -3600), lock).kind, 'stuck');
  }
  const young = classify(history('pending-upgrade', -60), { kind: 'ours' });
  assert.match(young.kind === 'inProgress' ? young.reason : '', /outside chartctl's lock and is younger than the deploy timeout \(until 2026-12-02T13:04:00.000Z\)/);
});

test('helm\'s own timestamp format (nanoseconds, offset) is read', () => {
  const h = [rev(1, 'deployed', -100), { ...rev(2, 'pending-upgrade', 0), updated: '2026-12-02T14:59:59.123456789+02:00' }];
  assert.equal(classify(h, { kind: 'ours' }, 10).kind, 'inProgress');
  assert.equal(classify(h, { kind: 'ours' }, 301).kind, 'stuck');
});

test('a revision an earlier holder found stuck stays stuck for the next job, matched by number and timestamp', () => {
  // The job that found it stuck refused it and freed the lock: its own tenure began after the revision was written.
  const h = history('pending-upgrade', -60);
  const head = h[2]!;
  const refusedBy = lease({ holder: undefined, lastHolder: 'job-b', acquiredAt: at(-30), renewedAt: at(-20), durationSeconds: 30, stuck: { revision: 3, updated: head.updated, reason: 'it was written by job-a, whose lock expired without finishing' } });
  const s = classify(h, { kind: 'ours', previous: refusedBy });
  assert.equal(s.kind, 'stuck');
  assert.match(s.kind === 'stuck' ? s.reason : '', /job-a, whose lock expired/);
  // Another revision with the same number (the history was rewritten) is not that one.
  const other = lease({ ...refusedBy, stuck: { revision: 3, updated: at(-500).toISOString(), reason: 'old' } });
  assert.equal(classify(h, { kind: 'ours', previous: other }).kind, 'inProgress');
});

test('the tenure starts when the holder recorded that it started helm: marked, unmarked and older-chartctl Leases, inside and outside, young and old', () => {
  // job-a held the lock from -60 s to -10 s (freed it, or stopped renewing so that its Lease expired at -10 s).
  const ends = {
    released: { holder: undefined, lastHolder: 'job-a', acquiredAt: at(-60), renewedAt: at(-10), durationSeconds: 30 },
    expired: { holder: 'job-a', acquiredAt: at(-60), renewedAt: at(-15), durationSeconds: 5 },
  };
  const records = { olderChartctl: undefined, startedNoHelm: null, startedHelmAt40: at(-40) };
  const young = 0;
  const old = 600; // the revisions below are all older than the 5m deploy timeout by then
  type Expect = { young: 'stuck' | 'inProgress'; old: 'stuck' | 'inProgress' };
  const stuck: Expect = { young: 'stuck', old: 'stuck' };
  const byAge: Expect = { young: 'inProgress', old: 'stuck' };
  // Written: before the lock was taken, inside it before helm started (-50), inside it after (-30), after it ended.
  const cases: Array<[keyof typeof records, number, Expect]> = [
    ['olderChartctl', -70, byAge], ['olderChartctl', -50, stuck], ['olderChartctl', -30, stuck], ['olderChartctl', -5, byAge],
    ['startedNoHelm', -70, byAge], ['startedNoHelm', -50, byAge], ['startedNoHelm', -30, byAge], ['startedNoHelm', -5, byAge],
    ['startedHelmAt40', -70, byAge], ['startedHelmAt40', -50, byAge], ['startedHelmAt40', -30, stuck], ['startedHelmAt40', -5, byAge],
  ];
  for (const [endName, end] of Object.entries(ends)) {
    for (const [record, writtenS, expected] of cases) {
      const previous = lease({ ...end, operation: 'deploy shop 1.0.4', ...(record === 'olderChartctl' ? {} : { helmStartedAt: records[record] }) });
      for (const [when, nowS] of [['young', young], ['old', old]] as const) {
        const s = classify(history('pending-upgrade', writtenS), { kind: 'ours', previous }, nowS);
        assert.equal(s.kind, expected[when], `${record}, lock ${endName}, written at ${writtenS}s, ${when}`);
      }
    }
  }
});

test('a revision written while a holder held the lock without running helm says so; one written before its helm run too', () => {
  const released = (helmStartedAt: Date | null) => lease({ holder: undefined, lastHolder: 'job-a', acquiredAt: at(-60), renewedAt: at(-10), durationSeconds: 30, operation: 'deploy shop 1.0.4', helmStartedAt });
  const none = classify(history('pending-upgrade', -30), { kind: 'ours', previous: released(null) });
  assert.equal(none.kind, 'inProgress');
  assert.match(none.kind === 'inProgress' ? none.reason : '', /written at .* while job-a \(deploy shop 1.0.4\) held the lock, which started no helm run, and is younger than the deploy timeout/);
  const beforeHelm = classify(history('pending-upgrade', -50), { kind: 'ours', previous: released(at(-40)) });
  assert.match(beforeHelm.kind === 'inProgress' ? beforeHelm.reason : '', /held the lock, before it started helm, and is younger/);
  const own = classify(history('pending-upgrade', -30), { kind: 'ours', previous: released(at(-40)) });
  assert.match(own.kind === 'stuck' ? own.reason : '', /written by job-a \(deploy shop 1.0.4\), which released the lock without finishing/);
  // The start itself is inside (helm writes after it, by the same clock): no slack needed, none given.
  assert.equal(classify(history('pending-upgrade', -40), { kind: 'ours', previous: released(at(-40)) }).kind, 'stuck');
  assert.equal(classify([rev(1, 'superseded', -3600), rev(2, 'deployed', -1800), { ...rev(3, 'pending-upgrade', -40), updated: new Date(at(-40).getTime() - 1).toISOString() }], { kind: 'ours', previous: released(at(-40)) }).kind, 'inProgress');
});
