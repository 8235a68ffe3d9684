import { ChartctlError, ExitCode } from './errors.js';
import { PENDING_STATUSES, liveRevision, newestRevision, type RevisionInfo } from './release-history.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

export function signalExitCode(signal: StopSignal): number {
  return signal === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm;
}

/** chartctl was told to stop (SIGINT/SIGTERM); exits 130/143 after cleanup whatever the message says. */
export class Interrupted extends ChartctlError {
  constructor(
    readonly signal: StopSignal,
    message = `Interrupted by ${signal}.`,
    options: {
      hint?: string;
      /** The helm call that was stopped (or, with `started: false`, refused), e.g. `helm upgrade shop -n shop-dev`. */
      during?: string;
      started?: boolean;
      /** A helm process that had not stopped when chartctl gave up waiting for it. */
      stillRunning?: { pid: number; description: string };
    } = {},
  ) {
    super(message, { code: 'INTERRUPTED', exitCode: signalExitCode(signal), hint: options.hint });
    this.name = 'Interrupted';
    this.during = options.during;
    this.started = options.started ?? true;
    this.stillRunning = options.stillRunning;
  }

  readonly during?: string;
  readonly started: boolean;
  readonly stillRunning?: { pid: number; description: string };
}

export interface InterruptedRelease {
  env: string;
  release: string;
  namespace: string;
  /** The revision that was newest before chartctl changed anything (undefined: not installed). */
  before?: RevisionInfo;
  /** History read after helm stopped; undefined when it could not be read. */
  history?: RevisionInfo[];
  /** The command that was interrupted, to run again when nothing changed, e.g. `chartctl deploy dev`. */
  retry: string;
}

/**
 * What to tell the user after a signal stopped a change to a release: the state
 * helm left it in (read after helm exited) and the command that recovers it.
 */
export function describeInterruptedRelease(stop: Pick<Interrupted, 'signal' | 'during' | 'started' | 'stillRunning'>, r: InterruptedRelease): { message: string; hint: string } {
  const { signal, stillRunning } = stop;
  const where = `release ${r.release} in ${r.namespace}`;
  const during = stop.during ?? `the change to ${where}`;
  const at = `Interrupted by ${signal} during ${during}`;
  const head = !stop.started
    ? `Interrupted by ${signal} before ${during} started`
    : stillRunning
      ? `${at}: helm (pid ${stillRunning.pid}) had not stopped and is still running`
      : `${at}: helm stopped`;
  if (!r.history) {
    return {
      message: `${head}; the state of ${where} could not be read.`,
      hint: `See it with "chartctl status ${r.env}"; if it is pending-* or failed, recover with "chartctl rollback ${r.env}".`,
    };
  }
  const newest = newestRevision(r.history);
  if (!newest) {
    return {
      message: `${head}; ${where} has no revisions (nothing was installed).`,
      hint: `Run "${r.retry}" again.`,
    };
  }
  const live = liveRevision(r.history);
  const state = `${where} is at revision ${newest.revision} (${newest.status}, chart ${newest.chartVersion || '?'})`;
  const liveNote = live && live.revision !== newest.revision ? `; revision ${live.revision} (${live.chartVersion}) is the one deployed` : '';
  const message = `${head}; ${state}${liveNote}.`;
  const waitFirst = stillRunning ? `Wait for helm (pid ${stillRunning.pid}) to end (see "chartctl status ${r.env}"). ` : '';
  if (PENDING_STATUSES.has(newest.status) || newest.status === 'failed') {
    return { message, hint: `${waitFirst}Recover with "chartctl rollback ${r.env}" (back to the last good revision), then deploy again.` };
  }
  if (newest.status === 'deployed' && newest.revision === r.before?.revision) {
    return { message: `${message} Nothing was changed.`, hint: `${waitFirst}Run "${r.retry}" again when ready.` };
  }
  const rolledBackTo = /^Rollback to (\d+)/.exec(newest.description)?.[1];
  if (newest.status === 'deployed' && rolledBackTo) {
    // Say what helm did, in order: the revision it gave up on, the one it went back to, the one it made for that.
    const failed = newestRevision(r.history.filter((h) => h.status === 'failed' && h.revision > (r.before?.revision ?? 0) && h.revision < newest.revision));
    const undone = failed ? ` (revision ${failed.revision} failed)` : '';
    return {
      message: stop.started && !stillRunning
        ? `${at}: helm stopped it${undone} and rolled back to revision ${rolledBackTo}; now ${state}, which runs what revision ${rolledBackTo} ran.`
        : `${message} It is helm's rollback to revision ${rolledBackTo}: the release runs what that revision ran.`,
      hint: `${waitFirst}Nothing to recover; deploy again with "chartctl deploy ${r.env}" when ready.`,
    };
  }
  return {
    message,
    hint: `${waitFirst}Check revision ${newest.revision} (its tests may not have run) with "chartctl status ${r.env}"; go back with "chartctl rollback ${r.env}" or deploy again with "chartctl deploy ${r.env}".`,
  };
}
