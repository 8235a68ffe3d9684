import { ExitCode } from '../../core/errors.js';
import type { ReleaseDiff } from '../../core/release-diff.js';
import type { UpgradeReason } from '../../core/deploy-plan.js';
import type { CheckResult } from '../../core/strategy/check-verdict.js';

/** What deploy shows before it changes anything (and returns with every outcome). */
export interface DeployPlanSummary {
  env: string;
  release: string;
  namespace: string;
  version: string;
  digest: string | null;
  source: string;
  fromRevision: number | null;
  fromVersion: string | null;
  /** Why it upgrades (empty when there is nothing to do). */
  reasons: UpgradeReason[];
  /** Resources changed outside helm, which the upgrade puts back as the chart has them. */
  drift: string[];
  diff: ReleaseDiff;
  /**
   * Blue/green: the idle slot the candidate goes to (plan.release is its release) and the router that switches to it;
   * ingress: the router Ingress, and whether this deploy creates it (just before the switch, or at once when nothing is to deploy).
   */
  blueGreen?: { slot: string; live: string | null; router: string; ingress?: { name: string; create: boolean } };
  /** Canary: the canary release beside the stable one, and the walk it goes through. */
  canary?: { release: string; stable: string; walk: string[] };
}

export type DeployOutcome =
  | { kind: 'unchanged'; plan: DeployPlanSummary }
  | { kind: 'planned'; plan: DeployPlanSummary }
  | { kind: 'deployed'; plan: DeployPlanSummary; revision: number; tests: 'passed' | 'skipped' }
  | { kind: 'rolledBack'; plan: DeployPlanSummary; failedRevision: number | null; liveRevision: number | null; reason: string; failures: string[] }
  | { kind: 'failed'; plan: DeployPlanSummary; state: string; reason: string; failures: string[]; recovery: string[] }
  /** Blue/green: the idle slot passed its tests and checks, and the router now selects it. */
  | { kind: 'switched'; plan: DeployPlanSummary; slot: string; from: string | null; revision: number; tests: 'passed' | 'skipped'; checks: CheckResult[] }
  /** Blue/green: the candidate failed in the idle slot; the router was not touched. */
  | { kind: 'notSwitched'; plan: DeployPlanSummary; slot: string; live: string | null; reason: string; failures: string[]; checks: CheckResult[] }
  /** Canary: every step passed; the stable release now runs the canary's artifact and the canary is gone. */
  | { kind: 'canaryPromoted'; plan: DeployPlanSummary; revision: number; checks: CheckResult[] }
  /** Canary: a check failed, a step could not be carried out, or deploy --abort: the canary is gone, stable untouched. */
  | { kind: 'canaryAborted'; plan: DeployPlanSummary; reason: string; failed?: CheckResult; checks: CheckResult[] }
  /** Canary: removed as deploy --abort asked (stable untouched). */
  | { kind: 'canaryRemoved'; plan: DeployPlanSummary; checks: CheckResult[] }
  /** Canary: at an approve step nobody approved; recorded, for deploy --resume (--yes) or --abort later. */
  | { kind: 'canaryWaiting'; plan: DeployPlanSummary; step: number; weight: number; checks: CheckResult[] }
  /** Canary: stopped between actions by watch's first SIGTERM; recorded, `next` is what deploy --resume runs first. */
  | { kind: 'canaryStopped'; plan: DeployPlanSummary; next: string; weight: number; checks: CheckResult[] };

export const DEPLOY_EXIT: Record<DeployOutcome['kind'], number> = {
  unchanged: ExitCode.ok,
  planned: ExitCode.ok,
  deployed: ExitCode.ok,
  rolledBack: ExitCode.failure,
  failed: ExitCode.failure,
  switched: ExitCode.ok,
  notSwitched: ExitCode.failure,
  canaryPromoted: ExitCode.ok,
  canaryAborted: ExitCode.failure,
  canaryRemoved: ExitCode.ok,
  canaryWaiting: ExitCode.ok,
  canaryStopped: ExitCode.ok,
};
