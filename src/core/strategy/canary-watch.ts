import { compareVersions } from '../chart-version.js';
import type { CanaryRecord } from './canary-plan.js';

/** What a watcher of a canary environment knows at one poll. */
export interface CanaryWatchFacts {
  /** The newest version the environment accepts in its repository. */
  newest: string | undefined;
  /** The stable release's live version: what counts as deployed (a promoted canary). */
  stable: string | null;
  /** The run recorded now: waiting for approval, walked by another job, or left by a killed or stopped one. */
  recorded: Pick<CanaryRecord, 'version' | 'state'> | undefined;
  /** Versions not started again until a newer one appears (their canary failed or was refused). */
  gaveUp: ReadonlySet<string>;
  /** The version of the run this watcher saw recorded at its last look (its own walk included). */
  lastRun: string | undefined;
  /** The key of the wait this watcher reported last, so each wait is reported once. */
  reported: string | undefined;
}

export type CanaryWatchDecision =
  | { kind: 'up-to-date'; giveUp?: string }
  | { kind: 'start'; version: string; giveUp?: string }
  /** A recorded run is a person's to decide (--resume or --abort): never started over, never aborted by the watcher. */
  | { kind: 'wait'; run: Pick<CanaryRecord, 'version' | 'state'>; newer: string | undefined; key: string; report: boolean };

/** Identifies one wait worth reporting: the run, its state, and the newer version waiting behind it. */
export const canaryWaitKey = (run: Pick<CanaryRecord, 'version' | 'state'>, newer: string | undefined) => `${run.version}:${run.state}:${newer ?? ''}`;

/**
 * What `watch` does on a canary environment. A recorded run always wins: the
 * watcher cannot tell another job's walk from a killed one's, and aborting
 * either would undo someone's decision. A run it saw that is gone without
 * stable being its version was removed by a person (--abort, rollback):
 * that version is not started again.
 */
export function decideCanaryWatch(facts: CanaryWatchFacts): CanaryWatchDecision {
  const { newest, stable, recorded } = facts;
  if (recorded) {
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
