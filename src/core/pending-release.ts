/**
 * A `pending-*` head told apart: *in progress* (someone is changing the
 * release right now: refuse, never "recover") or *stuck* (the helm run that
 * wrote it is gone: roll it back). Decided from the release lock, which every
 * chartctl change takes and whose holder records when it starts helm, and, for
 * revisions no chartctl job's helm run wrote, their age.
 */
import { leaseExpiresAt, type LeaseRecord, type StuckNote } from './release-lock.js';
import { newestRevision, PENDING_STATUSES, type RevisionInfo } from './release-history.js';

/** What the lock says about who else may be changing the release. */
export type LockEvidence =
  /** Another job holds the Lease (it is renewing it). */
  | { kind: 'heldByOther'; holder: string; since?: Date; operation?: string }
  /** This job holds the Lease; `previous` is the record it took (absent: there was none). */
  | { kind: 'ours'; previous?: LeaseRecord; lost?: AbortSignal; noteStuck?: (note: StuckNote) => void };

export type PendingState =
  | { kind: 'none' }
  | { kind: 'inProgress'; revision: RevisionInfo; reason: string }
  | { kind: 'stuck'; revision: RevisionInfo; reason: string };

export function classifyPending(input: { history: readonly RevisionInfo[]; lock: LockEvidence; now: Date; deployTimeoutMs: number }): PendingState {
  const head = newestRevision(input.history);
  if (!head || !PENDING_STATUSES.has(head.status)) return { kind: 'none' };
  const { lock } = input;
  if (lock.kind === 'heldByOther') {
    return { kind: 'inProgress', revision: head, reason: `the release lock is held by ${lock.holder}` };
  }
  // An earlier holder already found this very revision stuck (its evidence would be gone from the Lease by now).
  const noted = lock.previous?.stuck;
  if (noted && noted.revision === head.revision && noted.updated === head.updated) return { kind: 'stuck', revision: head, reason: noted.reason };
  const written = Date.parse(head.updated);
  const tenure = tenureOf(lock.previous);
  const inside = (from: number | undefined) => tenure !== undefined && from !== undefined && Number.isFinite(written) && written >= from && written <= tenure.to;
  // Written after the last holder started helm and before its tenure ended, and that holder is gone: nobody is
  // finishing it. No slack on either side: a holder records that it starts helm before its helm run writes, and
  // lets go after, and all three times come from that holder's machine; a revision just outside may be a bare helm
  // run still working (and a job that took the lock right after it and refused), so calling it stuck would let a
  // rollback "recover" a run in progress (in progress is the safe error).
  if (tenure && inside(tenure.helmFrom)) {
    return { kind: 'stuck', revision: head, reason: `it was written by ${tenure.who} without finishing` };
  }
  // Not written by a chartctl job's helm run (helm run directly, or by another tool): only its age says it is over.
  const until = Number.isFinite(written) ? written + input.deployTimeoutMs : 0;
  if (until > input.now.getTime()) {
    const by = tenure && inside(tenure.from) ? `while ${tenure.holder} held the lock, ${tenure.helmFrom === undefined ? 'which started no helm run' : 'before it started helm'},` : "outside chartctl's lock";
    return { kind: 'inProgress', revision: head, reason: `it was written at ${head.updated} ${by} and is younger than the deploy timeout (until ${new Date(until).toISOString()}); a helm run may still be working on it` };
  }
  return { kind: 'stuck', revision: head, reason: `it was written at ${head.updated}, longer ago than the deploy timeout, and no chartctl job holds the lock` };
}

/**
 * When the previous holder held the lock (until its Lease expired, or until it released it), and from when its
 * helm changes may have written: from the start it recorded, none when it recorded that it started no helm run, and
 * the whole tenure on a Lease from an older chartctl, which recorded neither.
 */
function tenureOf(previous: LeaseRecord | undefined): { from: number; helmFrom?: number; to: number; holder: string; who: string } | undefined {
  if (!previous?.acquiredAt) return undefined;
  const from = previous.acquiredAt.getTime();
  const helmFrom = previous.helmStartedAt === undefined ? from : previous.helmStartedAt?.getTime();
  const operation = previous.operation ? ` (${previous.operation})` : '';
  if (previous.holder) {
    const holder = `${previous.holder}${operation}`;
    return { from, helmFrom, to: leaseExpiresAt(previous).getTime(), holder, who: `${holder}, whose lock expired` };
  }
  if (!previous.renewedAt) return undefined;
  const holder = `${previous.lastHolder ?? 'its last holder'}${operation}`;
  return { from, helmFrom, to: previous.renewedAt.getTime(), holder, who: `${holder}, which released the lock` };
}
