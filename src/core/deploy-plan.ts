import { chooseRollbackTarget, failedOperation, isGoodRevision, liveRevision, newestRevision, pendingRevision, type RevisionInfo } from './release-history.js';

/*
 * Deploy's decisions, pure: whether to upgrade at all, what a failed upgrade
 * left behind, what to do when the tests fail, and whether the revision an
 * upgrade created is the one live. The action reads history, the diff and the
 * live objects first, then executes what these return.
 */

/** Why an upgrade is needed; the plan shows every one that applies. */
export type UpgradeReason =
  /** The release does not exist yet. */
  | 'install'
  /** Another version (or the same version with other bytes) than the live one: helm upgrade makes it a revision even with identical manifests. */
  | 'new-version'
  | 'manifest-changes'
  /** Live objects differ from what helm applied (changed outside helm); the upgrade puts them back. */
  | 'drift'
  /** The newest revision is not the live one (a failed upgrade, or nothing deployed). */
  | 'not-live';

export interface DeployPlanInput {
  history: RevisionInfo[];
  candidate: { version: string; digest?: string };
  /** The rendered manifests differ from the newest revision's. */
  manifestChanges: boolean;
  /** Resources whose live fields differ from what helm applied. */
  drifted: string[];
  dryRun: boolean;
}

export type DeployDecision =
  /** The newest revision is pending-*: another helm run holds it, or one was interrupted. */
  | { kind: 'refused'; reason: 'pending'; pending: RevisionInfo }
  | { kind: 'unchanged' }
  | { kind: 'planned'; reasons: UpgradeReason[] }
  | { kind: 'upgrade'; reasons: UpgradeReason[]; install: boolean };

export function planDeploy(input: DeployPlanInput): DeployDecision {
  const newest = newestRevision(input.history);
  const pending = pendingRevision(input.history);
  if (pending) return { kind: 'refused', reason: 'pending', pending };
  const reasons = upgradeReasons(input, newest);
  if (reasons.length === 0) return { kind: 'unchanged' };
  if (input.dryRun) return { kind: 'planned', reasons };
  return { kind: 'upgrade', reasons, install: !newest };
}

function upgradeReasons(input: DeployPlanInput, newest: RevisionInfo | undefined): UpgradeReason[] {
  if (!newest) return ['install'];
  const live = liveRevision(input.history);
  const reasons: UpgradeReason[] = [];
  if (!live || live.revision !== newest.revision) reasons.push('not-live');
  if (live && !sameArtifact(live, input.candidate)) reasons.push('new-version');
  if (input.manifestChanges) reasons.push('manifest-changes');
  if (input.drifted.length > 0) reasons.push('drift');
  return reasons;
}

/** Same version, and same digest when both are known (a rebuilt tarball under an old version is another artifact). */
function sameArtifact(live: RevisionInfo, candidate: { version: string; digest?: string }): boolean {
  if (live.chartVersion !== candidate.version) return false;
  const liveDigest = live.provenance?.digest;
  return !liveDigest || !candidate.digest || liveDigest === candidate.digest;
}

/** What a failed upgrade left, read from the history after it. */
export type UpgradeFailure =
  | { kind: 'rolledBack'; how: 'helm-rolled-back' | 'not-changed'; failedRevision: number | null; liveRevision: number }
  | { kind: 'failed'; newest: RevisionInfo | undefined; goodRevisionExists: boolean };

export function classifyUpgradeFailure(input: { before: RevisionInfo | undefined; history: RevisionInfo[]; helmRolledBack: boolean }): UpgradeFailure {
  const { before, history } = input;
  const live = liveRevision(history);
  const newest = newestRevision(history);
  const failedRevision = newestRevision(history.filter((h) => h.status === 'failed' || (before && h.revision > before.revision && failedOperation(h))))?.revision ?? null;
  if (live && before && live.revision !== before.revision && newest?.revision === live.revision && input.helmRolledBack) {
    return { kind: 'rolledBack', how: 'helm-rolled-back', failedRevision, liveRevision: live.revision };
  }
  if (live && before && newest?.revision === live.revision && live.revision === before.revision) {
    // Failed before anything was stored (e.g. a rejected manifest): the old revision is still live.
    return { kind: 'rolledBack', how: 'not-changed', failedRevision, liveRevision: live.revision };
  }
  return { kind: 'failed', newest, goodRevisionExists: hasGoodRevisionBesides(history, newest) };
}

/** After the tests of `failedRevision` failed: roll back to the last good revision, or say why not. */
export type TestFailurePlan =
  | { kind: 'rollback'; to: RevisionInfo }
  | { kind: 'failed'; why: 'no-good-revision' | 'rollback-off'; newest: RevisionInfo | undefined; goodRevisionExists: boolean };

export function planAfterFailedTests(input: { history: RevisionInfo[]; failedRevision: number; rollbackOnFailure: boolean }): TestFailurePlan {
  const earlier = input.history.filter((h) => h.revision !== input.failedRevision);
  const failed = input.history.filter((h) => h.revision === input.failedRevision).map((h) => ({ ...h, tests: 'failed' as const }));
  const to = chooseRollbackTarget([...earlier, ...failed]);
  const newest = newestRevision(input.history);
  const goodRevisionExists = hasGoodRevisionBesides(input.history, newest);
  if (!to) return { kind: 'failed', why: 'no-good-revision', newest, goodRevisionExists };
  if (!input.rollbackOnFailure) return { kind: 'failed', why: 'rollback-off', newest, goodRevisionExists };
  return { kind: 'rollback', to };
}

/** Whether the revision this deploy's upgrade created is the live one; otherwise what is. */
export type LiveCheck = { kind: 'live' } | { kind: 'notLive'; live: RevisionInfo | undefined; newest: RevisionInfo | undefined };

export function checkCreatedRevisionLive(history: RevisionInfo[], created: number): LiveCheck {
  const live = liveRevision(history);
  return live?.revision === created ? { kind: 'live' } : { kind: 'notLive', live, newest: newestRevision(history) };
}

function hasGoodRevisionBesides(history: RevisionInfo[], newest: RevisionInfo | undefined): boolean {
  return history.some((h) => h.revision !== newest?.revision && isGoodRevision(h));
}
