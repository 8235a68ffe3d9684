import { compareVersions } from '../chart-version.js';
import type { CanaryRecord } from './canary-plan.js';

/** What a watcher of a canary environment knows at one poll. */
export interface CanaryWatchFacts {
  /** The newest version the environment accepts in its repository. */
  newest: string | undefined;
  /** The stable release's live version: what counts as deployed (a promoted canary). */
  stable: string | null;
  /** The run recorded now: waiting for approval, walked by another job, or left by a killed or stopped one. */
  recorded: RecordedRun | undefined;
  /**
   * Looked up only for a run a watcher may continue (continuable): whether a live job holds the run's lock or the
   * canary release's (a walk in progress, an abort), and whether the watcher's command-line values are the ones the
   * run started with (the rule deploy --resume applies).
   */
  walker?: { lockHeld: boolean; sameInputs: boolean };
  /** Versions not started again until a newer one appears (their canary failed or was refused). */
  gaveUp: ReadonlySet<string>;
  /** The version of the run this watcher saw recorded at its last look (its own walk included). */
  lastRun: string | undefined;
  /** The key of the wait this watcher reported last, so each wait is reported once. */
  reported: string | undefined;
}

export type RecordedRun = Pick<CanaryRecord, 'version' | 'state' | 'next' | 'startedBy' | 'stoppedAt'>;

export type CanaryWatchDecision =
  | { kind: 'up-to-date'; giveUp?: string }
  | { kind: 'start'; version: string; giveUp?: string }
  /** A watcher's run whose job is gone: walked on from walk index `from`, as deploy --resume does. */
  | { kind: 'continue'; version: string; from: number }
  /** A recorded run is a person's to decide (--resume or --abort): never started over, never aborted by the watcher. */
  | { kind: 'wait'; run: Pick<CanaryRecord, 'version' | 'state'>; newer: string | undefined; key: string; report: boolean };

/**
 * What the record alone allows a watcher to continue: a run a watcher started, walking (not waiting for a person's
 * approval), not stopped on purpose. Whether its job is gone is the locks' to say (CanaryWatchFacts.walker).
 */
export const continuable = (run: RecordedRun): boolean => run.state === 'running' && run.startedBy === 'watch' && run.stoppedAt === undefined;

/** Identifies one wait worth reporting: the run, its state, and the newer version waiting behind it. */
export const canaryWaitKey = (run: Pick<CanaryRecord, 'version' | 'state'>, newer: string | undefined) => `${run.version}:${run.state}:${newer ?? ''}`;

/**
 * What `watch` does on a canary environment. A recorded run always wins, and
 * is never aborted by the watcher (that would undo someone's decision). A run
 * a watcher started, left walking by a job that is gone (no live job holds its
 * locks: killed, not stopped on purpose), is continued with the same values;
 * every other run is a person's (deploy --resume or --abort). A run it saw
 * that is gone without stable being its version was removed by a person
 * (--abort, rollback): that version is not started again.
 */
export function decideCanaryWatch(facts: CanaryWatchFacts): CanaryWatchDecision {
  const { newest, stable, recorded } = facts;
  if (recorded) {
    // A version given up on (refused when continued: a freeze, a gate) is left to a person like any run.
    const walkerGone = facts.walker !== undefined && !facts.walker.lockHeld && facts.walker.sameInputs;
    if (continuable(recorded) && walkerGone && !facts.gaveUp.has(recorded.version)) return { kind: 'continue', version: recorded.version, from: recorded.next };
    const newer = newest !== undefined && compareVersions(newest, recorded.version) > 0 ? newest : undefined;
    const key = canaryWaitKey(recorded, newer);
    return { kind: 'wait', run: { version: recorded.version, state: recorded.state }, newer, key, report: key !== facts.reported };
  }
  const giveUp = facts.lastRun !== undefined && facts.lastRun !== stable ? facts.lastRun : undefined;
  const skipped = (v: string) => facts.gaveUp.has(v) || v === giveUp;
  const upToDate = newest === undefined || (stable !== null && compareVersions(newest, stable) <= 0) || skipped(newest);
  if (upToDate) return giveUp ? { kind: 'up-to-date', giveUp } : { kind: 'up-to-date' };
  return giveUp ? { kind: 'start', version: newest, giveUp } : { kind: 'start', version: newest };
}
