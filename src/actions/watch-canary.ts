import type { Environment } from '../core/environment.js';
import { decideLock } from '../core/release-lock.js';
import { canaryWalk, describeCanaryAction, type CanaryRecord } from '../core/strategy/canary-plan.js';
import { canaryWaitKey, continuable, decideCanaryWatch, type CanaryWatchFacts } from '../core/strategy/canary-watch.js';
import type { CanaryStrategy } from '../core/strategy/strategy-config.js';
import { canaryRelease, canaryRunLock } from './deploy/canary.js';
import { commandLineFingerprint } from './deploy/canary-inputs.js';
import type { Deps } from './deps.js';
import { liveVersion } from './steps/deployed-release.js';

/** What a canary watcher reports beyond the events every watcher does. */
export type CanaryWatchEvent =
  | { event: 'up-to-date'; env: string; deployed: string | null; newest: string | null }
  /** A recorded run (waiting for approval, walked by another job, or left by a stopped or killed one) is a person's to finish; `newer` waits behind it. */
  | { event: 'canary-waiting'; env: string; version: string; state: 'running' | 'awaiting-approval'; weight: number; newer: string | null; resume: string; abort: string }
  /** A run a watcher started, whose job died mid-walk (no job holds its locks, not stopped on purpose): walked on from `next`, as deploy --resume does. */
  | { event: 'canary-continued'; env: string; version: string; next: string; weight: number }
  /** The watcher's own walk stopped on SIGTERM after the action in flight; `next` is what --resume runs first. */
  | { event: 'canary-stopped'; env: string; version: string; next: string; weight: number; resume: string }
  /** A release lock or the canary record refused the start: another job is at it; looked at again next poll, not a failure. */
  | { event: 'waiting'; env: string; version: string; reason: string };

/** What a canary watcher remembers between polls, beyond the versions it gave up on. */
export class CanaryWatch {
  /**
   * The version of the run known recorded at the last look (seen, or left by its own walk): while there is one, every poll
   * looks again (a person resumes or aborts it without the index changing). A start is not one: an error before its
   * record was written leaves nothing a person removed.
   */
  private lastRun: string | undefined;
  private reported: string | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly env: Environment,
    private readonly emit: (event: CanaryWatchEvent) => void,
  ) {}

  get runRecorded(): boolean {
    return this.lastRun !== undefined;
  }

  /** The version to start a canary of now (`resume`: continue its recorded run), or undefined once what stops it is reported. */
  async next(newest: string | undefined, gaveUp: Set<string>): Promise<{ version: string; from: string | null; resume?: true } | undefined> {
    const env = this.env;
    const [stored, stable] = await Promise.all([this.deps.canaryRecords.read({ namespace: env.namespace, kubeContext: env.kubeContext }, env.release), liveVersion(this.deps.releases, env)]);
    const walker = stored && continuable(stored.record) ? await this.walkerOf(stored.record) : undefined;
    const decision = decideCanaryWatch({ newest, stable, recorded: stored?.record, walker, gaveUp, lastRun: this.lastRun, reported: this.reported });
    if ((decision.kind === 'up-to-date' || decision.kind === 'start') && decision.giveUp) gaveUp.add(decision.giveUp);
    this.lastRun = decision.kind === 'wait' ? decision.run.version : decision.kind === 'continue' ? decision.version : undefined;
    this.reported = decision.kind === 'wait' ? decision.key : undefined;
    if (decision.kind === 'start') return { version: decision.version, from: stable };
    if (decision.kind === 'continue') {
      const next = describeCanaryAction(canaryWalk(env.deploy.strategy as CanaryStrategy)[decision.from] ?? { kind: 'promote' });
      this.emit({ event: 'canary-continued', env: env.name, version: decision.version, next, weight: stored!.record.weight });
      return { version: decision.version, from: stable, resume: true };
    }
    if (decision.kind === 'up-to-date') this.emit({ event: 'up-to-date', env: env.name, deployed: stable, newest: newest ?? null });
    else if (decision.report) this.emit({ event: 'canary-waiting', env: env.name, ...canaryWaitCommands(env, decision.run.state), version: decision.run.version, state: decision.run.state, weight: stored!.record.weight, newer: decision.newer ?? null });
    return undefined;
  }

  /** Whether a live job holds the run's lock or the canary release's, and whether the watcher's values (none) are those the run started with. */
  private async walkerOf(record: CanaryRecord): Promise<NonNullable<CanaryWatchFacts['walker']>> {
    const env = this.env;
    const held = async (release: string) => decideLock(await this.deps.locks.read({ release, namespace: env.namespace, kubeContext: env.kubeContext }), '', this.deps.now()).kind === 'wait';
    const [run, canary, inputs] = await Promise.all([held(canaryRunLock(env)), held(canaryRelease(env)), record.inputs === undefined ? undefined : commandLineFingerprint(this.deps, {}, record)]);
    return { lockHeld: run || canary, sameInputs: inputs === record.inputs };
  }

  /** Its own walk found its record written or removed by another job: whichever, the run is no longer the watcher's. */
  walkTakenOver(version: string): void {
    this.lastRun = version;
  }

  /** Its own walk stopped at an approve step: reported by the caller, so the next poll's look at the record says nothing more. */
  leftWaiting(version: string): void {
    this.lastRun = version;
    this.reported = canaryWaitKey({ version, state: 'awaiting-approval' }, undefined);
  }
}

/** What a person runs: --yes approves the step a run waits at; a running one's job may still be walking it, so it is resumed once that job is gone. */
export function canaryWaitCommands(env: Pick<Environment, 'name'>, state: 'running' | 'awaiting-approval'): { resume: string; abort: string } {
  return { resume: `chartctl deploy ${env.name} --resume${state === 'awaiting-approval' ? ' --yes' : ''}`, abort: `chartctl deploy ${env.name} --abort` };
}
