import { setTimeout as delay } from 'node:timers/promises';
import type { ReleaseTarget } from '../../core/helm-release-args.js';
import { elapsedSeconds, observeWait, waitEventText, type WaitEvent, type WaitObservation, type WaitReading, type WaitResult } from '../../core/wait-heartbeat.js';
import type { Releases } from '../../adapters/releases.js';
import type { Deps } from '../deps.js';

/** Resolves after `ms`, or as soon as `signal` aborts (then without an error). */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

const sleepUnlessAborted: Sleep = (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined);

/** One `helm status` read should not hold the deploy up once the upgrade is over. */
const STATUS_READ_TIMEOUT_MS = 15_000;

export interface WaitHeartbeat {
  /** Stops polling (waiting for a read in flight), then reports how the wait ended. */
  end(result: WaitResult): Promise<void>;
}

/**
 * While `helm upgrade --wait` runs, reads the release with read-only `helm
 * status` every `intervalMs` and reports the workloads still not ready. Reads
 * never overlap, and none starts once the upgrade ended or a signal arrived
 * (a read in flight then gets the signal like every helm call).
 */
export function startWaitHeartbeat(
  deps: Pick<Deps, 'reporter' | 'now' | 'signal'>,
  releases: Pick<Releases, 'newestResources'>,
  target: ReleaseTarget,
  options: { before: number | undefined; intervalMs: number; sleep?: Sleep },
): WaitHeartbeat {
  const sleep = options.sleep ?? sleepUnlessAborted;
  const start = deps.now();
  const stopped = new AbortController();
  const stop = () => stopped.abort();
  if (deps.signal.aborted) stop();
  else deps.signal.addEventListener('abort', stop, { once: true });
  const report = (event: WaitEvent) => deps.reporter.progress(waitEventText(event), event);
  const ids = { release: target.release, namespace: target.namespace };
  let last: WaitObservation = { workloads: null, notReady: [], note: 'not read yet' };

  const polling = (async () => {
    for (;;) {
      await sleep(options.intervalMs, stopped.signal);
      if (stopped.signal.aborted) return;
      const { rollingBack, ...seen } = await releases.newestResources(target, STATUS_READ_TIMEOUT_MS).then(
        (status) => observeWait(status, target.namespace, options.before),
        (err: unknown): WaitReading => ({ workloads: null, notReady: [], note: `helm status failed: ${firstLine(err)}` }),
      );
      // The upgrade ended (or a signal came) during the read: its summary says the rest.
      if (stopped.signal.aborted) return;
      // The summary names what the upgrade was waiting for, not the old objects helm rolled back to.
      if (!rollingBack && (seen.workloads !== null || last.workloads === null)) last = seen;
      report({ event: 'waiting', ...ids, elapsed: elapsedSeconds(start, deps.now()), ...seen });
    }
  })();

  return {
    async end(result) {
      stop();
      deps.signal.removeEventListener('abort', stop);
      await polling;
      // After a signal the interruption message reports the release's state instead.
      if (deps.signal.aborted) return;
      const seen = result === 'ready' ? { workloads: last.workloads, notReady: [] } : last;
      report({ event: 'waited', ...ids, elapsed: elapsedSeconds(start, deps.now()), result, ...seen });
    },
  };
}

/** The adapter's error message is helm's own first line. */
function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).trim().split('\n')[0]!;
}
