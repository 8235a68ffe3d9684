// The release lock's pure decisions and the hold/renew/release cycle over the
// in-memory Leases, with a clock and a sleep that the test drives (no wall time).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ciJob, decideLock, describeHolding, leaseExpiresAt, leaseNameFor, lockHolderIdentity, type LeaseRecord } from '../../src/core/release-lock.js';
import { holdReleaseLock, type HoldLockOptions } from '../../src/actions/hold-release-lock.js';
import { MemoryReleaseLocks } from '../../src/adapters/memory-release-locks.js';
import { MemoryReporter } from '../../src/adapters/reporter.js';
import { ChartctlError } from '../../src/core/errors.js';

const T0 = new Date('2026-12-02T13:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const lease = (extra: Partial<LeaseRecord>): LeaseRecord => ({ name: 'chartctl-release-shop', resourceVersion: '7', transitions: 0, ...extra });

test('decideLock: none -> create; free or ours -> take; live -> wait until expiry; expired -> take over', () => {
  assert.deepEqual(decideLock(undefined, 'me', T0), { kind: 'create' });
  const free = lease({ holder: undefined, acquiredAt: at(-100), renewedAt: at(-50), durationSeconds: 30 });
  assert.equal(decideLock(free, 'me', T0).kind, 'take');
  const mine = lease({ holder: 'me', renewedAt: at(-1), durationSeconds: 30 });
  assert.equal(decideLock(mine, 'me', T0).kind, 'take');
  const live = lease({ holder: 'other', acquiredAt: at(-20), renewedAt: at(-5), durationSeconds: 30, operation: 'deploy shop 1.2.0' });
  assert.deepEqual(decideLock(live, 'me', T0), { kind: 'wait', holder: 'other', since: at(-20), operation: 'deploy shop 1.2.0', expiresAt: at(25) });
  // Exactly at renewTime + duration it has expired; a millisecond before it has not.
  assert.equal(decideLock(live, 'me', at(25)).kind, 'takeOverExpired');
  assert.equal(decideLock(live, 'me', new Date(at(25).getTime() - 1)).kind, 'wait');
  // Expiry reads renewTime, falling back to acquireTime; no duration or no time: expired.
  assert.deepEqual(leaseExpiresAt(lease({ holder: 'x', acquiredAt: at(0), durationSeconds: 10 })), at(10));
  assert.equal(decideLock(lease({ holder: 'x', acquiredAt: at(0) }), 'me', at(1)).kind, 'takeOverExpired');
  assert.equal(decideLock(lease({ holder: 'x', durationSeconds: 10 }), 'me', at(1)).kind, 'takeOverExpired');
});

test('holder identity names actor, CI job, host and pid; the Lease is named after the release', () => {
  assert.equal(leaseNameFor('shop'), 'chartctl-release-shop');
  assert.equal(ciJob({ GITHUB_RUN_ID: '812733', GITHUB_JOB: 'deploy' }), 'github 812733/deploy');
  assert.equal(ciJob({ CI_JOB_ID: '42' }), 'gitlab 42');
  assert.equal(ciJob({ GITHUB_JOB: 'deploy' }), undefined, 'a job name without its run id does not identify a run');
  assert.equal(ciJob({}), undefined);
  assert.equal(lockHolderIdentity({ actor: 'octocat (GITHUB_ACTOR)', job: 'github 1/deploy', host: 'runner-7', pid: 12 }), 'octocat (GITHUB_ACTOR), job github 1/deploy, host runner-7, pid 12');
  assert.equal(lockHolderIdentity({ host: 'h', pid: 1 }), 'unknown actor, host h, pid 1');
  assert.equal(describeHolding({ holder: 'a', since: new Date('2026-12-02T13:02:11.250Z'), operation: 'rollback shop' }), 'a (rollback shop) since 2026-12-02T13:02:11Z');
});

/** A clock the test owns; sleeping advances it (and lets other "jobs" act through onSleep). */
function harness(onSleep?: (ms: number) => void) {
  let now = T0.getTime();
  const controller = new AbortController();
  const reporter = new MemoryReporter();
  const locks = new MemoryReleaseLocks();
  const deps = { locks, reporter, now: () => new Date(now), signal: controller.signal };
  const sleeps: number[] = [];
  const options = (holder: string, extra: Partial<HoldLockOptions> = {}): HoldLockOptions => ({
    holder,
    operation: `deploy shop (${holder})`,
    waitMs: 60_000,
    timeoutName: '--lock-timeout',
    durationSeconds: 15,
    heartbeatMs: 10_000,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
      onSleep?.(ms);
    },
    ...extra,
  });
  return { deps, locks, reporter, options, sleeps, advance: (ms: number) => (now += ms), controller };
}
const target = { release: 'shop', namespace: 'shop-dev' };

test('a free release is taken at once; release() frees it and records who held it', async () => {
  const h = harness();
  const held = await holdReleaseLock(h.deps, target, h.options('job-a'));
  assert.equal((await h.locks.read(target))?.holder, 'job-a');
  assert.equal(held.evidence.kind, 'ours');
  assert.equal(held.evidence.previous, undefined, 'nobody held it before');
  assert.equal(h.sleeps.length, 0);
  await held.release();
  const after = await h.locks.read(target);
  assert.equal(after?.holder, undefined);
  assert.equal(after?.lastHolder, 'job-a');
  // The next job takes the freed Lease and learns whose tenure ended when.
  const next = await holdReleaseLock(h.deps, target, h.options('job-b'));
  assert.equal(next.evidence.previous?.lastHolder, 'job-a');
  assert.equal((await h.locks.read(target))?.transitions, 1);
  await next.release();
});

test('a live holder makes the second job wait, with progress naming the holder, until it releases', async () => {
  let first: Awaited<ReturnType<typeof holdReleaseLock>> | undefined;
  let slept = 0;
  const h = harness(() => {
    // The first job finishes after the waiter's third read.
    if (++slept === 3) void first!.release();
  });
  first = await holdReleaseLock(h.deps, target, h.options('job-a'));
  const second = await holdReleaseLock(h.deps, target, h.options('job-b', { pollMs: 1000, heartbeatMs: 2000 }));
  assert.equal((await h.locks.read(target))?.holder, 'job-b');
  const waiting = h.reporter.events.filter((e: any) => e.event === 'lockWaiting') as any[];
  assert.ok(waiting.length >= 1 && waiting.length < slept, `heartbeat-style, not one line per poll (${waiting.length} of ${slept})`);
  assert.equal(waiting[0].holder, 'job-a');
  assert.equal(waiting[0].operation, 'deploy shop (job-a)');
  assert.equal(waiting[0].since, T0.toISOString());
  assert.match(h.reporter.lines[0]!, /Waiting for the release lock of shop in shop-dev: held by job-a \(deploy shop \(job-a\)\) since 2026-12-02T13:00:00Z/);
  assert.ok(h.reporter.events.some((e: any) => e.event === 'lockAcquired' && e.holder === 'job-b' && e.tookOverFrom === null));
  await second.release();
});

test('--no-wait-lock fails at once, and a timeout fails after waiting, both naming the holder (exit 1)', async () => {
  const h = harness();
  const first = await holdReleaseLock(h.deps, target, h.options('job-a'));
  await assert.rejects(holdReleaseLock(h.deps, target, h.options('job-b', { waitMs: 0, timeoutName: '--lock-timeout' })), (err: unknown) => {
    assert.ok(err instanceof ChartctlError);
    assert.equal(err.code, 'RELEASE_LOCKED');
    assert.equal(err.exitCode, 1);
    assert.match(err.message, /^Release shop in shop-dev is locked by job-a \(deploy shop \(job-a\)\) since 2026-12-02T13:00:00Z\.$/);
    assert.match(err.hint ?? '', /without --no-wait-lock/);
    return true;
  });
  assert.equal(h.sleeps.length, 0, 'no wait at all');
  // The holder keeps renewing (its timer is real; the renewal here is done by hand), so a 3 s timeout runs out.
  const waiter = holdReleaseLock(h.deps, target, h.options('job-b', { waitMs: 3000, pollMs: 1000 }));
  await assert.rejects(waiter, /locked by job-a .*gave up after waiting 3s/);
  assert.equal((await h.locks.read(target))?.holder, 'job-a');
  await first.release();
});

test('a holder that stopped renewing is taken over once its Lease expires, and the take-over is reported', async () => {
  const h = harness();
  h.locks.put(target, { holder: 'dead-job', acquiredAt: at(-5), renewedAt: at(-5), durationSeconds: 15, transitions: 2, operation: 'deploy shop 1.0.0' });
  const held = await holdReleaseLock(h.deps, target, h.options('job-b', { pollMs: 1000 }));
  // Waited from T0 until renewTime + 15 s = T0 + 10 s, polling.
  assert.equal(h.sleeps.reduce((a, b) => a + b, 0), 10_000);
  const now = await h.locks.read(target);
  assert.equal(now?.holder, 'job-b');
  assert.equal(now?.transitions, 3);
  assert.equal(held.evidence.previous?.holder, 'dead-job');
  assert.ok(h.reporter.lines.some((l) => /took over the release lock of dead-job \(deploy shop 1.0.0\) since .*which stopped renewing it at 2026-12-02T13:00:10.000Z/.test(l)));
  assert.ok(h.reporter.events.some((e: any) => e.event === 'lockAcquired' && e.tookOverFrom === 'dead-job'));
  await held.release();
});

test('two jobs racing for a free Lease: exactly one wins the write, the other waits for it', async () => {
  const h = harness();
  let raced = false;
  h.locks.beforeWrite = () => {
    if (raced) return;
    raced = true;
    // Another job creates the Lease between job-b's read and its create.
    h.locks.put(target, { holder: 'job-a', acquiredAt: at(0), renewedAt: at(0), durationSeconds: 15, transitions: 0 });
  };
  await assert.rejects(holdReleaseLock(h.deps, target, h.options('job-b', { waitMs: 0 })), /locked by job-a/);
  assert.equal((await h.locks.read(target))?.holder, 'job-a');
});

test('renewal keeps the Lease; a renewal that finds another holder marks the lock lost', async () => {
  const h = harness();
  const held = await holdReleaseLock(h.deps, target, h.options('job-a', { durationSeconds: 3 }));
  const before = (await h.locks.read(target))!.resourceVersion;
  // The renewal timer fires every second (a third of 3 s); wait for a write instead of a fixed time.
  await waitFor(() => h.locks.writes.length >= 2);
  assert.notEqual((await h.locks.read(target))!.resourceVersion, before);
  h.locks.put(target, { holder: 'thief', acquiredAt: at(0), renewedAt: at(0), durationSeconds: 3, transitions: 1 });
  // The renewal timer is unref'd (a forgotten lock must not keep chartctl alive), so poll for the outcome.
  await waitFor(() => held.lost.aborted);
  assert.match(String((held.lost.reason as Error).message), /Lost the release lock of shop in shop-dev; it is now held by thief/);
  await held.release();
  assert.equal((await h.locks.read(target))?.holder, 'thief', 'a lost lock is not freed over its new holder');
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

test('a stuck note is kept on release and carried by the next holder', async () => {
  const h = harness();
  const first = await holdReleaseLock(h.deps, target, h.options('job-b'));
  first.evidence.noteStuck?.({ revision: 5, updated: '2026-12-02T12:59:00Z', reason: 'it was written by job-a, whose lock expired without finishing' });
  await first.release();
  assert.equal((await h.locks.read(target))?.stuck?.revision, 5);
  const second = await holdReleaseLock(h.deps, target, h.options('job-c'));
  assert.equal(second.evidence.previous?.stuck?.revision, 5, 'the next job sees it');
  assert.equal((await h.locks.read(target))?.stuck?.revision, 5, 'and carries it while it holds the lock');
  await second.release();
  assert.equal((await h.locks.read(target))?.stuck?.reason, 'it was written by job-a, whose lock expired without finishing');
});

test('the holder records once, before helm, that it starts helm; the time is kept on renewal and release, and the next holder starts with none', async () => {
  const h = harness();
  h.locks.put(target, { holder: undefined, lastHolder: 'job-0', acquiredAt: at(-90), renewedAt: at(-80), durationSeconds: 15, transitions: 0, helmStartedAt: at(-85) });
  const held = await holdReleaseLock(h.deps, target, h.options('job-a'));
  assert.equal((await h.locks.read(target))?.helmStartedAt, null, 'a new tenure: no helm run yet (job-0\'s start is not job-a\'s)');
  assert.deepEqual(held.evidence.previous?.helmStartedAt, at(-85));
  h.advance(2000);
  await held.startingHelm();
  assert.deepEqual((await h.locks.read(target))?.helmStartedAt, at(2));
  const writes = h.locks.writes.length;
  h.advance(1000);
  await held.startingHelm();
  assert.equal(h.locks.writes.length, writes, 'written once per job');
  await held.release();
  const freed = await h.locks.read(target);
  assert.equal(freed?.holder, undefined);
  assert.deepEqual(freed?.helmStartedAt, at(2), 'kept for the next job');
  const next = await holdReleaseLock(h.deps, target, h.options('job-b'));
  assert.deepEqual(next.evidence.previous?.helmStartedAt, at(2));
  assert.equal((await h.locks.read(target))?.helmStartedAt, null);
  await next.release();
  assert.equal((await h.locks.read(target))?.helmStartedAt, null, 'job-b started no helm: its freed Lease says so');
});

test('a holder whose Lease was taken over cannot record a helm start: it refuses, so helm does not run', async () => {
  const h = harness();
  const held = await holdReleaseLock(h.deps, target, h.options('job-a'));
  h.locks.put(target, { holder: 'thief', acquiredAt: at(0), renewedAt: at(0), durationSeconds: 15, transitions: 1, helmStartedAt: null });
  await assert.rejects(held.startingHelm(), (err: unknown) => err instanceof ChartctlError && err.code === 'RELEASE_LOCK_LOST' && /now held by thief/.test(err.message));
  const lease = await h.locks.read(target);
  assert.equal(lease?.holder, 'thief');
  assert.equal(lease?.helmStartedAt, null, 'nothing written over the new holder');
  await held.release();
});
