import { ExitCode } from '../../core/errors.js';
import type { ReleaseDiff } from '../../core/release-diff.js';

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
  diff: ReleaseDiff;
}

export type DeployOutcome =
  | { kind: 'unchanged'; plan: DeployPlanSummary }
  | { kind: 'planned'; plan: DeployPlanSummary }
  | { kind: 'deployed'; plan: DeployPlanSummary; revision: number; tests: 'passed' | 'skipped' }
  | { kind: 'rolledBack'; plan: DeployPlanSummary; failedRevision: number | null; liveRevision: number | null; reason: string; failures: string[] }
  | { kind: 'failed'; plan: DeployPlanSummary; state: string; reason: string; failures: string[]; recovery: string[] };

export const DEPLOY_EXIT: Record<DeployOutcome['kind'], number> = {
  unchanged: ExitCode.ok,
  planned: ExitCode.ok,
  deployed: ExitCode.ok,
  rolledBack: ExitCode.failure,
  failed: ExitCode.failure,
};
