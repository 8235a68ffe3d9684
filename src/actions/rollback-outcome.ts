import type { ReleaseLockFlags } from './hold-release-lock.js';
import type { ReleaseDiff } from '../core/release-diff.js';
import type { RevisionInfo } from '../core/release-history.js';

export interface RollbackOptions extends ReleaseLockFlags {
  env: string;
  /** Target revision; default: the newest earlier revision that was deployed and passed its tests. */
  revision?: number;
  yes?: boolean;
  dryRun?: boolean;
  confirm?: (plan: RollbackPlan) => Promise<boolean>;
}

export interface RollbackPlan {
  env: string;
  release: string;
  namespace: string;
  from: { revision: number; status: string; version: string };
  to: { revision: number; status: string; version: string };
  /** The release was stuck in pending-*: rollback is how it recovers. */
  recoveringPending: boolean;
  diff: ReleaseDiff;
  /** Blue/green: the router Service that switches back, from the live slot to the previous one. */
  blueGreen?: { router: string; from: string; to: string };
  /** Canary: the recorded run the rollback aborts (from/to are the stable release's head, which is not touched). */
  canary?: { release: string; version: string; weight: number };
}

export type RollbackOutcome =
  | { kind: 'planned'; plan: RollbackPlan }
  /** What runs already equals the target: no new revision was made. */
  | { kind: 'unchanged'; plan: RollbackPlan }
  | { kind: 'rolledBack'; plan: RollbackPlan; head: RevisionInfo }
  | { kind: 'failed'; plan: RollbackPlan; reason: string; recovery: string[] }
  /** Blue/green: the router selects the previous slot again (no render, no helm rollback). */
  | { kind: 'switchedBack'; plan: RollbackPlan; slot: string; from: string; seconds: number }
  /** Canary: the recorded run was aborted (canary removed, all traffic on the untouched stable release). */
  | { kind: 'canaryAborted'; plan: RollbackPlan };

