import type { CheckResult } from './check-verdict.js';

/** One slot as read from the cluster: its helm release's head, and whether its workloads are ready. */
export interface SlotState {
  slot: string;
  release: string;
  /** Head revision's helm status (`deployed`, `failed`, `pending-upgrade`, ...); undefined when not installed. */
  status?: string;
  revision?: number;
  version?: string;
  digest?: string;
  healthy?: boolean;
}

/** What the router says: the slot it selects now, and the slot revision that served before (for a switch back). */
export interface RouterState {
  exists: boolean;
  liveSlot?: string;
  previous?: { slot: string; revision: number };
}

export interface BlueGreenState {
  slots: [SlotState, SlotState];
  router: RouterState;
}

export type BlueGreenDeployPlan =
  | { kind: 'unchanged'; live: SlotState }
  | { kind: 'deploy'; idle: SlotState; live?: SlotState }
  | { kind: 'refused'; reason: string };

/**
 * Where a candidate goes: into the slot the router does not select (the first
 * slot when nothing is live yet). Never into the live slot; nothing when the
 * live slot already runs this very artifact; refused when the idle slot has a
 * helm operation pending (in progress, or stuck: recover that first).
 */
export function planBlueGreenDeploy(state: BlueGreenState, candidate: { digest: string }): BlueGreenDeployPlan {
  const live = liveSlot(state);
  if (live && live.digest === candidate.digest && live.status === 'deployed') return { kind: 'unchanged', live };
  const idle = live ? state.slots.find((s) => s.slot !== live.slot)! : state.slots[0];
  if (idle.status?.startsWith('pending-')) {
    return { kind: 'refused', reason: `the idle slot ${idle.slot} (release ${idle.release}) is ${idle.status}: another deploy is in progress there, or one was interrupted` };
  }
  return { kind: 'deploy', idle, ...(live ? { live } : {}) };
}

/** The slot the router selects, when that slot's release exists. */
export function liveSlot(state: BlueGreenState): SlotState | undefined {
  const live = state.slots.find((s) => s.slot === state.router.liveSlot);
  return live?.status ? live : undefined;
}

export interface CandidateVerdict {
  upgraded: boolean;
  /** undefined when tests are off. */
  testsPassed?: boolean;
  checks: CheckResult[];
}

export type SwitchDecision = { kind: 'switch'; to: string; from?: string } | { kind: 'keep'; live?: string; reason: string };

/** Switch only when the idle slot upgraded, its tests passed and every check passed; otherwise traffic stays where it is. */
export function decideBlueGreenSwitch(plan: Extract<BlueGreenDeployPlan, { kind: 'deploy' }>, verdict: CandidateVerdict): SwitchDecision {
  const live = plan.live?.slot;
  if (!verdict.upgraded) return { kind: 'keep', live, reason: `the upgrade of slot ${plan.idle.slot} failed` };
  if (verdict.testsPassed === false) return { kind: 'keep', live, reason: `helm test failed on slot ${plan.idle.slot}` };
  const failed = verdict.checks.find((c) => !c.passed);
  if (failed) return { kind: 'keep', live, reason: `check ${failed.name} failed on slot ${plan.idle.slot}: ${failed.detail}` };
  return { kind: 'switch', to: plan.idle.slot, ...(live ? { from: live } : {}) };
}

export type BlueGreenRollbackPlan = { kind: 'switch'; to: SlotState; from: SlotState } | { kind: 'refused'; reason: string };

/**
 * Back to the slot that served before: only while it still holds the revision
 * that served (a later failed candidate in it must never get traffic) and its
 * workloads are ready.
 */
export function planBlueGreenRollback(state: BlueGreenState): BlueGreenRollbackPlan {
  const live = liveSlot(state);
  if (!live) return { kind: 'refused', reason: 'no slot is live yet: there is nothing to switch back from' };
  const previous = state.router.previous;
  const other = state.slots.find((s) => s.slot !== live.slot)!;
  if (!previous || previous.slot !== other.slot) return { kind: 'refused', reason: `slot ${other.slot} has never served traffic: there is nothing to switch back to` };
  if (!other.status) return { kind: 'refused', reason: `slot ${other.slot} is not installed any more (keepPrevious: false removes it)` };
  if (other.revision !== previous.revision) {
    return { kind: 'refused', reason: `slot ${other.slot} now holds revision ${other.revision} (${other.status}), not revision ${previous.revision} that served: switching to it would send traffic to an untested version` };
  }
  if (other.status !== 'deployed' || other.healthy === false) return { kind: 'refused', reason: `slot ${other.slot} is ${other.status !== 'deployed' ? other.status : 'not ready'}: it cannot take traffic` };
  return { kind: 'switch', to: other, from: live };
}
