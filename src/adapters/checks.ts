import type { CheckSpec } from '../core/strategy/strategy-config.js';
import type { CheckResult } from '../core/strategy/check-verdict.js';

/** Who a check is about, handed to `command` checks in their environment. */
export interface CheckTarget {
  env: string;
  namespace: string;
  kubeContext?: string;
  /** The helm release under test (the idle slot, or the canary). */
  release: string;
  /** `blue`/`green` for a slot, `canary` for a canary. */
  track: string;
}

/**
 * The analysis a progressive deploy gates on. One call runs one check once;
 * repetition (`every`) and pauses belong to the strategy that calls it.
 */
export interface Checks {
  run(name: string, check: CheckSpec, target: CheckTarget, signal: AbortSignal): Promise<CheckResult>;
}
