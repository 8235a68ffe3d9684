import { setTimeout as delay } from 'node:timers/promises';
import { ChartctlError } from '../core/errors.js';
import type { LockEvidence } from '../core/pending-release.js';
import { ciJob, decideLock, describeHolding, leaseExpiresAt, leaseSecondsFrom, lockHolderIdentity, type LeaseRecord } from '../core/release-lock.js';
import type { LeaseWrite, ReleaseLockTarget } from '../adapters/release-locks.js';
import { durationMs } from '../core/duration.js';
import type { Environment } from '../core/environment.js';
import { Interrupted } from '../core/interruption.js';
import { heartbeatIntervalMs } from '../core/wait-heartbeat.js';
import type { Deps } from './deps.js';
import { resolveActor } from './steps/resolve-actor.js';
import { recordingHelmStart } from './releases-under-lock.js';

/** What a dry run (which takes no lock) can tell from reading it: held by another job, or as if this job took it. */
export async function lockSeenFrom(deps: Deps, env: Environment): Promise<LockEvidence> {
  const lease = await deps.locks.read({ release: env.release, namespace: env.namespace, kubeContext: env.kubeContext }).catch(() => undefined);
  const decision = decideLock(lease, '', deps.now());
  if (decision.kind === 'wait') return { kind: 'heldByOther', holder: decision.holder, since: decision.since, operation: decision.operation };
  return { kind: 'ours', previous: lease };
}

/** --lock-timeout and --no-wait-lock, as every command that changes a release takes them. */
export interface ReleaseLockFlags {
  /** How long to wait for another job's lock (helm duration); default: the deploy timeout. */
  lockTimeout?: string;
  noWaitLock?: boolean;
}

/**
 * Runs `body` holding the release's lock and frees it afterwards, whatever
 * happened, except when an interrupted helm is still running: then the Lease
 * is left to expire, so nobody takes over from a helm that is still writing.
 * `body` changes releases through the Deps it is given: their helm changes of
 * this release are recorded in the Lease first (recordingHelmStart).
 */
export async function withReleaseLock<T>(
  deps: Deps,
  env: Environment,
  request: { operation: string; flags: ReleaseLockFlags; deployTimeout: string; createNamespace?: boolean },
  body: (held: HeldReleaseLock, deps: Deps) => Promise<T>,
): Promise<T> {
  const { flags } = request;
  const waitMs = flags.noWaitLock ? 0 : durationMs(flags.lockTimeout ?? request.deployTimeout);
  const target = { release: env.release, namespace: env.namespace, kubeContext: env.kubeContext };
  const held = await holdReleaseLock(deps, { ...target, createNamespace: request.createNamespace }, {
    holder: await lockHolderFor(deps),
    operation: request.operation,
    waitMs,
    timeoutName: `--lock-timeout (now ${flags.noWaitLock ? '0s' : (flags.lockTimeout ?? request.deployTimeout)})`,
    durationSeconds: leaseSecondsFrom(deps.env.CHARTCTL_LOCK_LEASE_SECONDS),
    heartbeatMs: heartbeatIntervalMs(deps.env.CHARTCTL_HEARTBEAT_INTERVAL),
  });
  let helmStillRunning = false;
  try {
    return await body(held, { ...deps, releases: recordingHelmStart(deps.releases, target, () => held.startingHelm()) });
  } catch (err) {
    helmStillRunning = err instanceof Interrupted && Boolean(err.stillRunning);
    throw err;
  } finally {
    if (helmStillRunning) held.abandon();
    else await held.release();
  }
}

/** actor + CI job + host + pid, as the Lease's holderIdentity. */
export async function lockHolderFor(deps: Pick<Deps, 'env' | 'git' | 'repo' | 'host'>): Promise<string> {
  return lockHolderIdentity({ actor: await resolveActor(deps as Deps), job: ciJob(deps.env), host: deps.host.name, pid: deps.host.pid });
}

/** Resolves after `ms`, or as soon as `signal` aborts (without an error). */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;
const sleepUnlessAborted: Sleep = (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined);

export interface HoldLockOptions {
  /** This job's holderIdentity (see lockHolderFor). */
  holder: string;
  /** What this job does, shown to whoever waits, e.g. `deploy shop 1.4.0`. */
  operation: string;
  /** How long to wait for another holder; 0 fails at once (--no-wait-lock). */
  waitMs: number;
  /** The env var or flag the timeout came from, for the refusal's hint. */
  timeoutName: string;
  durationSeconds: number;
  heartbeatMs: number;
  /** How often a waiting job reads the Lease again. */
  pollMs?: number;
  sleep?: Sleep;
}

export interface HeldReleaseLock {
  holder: string;
  /** What the lock says about earlier holders, for classifyPending; `lost` is the lock's, for checking before a change starts. */
  evidence: Extract<LockEvidence, { kind: 'ours' }> & { lost?: AbortSignal };
  /** Aborted when a renewal finds the Lease taken by someone else (it expired while this job could not renew it). */
  lost: AbortSignal;
  /**
   * Records in the Lease that this job starts changing the release with helm (once; later calls return at once),
   * and resolves only once that is written: from then on a pending revision is this job's own. Throws, and helm
   * must not start, when the lock was lost or the Lease could not be written.
   */
  startingHelm(): Promise<void>;
  /** Stops renewing and frees the Lease for the next job. */
  release(): Promise<void>;
  /** Stops renewing and leaves the Lease to expire (helm is still running: nobody should take over before it ends). */
  abandon(): void;
}

export type LockEvent =
  | { event: 'lockWaiting'; release: string; namespace: string; holder: string; operation: string | null; since: string | null; expiresAt: string; waited: number }
  | { event: 'lockAcquired'; release: string; namespace: string; holder: string; waited: number; tookOverFrom: string | null };

/**
 * Takes the release's Lease (waiting for another holder up to `waitMs`),
 * renews it every third of its duration while held, and frees it on
 * release(). A holder that dies stops renewing; its Lease expires and the
 * next job takes it over.
 */
export async function holdReleaseLock(deps: Pick<Deps, 'locks' | 'now' | 'reporter' | 'signal'>, target: ReleaseLockTarget, options: HoldLockOptions): Promise<HeldReleaseLock> {
  const sleep = options.sleep ?? sleepUnlessAborted;
  const me = options.holder;
  const started = deps.now();
  const pollMs = options.pollMs ?? Math.min(1000, (options.durationSeconds * 1000) / 4);
  let lastReport: number | undefined;
  const ids = { release: target.release, namespace: target.namespace };
  const waited = () => Math.round((deps.now().getTime() - started.getTime()) / 1000);
  for (;;) {
    if (deps.signal.aborted) throw deps.signal.reason;
    const now = deps.now();
    const lease = await deps.locks.read(target);
    const decision = decideLock(lease, me, now);
    if (decision.kind === 'wait') {
      const holding = describeHolding(decision);
      const waitedMs = now.getTime() - started.getTime();
      if (waitedMs >= options.waitMs) {
        const noWait = options.waitMs === 0;
        throw new ChartctlError(`Release ${target.release} in ${target.namespace} is locked by ${holding}${noWait ? '' : `; gave up after waiting ${waited()}s`}.`, {
          code: 'RELEASE_LOCKED',
          hint: `Another chartctl job is changing this release. ${noWait ? 'Run again without --no-wait-lock to wait for it' : `Wait longer with ${options.timeoutName}`}, or see it with "kubectl get lease ${lease!.name} -n ${target.namespace} -o yaml". If its holder died, the lock frees itself at ${decision.expiresAt.toISOString()}.`,
        });
      }
      if (lastReport === undefined || now.getTime() - lastReport >= options.heartbeatMs) {
        lastReport = now.getTime();
        const event: LockEvent = { event: 'lockWaiting', ...ids, holder: decision.holder, operation: decision.operation ?? null, since: decision.since?.toISOString() ?? null, expiresAt: decision.expiresAt.toISOString(), waited: waited() };
        deps.reporter.progress(`Waiting for the release lock of ${target.release} in ${target.namespace}: held by ${holding} (waited ${waited()}s of ${Math.round(options.waitMs / 1000)}s)`, event);
      }
      const untilExpiry = decision.expiresAt.getTime() - now.getTime();
      await sleep(Math.max(1, Math.min(pollMs, untilExpiry, options.waitMs - waitedMs)), deps.signal);
      continue;
    }
    const write: LeaseWrite = {
      holder: me,
      acquiredAt: now,
      renewedAt: now,
      durationSeconds: options.durationSeconds,
      transitions: decision.kind === 'create' ? 0 : decision.previous.transitions + (decision.previous.holder === me ? 0 : 1),
      operation: options.operation,
      // Carried forward: this job may end before it looks at the release.
      stuck: decision.kind === 'create' ? undefined : decision.previous.stuck,
      // A new tenure: this job has started no helm run yet (the previous holder's start is its own).
      helmStartedAt: null,
    };
    const result = decision.kind === 'create' ? await deps.locks.create(target, write) : await deps.locks.update(target, decision.previous.resourceVersion, write);
    // Another job wrote first: read again and decide again.
    if (result.kind === 'conflict') continue;
    const previous = decision.kind === 'create' ? undefined : decision.previous;
    if (decision.kind === 'takeOverExpired') {
      const gone = { holder: decision.previous.holder ?? 'an earlier job', since: decision.previous.acquiredAt, operation: decision.previous.operation };
      deps.reporter.warn(`${target.release} in ${target.namespace}: took over the release lock of ${describeHolding(gone)}, which stopped renewing it at ${decision.expiredAt.toISOString()} (that job is gone).`);
    }
    const event: LockEvent = { event: 'lockAcquired', ...ids, holder: me, waited: waited(), tookOverFrom: decision.kind === 'takeOverExpired' ? (decision.previous.holder ?? null) : null };
    if (lastReport !== undefined || decision.kind === 'takeOverExpired') deps.reporter.progress(`Took the release lock of ${target.release} in ${target.namespace} after ${waited()}s`, event);
    return keepRenewed(deps, target, result.lease, { ...options, previous });
  }
}

function keepRenewed(
  deps: Pick<Deps, 'locks' | 'now' | 'reporter'>,
  target: ReleaseLockTarget,
  taken: LeaseRecord,
  options: HoldLockOptions & { previous?: LeaseRecord },
): HeldReleaseLock {
  const me = options.holder;
  const lost = new AbortController();
  let current = taken;
  let stuck = taken.stuck;
  let helmStartedAt: Date | null = null;
  let renewing: Promise<void> = Promise.resolve();
  const writeOf = (holder: string | undefined, extra: Partial<LeaseWrite> = {}): LeaseWrite => ({
    holder,
    acquiredAt: taken.acquiredAt ?? deps.now(),
    renewedAt: deps.now(),
    durationSeconds: options.durationSeconds,
    transitions: taken.transitions,
    operation: options.operation,
    stuck,
    helmStartedAt,
    ...extra,
  });
  const renew = async () => {
    try {
      const result = await deps.locks.update(target, current.resourceVersion, writeOf(me));
      if (result.kind === 'written') current = result.lease;
      else lose(await deps.locks.read(target));
    } catch (err) {
      // A failed renewal is retried at the next tick; only the Lease expiring loses it.
      if (leaseExpiresAt(current).getTime() <= deps.now().getTime()) lose(undefined, err);
    }
  };
  const markHelmStarted = async () => {
    if (helmStartedAt) return;
    const at = deps.now();
    // A conflict with the Lease still ours is a write of ours that landed though its answer was lost: once more from it.
    for (let attempt = 1; ; attempt++) {
      lost.signal.throwIfAborted();
      const result = await deps.locks.update(target, current.resourceVersion, writeOf(me, { helmStartedAt: at }));
      if (result.kind === 'written') {
        current = result.lease;
        helmStartedAt = at;
        return;
      }
      lose(await deps.locks.read(target));
      if (attempt === 2 && !lost.signal.aborted) {
        throw new ChartctlError(`Could not record in the release lock of ${target.release} in ${target.namespace} that this job starts helm (the Lease kept changing); helm was not started.`, { code: 'LOCK_UNAVAILABLE', hint: 'Retry.' });
      }
    }
  };
  const lose = (seen: LeaseRecord | undefined, err?: unknown) => {
    if (lost.signal.aborted) return;
    if (seen?.holder === me) {
      current = seen;
      return;
    }
    stop();
    const by = seen?.holder ? `; it is now held by ${describeHolding({ holder: seen.holder, since: seen.acquiredAt, operation: seen.operation })}` : '';
    deps.reporter.warn(`${target.release} in ${target.namespace}: lost the release lock (it could not be renewed in time${err ? `: ${(err as Error).message}` : ''})${by}.`);
    lost.abort(new ChartctlError(`Lost the release lock of ${target.release} in ${target.namespace}${by}.`, { code: 'RELEASE_LOCK_LOST' }));
  };
  const timer = setInterval(() => {
    renewing = renewing.then(renew);
  }, (options.durationSeconds * 1000) / 3);
  timer.unref();
  let stopped = false;
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return {
    holder: me,
    evidence: {
      kind: 'ours',
      previous: options.previous,
      lost: lost.signal,
      noteStuck: (note) => {
        stuck = note;
      },
    },
    lost: lost.signal,
    async startingHelm() {
      if (helmStartedAt) return;
      // After any renewal in flight, so both writes start from the Lease's current resourceVersion.
      const marking = renewing.then(() => markHelmStarted());
      renewing = marking.catch(() => undefined);
      await marking;
    },
    async release() {
      if (stopped) return;
      stop();
      await renewing;
      try {
        await deps.locks.update(target, current.resourceVersion, writeOf(undefined, { lastHolder: me }));
      } catch (err) {
        deps.reporter.warn(`${target.release} in ${target.namespace}: could not free the release lock (${(err as Error).message}); it frees itself within ${options.durationSeconds}s.`);
      }
    },
    abandon() {
      stop();
    },
  };
}
