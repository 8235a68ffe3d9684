import { durationMs } from './duration.js';
import { ChartctlError } from './errors.js';
import type { KubeObject } from './manifests.js';
import { isWorkloadReady, workloadReadiness } from './workload-readiness.js';

/*
 * What chartctl says while `helm upgrade --wait` waits: every few seconds the
 * workloads still not ready, and one line when the wait ends. Text on stderr,
 * or one JSON object per line with --output json.
 */

export interface NotReadyWorkload {
  kind: string;
  name: string;
  ready: number;
  desired: number;
}

/** What one `helm status` read said; `workloads: null` when readiness is not known (see `note`). */
export interface WaitObservation {
  workloads: number | null;
  notReady: NotReadyWorkload[];
  note?: string;
}

/** One read; `rollingBack` when it saw helm's rollback instead of the upgrade. */
export type WaitReading = WaitObservation & { rollingBack?: true };

export type WaitEvent =
  | ({ event: 'waiting'; release: string; namespace: string; elapsed: number } & WaitObservation)
  | ({ event: 'waited'; release: string; namespace: string; elapsed: number; result: WaitResult } & WaitObservation);

/** How the wait ended: helm saw everything ready, gave up at --timeout, or failed otherwise. */
export type WaitResult = 'ready' | 'timedOut' | 'failed';

/** How many not-ready workloads a text line names before "and N more". */
const NAMED_IN_TEXT = 8;

/**
 * Readiness from `helm status -o json` (with --show-resources on helm 3), only
 * for the revision helm is installing: newer than `before` (until helm stores
 * it, status shows the previous revision's objects) and not helm's own rollback
 * after a failure (that one shows the old objects again).
 */
export function observeWait(
  status: { revision: number; status: string; description: string; resources: Record<string, KubeObject[]> } | undefined,
  namespace: string,
  before: number | undefined,
): WaitReading {
  if (!status || status.revision <= (before ?? 0)) return { workloads: null, notReady: [], note: 'helm has not stored the new revision yet' };
  if (status.status === 'pending-rollback' || /^Rollback to \d+/.test(status.description)) {
    return { workloads: null, notReady: [], note: `helm is rolling back the failed upgrade (revision ${status.revision})`, rollingBack: true };
  }
  const all = workloadReadiness(status.resources, namespace);
  return {
    workloads: all.length,
    notReady: all.filter((w) => !isWorkloadReady(w)).map(({ kind, name, ready, desired }) => ({ kind, name, ready, desired })),
  };
}

/** `timedOut` when helm's error says its --timeout ran out. */
export function waitResult(helmStderr: string | undefined): WaitResult {
  if (helmStderr === undefined) return 'ready';
  return /timed out|deadline exceeded/i.test(helmStderr) ? 'timedOut' : 'failed';
}

export function elapsedSeconds(start: Date, now: Date): number {
  return Math.max(0, Math.round((now.getTime() - start.getTime()) / 1000));
}

/** The text line for a heartbeat or the summary, e.g. `waiting 15s: 2 of 5 workloads not ready: Deployment/shop-web 0/2, …`. */
export function waitEventText(e: WaitEvent): string {
  if (e.event === 'waiting') return `waiting ${e.elapsed}s: ${observationText(e)}`;
  if (e.result === 'ready') return `ready in ${e.elapsed}s${e.workloads ? `: ${plural(e.workloads, 'workload')} ready` : ''}`;
  const head = e.result === 'timedOut' ? `timed out after ${e.elapsed}s` : `the upgrade failed after ${e.elapsed}s`;
  if (e.workloads === null) return `${head} (readiness was not known: ${e.note})`;
  if (e.notReady.length === 0) return `${head}; all ${plural(e.workloads, 'workload')} were ready when last seen`;
  return `${head}; still not ready when last seen: ${namedList(e.notReady)}`;
}

function observationText(o: WaitObservation): string {
  if (o.workloads === null) return o.note ?? 'readiness not known yet';
  if (o.workloads === 0) return 'the release has no Deployments, StatefulSets or DaemonSets; helm is checking its other resources';
  if (o.notReady.length === 0) return `all ${plural(o.workloads, 'workload')} ready; helm is checking the release's other resources`;
  return `${o.notReady.length} of ${plural(o.workloads, 'workload')} not ready: ${namedList(o.notReady)}`;
}

function namedList(list: NotReadyWorkload[]): string {
  const named = list.slice(0, NAMED_IN_TEXT).map((w) => `${w.kind}/${w.name} ${w.ready}/${w.desired}`);
  const more = list.length - named.length;
  return `${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Milliseconds between heartbeats unless CHARTCTL_HEARTBEAT_INTERVAL says otherwise. */
export const DEFAULT_HEARTBEAT_MS = 5000;

/** CHARTCTL_HEARTBEAT_INTERVAL as a helm-style duration (`5s`, `500ms`, `1m`); the default when unset. */
export function heartbeatIntervalMs(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_HEARTBEAT_MS;
  let ms = 0;
  try {
    ms = durationMs(text);
  } catch {
    // Named below with the variable it came from.
  }
  if (ms < 100) {
    throw new ChartctlError(`CHARTCTL_HEARTBEAT_INTERVAL="${text}" is not a duration of at least 100ms.`, {
      code: 'BAD_DURATION',
      hint: 'Use a duration such as 5s (the default), 30s or 500ms; --quiet hides the heartbeat instead.',
    });
  }
  return ms;
}
