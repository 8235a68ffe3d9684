import { chooseRollbackTarget, newestRevision, PENDING_STATUSES, type RevisionInfo } from './release-history.js';

/*
 * Rollback's decisions, pure: which revision to go back to (asked for, or the
 * last good one), and whether going there changes anything at all.
 */

export type RollbackTarget =
  | { kind: 'target'; from: RevisionInfo; to: RevisionInfo; recoveringPending: boolean }
  | { kind: 'refused'; reason: 'not-installed' | 'no-such-revision' | 'no-good-revision' | 'already-newest'; revision?: number };

/**
 * `history` carries test results for the revisions that may be chosen by
 * default (superseded or deployed ones); `requested` is the revision asked for.
 */
export function chooseRollback(history: RevisionInfo[], requested: number | undefined): RollbackTarget {
  const from = newestRevision(history);
  if (!from) return { kind: 'refused', reason: 'not-installed' };
  const recoveringPending = PENDING_STATUSES.has(from.status);
  const to = requested === undefined ? chooseRollbackTarget(history) : history.find((h) => h.revision === requested);
  if (!to) return requested === undefined ? { kind: 'refused', reason: 'no-good-revision' } : { kind: 'refused', reason: 'no-such-revision', revision: requested };
  if (to.revision === from.revision && !recoveringPending) return { kind: 'refused', reason: 'already-newest', revision: to.revision };
  return { kind: 'target', from, to, recoveringPending };
}

export type RollbackDecision =
  /** What runs already equals the target: a new revision would change nothing. */
  | { kind: 'noop' }
  | { kind: 'planned' }
  | { kind: 'rollback' };

/**
 * A rollback whose diff is empty is a no-op, unless the release needs the new
 * revision to leave a pending-* or failed state (helm's storage is what
 * changes then, not the objects).
 */
export function planRollback(input: { target: Extract<RollbackTarget, { kind: 'target' }>; diffHasChanges: boolean; dryRun: boolean }): RollbackDecision {
  const { from, recoveringPending } = input.target;
  if (!input.diffHasChanges && !recoveringPending && from.status === 'deployed') return { kind: 'noop' };
  return input.dryRun ? { kind: 'planned' } : { kind: 'rollback' };
}
