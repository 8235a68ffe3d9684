import { ChartctlError } from '../../core/errors.js';
import type { Environment } from '../../core/environment.js';
import type { KubeObject } from '../../core/manifests.js';
import { findBackendService, type BackendServiceLookup } from '../../core/strategy/backend-service.js';
import { appliedObjects } from '../steps/deployed-release.js';
import { newestRevision } from '../../core/release-history.js';
import { confirmDeploy } from './confirm-deploy.js';
import { canaryConfirmation, describeCanaryAction, canaryReplicas, canaryWalk, decideCanaryCommand, decideCanaryStep, pauseProbes, type CanaryAction, type CanaryRecord } from '../../core/strategy/canary-plan.js';
import type { CheckResult } from '../../core/strategy/check-verdict.js';
import type { CanaryStrategy } from '../../core/strategy/strategy-config.js';
import type { CanaryRoute } from '../../adapters/canary-traffic.js';
import type { Deps } from '../deps.js';
import type { DeployOutcome, DeployPlanSummary } from './outcome.js';
import { resolveCandidate } from '../steps/candidate.js';
import { diffReleases } from '../../core/release-diff.js';
import type { CommandLineValues } from '../steps/values.js';
import { commandLineFingerprint } from './canary-inputs.js';
import { withReleaseLock, type ReleaseLockFlags } from '../hold-release-lock.js';

/** The rolling deploy of one release (deploy.ts), run here against the canary's release and, to promote, the stable one. */
export type DeployOneRelease<O, R> = (deps: Deps, env: Environment, options: O) => Promise<R>;

export interface CanaryFlags extends CommandLineValues, ReleaseLockFlags {
  version?: string;
  local?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  /** Continue a recorded run (another process may have started it). */
  resume?: boolean;
  /** Remove the recorded run's canary and send all traffic back to stable. */
  abort?: boolean;
  /** Asks a person at an approve step (a TTY); absent in CI. */
  approveStep?: (question: string) => Promise<boolean>;
  /** --yes confirms the start only: an approve step waits for a person even so (watch, which nobody attends). */
  approveStepsWait?: boolean;
  /** Asks a person to confirm the start of a walk that has no approve step (a TTY); absent in CI. */
  confirm?: (plan: DeployPlanSummary) => Promise<boolean>;
  /** Recorded in a run this command starts (default 'deploy'): a watcher continues only runs a watcher started. */
  startedBy?: 'deploy' | 'watch';
  /** The run's lock is taken only if free now (a watcher continuing a run whose job is gone: whoever got there first walks it). */
  runLockNoWait?: boolean;
}

/** The canary's release: `<release>-canary`, beside the stable one in the environment's namespace. */
export const canaryRelease = (env: Pick<Environment, 'release'>) => `${env.release}-canary`;

/**
 * The lock a walk holds from start (or resume) to end, pauses included, named as a release lock of a release helm
 * never has: a watcher tells a walk in progress from one whose job died by it (decideCanaryWatch).
 */
export const canaryRunLock = (env: Pick<Environment, 'release'>) => `${env.release}-canary-run`;

const target = (env: Environment) => ({ namespace: env.namespace, kubeContext: env.kubeContext });

/**
 * Canary: the candidate runs as `<release>-canary` beside the stable release;
 * the walk (weight → pause → checks, approvals) is recorded after every
 * action, so a later process resumes or aborts it; the first failed check
 * removes the canary; at the end the stable release is upgraded to the
 * candidate's exact artifact and the canary removed.
 */
export async function deployCanary<O extends CanaryFlags, R extends { outcome: DeployOutcome }>(
  deps: Deps,
  env: Environment,
  strategy: CanaryStrategy,
  options: O,
  deployOne: DeployOneRelease<O, R>,
): Promise<R | { outcome: DeployOutcome; warnings: [] }> {
  const stored = await deps.canaryRecords.read(target(env), env.release);
  const mode = options.abort ? 'abort' : options.resume ? 'resume' : 'deploy';
  if (mode === 'deploy' && !stored) {
    const stable = newestRevision(await deps.releases.history({ release: env.release, namespace: env.namespace, kubeContext: env.kubeContext }));
    // Nothing serves yet: there is no stable track to compare a canary with, so the first version is installed as stable.
    if (!stable) return deployOne(deps, env, options);
  }
  let candidate: { version: string; digest: string } | undefined;
  if (mode === 'deploy') {
    const c = await resolveCandidate(deps, env, { version: options.version, local: options.local });
    await c.release();
    candidate = { version: c.version, digest: c.digest ?? '' };
  }
  const recordedInputs = mode === 'resume' ? stored?.record.inputs : undefined;
  const sameInputs = recordedInputs === undefined ? undefined : recordedInputs === (await commandLineFingerprint(deps, options, stored!.record));
  const decision = decideCanaryCommand(stored?.record, { mode, candidate, approved: Boolean(options.yes), sameInputs });
  if (decision.kind === 'refused') throw new ChartctlError(`Canary of ${env.name}: ${decision.reason}.`, { code: 'CANARY_REFUSED', hint: decision.hint.replaceAll('<env>', env.name) });
  if (decision.kind === 'abort') {
    const aborted = await abortCanary(deps, env, strategy, stored!.record, { reason: decision.reason }, options);
    // Asked for, not a failure: exit 0.
    return { outcome: { kind: 'canaryRemoved', plan: aborted.plan, checks: stored!.record.lastChecks }, warnings: [] };
  }

  const walk = canaryWalk(strategy);
  if (decision.kind === 'start') {
    const canaryEnv = { ...env, release: canaryRelease(env) };
    // The canary's own plan: what installing it beside stable would do (a dry run shows it and stops).
    const first = await deployOne(deps, canaryEnv, { ...options, version: decision.version, dryRun: true });
    const plan = withCanaryPlan(first.outcome.plan, env, walk);
    if (options.dryRun) return { ...first, outcome: { kind: 'planned', plan } };
    if (canaryConfirmation(walk) === 'before-start') await confirmDeploy(deps, env, options, plan);
    // Locked before the record exists: a recorded run with its lock free is one whose job is gone.
    return holdingRun(deps, env, options, decision.version, async (lost) => {
      const now = deps.now().toISOString();
      const run = { digest: decision.digest, startedAt: now };
      const inputs = await commandLineFingerprint(deps, options, run);
      const record: CanaryRecord = { version: decision.version, ...run, next: 0, state: 'running', weight: 0, lastChecks: [], updatedAt: now, inputs, startedBy: options.startedBy ?? 'deploy' };
      const written = await deps.canaryRecords.write(target(env), env.release, record);
      if (written.kind === 'conflict') throw conflict(env);
      return { outcome: await walkCanary(deps, env, strategy, options, deployOne, { record, resourceVersion: written.resourceVersion, plan, lost }), warnings: [] };
    });
  }
  const plan = recordedPlan(env, stored!.record, walk);
  if (options.dryRun) return { outcome: { kind: 'planned', plan }, warnings: [] };
  return holdingRun(deps, env, options, stored!.record.version, async (lost) => {
    // Another job may have walked, stopped or removed the run while this one waited for its lock.
    const now = await deps.canaryRecords.read(target(env), env.release);
    if (now?.resourceVersion !== stored!.resourceVersion) throw await lostRun(deps, env, { record: stored!.record }, now !== undefined);
    // A resumed run is running again (an approval it waited for is asked again below), no longer stopped.
    const { stoppedAt: _stopped, ...record } = stored!.record;
    return { outcome: await walkCanary(deps, env, strategy, options, deployOne, { record: { ...record, state: 'running' }, resourceVersion: stored!.resourceVersion, plan, lost }), warnings: [] };
  });
}

/** Runs a walk holding its run's lock (canaryRunLock); its helm changes take their releases' own locks as well. */
function holdingRun<T>(deps: Deps, env: Environment, options: CanaryFlags, version: string, walk: (lost: AbortSignal) => Promise<T>): Promise<T> {
  const flags = options.runLockNoWait ? { ...options, noWaitLock: true } : options;
  const operation = `canary walk of ${env.release} ${version}`;
  return withReleaseLock(deps, { ...env, release: canaryRunLock(env) }, { operation, flags, deployTimeout: env.deploy.timeout }, (held) => walk(held.lost));
}

interface RunState {
  record: CanaryRecord;
  resourceVersion: string;
  plan: DeployPlanSummary;
  /** The run's lock was lost (not renewed in time, taken over): another job may walk the run now. */
  lost: AbortSignal;
}

async function walkCanary<O extends CanaryFlags, R extends { outcome: DeployOutcome }>(
  deps: Deps,
  env: Environment,
  strategy: CanaryStrategy,
  options: O,
  deployOne: DeployOneRelease<O, R>,
  run: RunState,
): Promise<DeployOutcome> {
  const walk = canaryWalk(strategy);
  const save = async (change: Partial<CanaryRecord>) => {
    const record = { ...run.record, ...change, updatedAt: deps.now().toISOString() };
    const written = await deps.canaryRecords.write(target(env), env.release, record, run.resourceVersion);
    if (written.kind === 'conflict') throw await lostRun(deps, env, run);
    run.record = record;
    run.resourceVersion = written.resourceVersion;
  };
  const canaryEnv = { ...env, release: canaryRelease(env) };
  let checks: CheckResult[] | undefined;
  // Ends a pause early on watch's first SIGTERM (deps.drain alone) as on an interruption.
  const pauseSignal = AbortSignal.any([deps.signal, deps.drain]);
  try {
    for (;;) {
      // watch's first SIGTERM: the action in flight has finished and is recorded; --resume continues from the record.
      // A check that failed still removes the canary first: that is how its step ends.
      if (deps.drain.aborted && !deps.signal.aborted && !checks?.some((c) => !c.passed)) {
        await save({ stoppedAt: deps.now().toISOString() });
        return { kind: 'canaryStopped', plan: run.plan, next: describeCanaryAction(walk[run.record.next] ?? { kind: 'promote' }), weight: run.record.weight, checks: run.record.lastChecks };
      }
      const step = decideCanaryStep(walk, run.record.next, { approved: false, checks });
      checks = undefined;
      if (step.kind === 'abort') return abortCanary(deps, env, strategy, run.record, { reason: step.reason, failed: step.failed, plan: run.plan }, options);
      if (step.kind === 'promote') {
        await ensureStillRecorded(deps, env, run);
        return promote(deps, env, strategy, options, deployOne, run);
      }
      if (step.kind === 'await-approval') {
        const question = `Canary of ${run.record.version} in ${env.name} at ${run.record.weight}%: promote further?`;
        // --yes (on the starting job or on a later --resume) approves; otherwise a person at the prompt, and a job without one leaves the run waiting.
        const approved = (Boolean(options.yes) && !options.approveStepsWait) || (options.approveStep ? await options.approveStep(question) : false);
        if (!approved) {
          await save({ state: 'awaiting-approval' });
          return { kind: 'canaryWaiting', plan: run.plan, step: (walk[step.index] as { step: number }).step, weight: run.record.weight, checks: run.record.lastChecks };
        }
        await save({ next: step.index + 1, state: 'running' });
        continue;
      }
      const action = step.action;
      if (action.kind === 'weight') {
        await ensureStillRecorded(deps, env, run);
        const moved = await setWeight(deps, env, strategy, options, deployOne, canaryEnv, run.record, action.weight);
        if (moved.kind === 'failed') return abortCanary(deps, env, strategy, run.record, { reason: moved.reason, plan: run.plan }, options);
        await save({ next: step.index + 1, weight: moved.share });
      } else if (action.kind === 'pause') {
        deps.reporter.progress(`Canary at ${run.record.weight}%: pausing ${action.ms / 1000}s`);
        const failed = await pauseWithProbes(deps, env, strategy, canaryEnv.release, action, pauseSignal, (probed) => save({ lastChecks: probed }));
        deps.signal.throwIfAborted();
        if (failed) {
          checks = [failed];
          continue;
        }
        // Cut short by the drain: still at this pause in the record, which --resume starts over.
        if (!pauseSignal.aborted) await save({ next: step.index + 1 });
      } else if (action.kind === 'checks') {
        checks = await runChecks(deps, env, strategy, canaryEnv.release, action.names);
        await save({ lastChecks: checks, ...(checks.every((c) => c.passed) ? { next: step.index + 1 } : {}) });
      } else {
        await save({ next: step.index + 1 });
      }
    }
  } catch (err) {
    // deploy's Ctrl-C, watch's second signal: a stop on purpose, recorded (while the record is this job's) so no watcher
    // continues the run as one whose job died.
    if (deps.signal.aborted) await save({ stoppedAt: deps.now().toISOString() }).catch(() => undefined);
    throw err;
  }
}

type WeightResult = { kind: 'set'; share: number } | { kind: 'failed'; reason: string };

/** `replicas`: the canary release at the replica count giving that share of the shared Service's endpoints; otherwise the edge split. */
async function setWeight<O extends CanaryFlags, R extends { outcome: DeployOutcome }>(
  deps: Deps,
  env: Environment,
  strategy: CanaryStrategy,
  options: O,
  deployOne: DeployOneRelease<O, R>,
  canaryEnv: Environment,
  record: CanaryRecord,
  weight: number,
): Promise<WeightResult> {
  const stableObjects = await appliedObjects(deps.releases, { release: env.release, namespace: env.namespace, kubeContext: env.kubeContext });
  const replicas = strategy.traffic === 'replicas' ? canaryReplicas(stableReplicasOf(stableObjects), weight) : undefined;
  const set = [
    ...Object.entries(strategy.set ?? {}).map(([key, value]) => `${key}=${value}`),
    ...(options.set ?? []),
    ...(replicas && strategy.replicasValue ? [`${strategy.replicasValue}=${replicas.replicas}`] : []),
  ];
  deps.reporter.progress(`Canary ${canaryEnv.release} at weight ${weight}%${replicas ? ` (${replicas.replicas} replica(s), ${replicas.share}% of the endpoints)` : ''}`);
  const result = await deployOne(deps, canaryEnv, { ...options, version: record.version, local: false, dryRun: false, yes: true, set });
  const o = result.outcome;
  if (o.kind !== 'deployed' && o.kind !== 'unchanged') return { kind: 'failed', reason: `the canary release ${canaryEnv.release} did not deploy (${'reason' in o ? o.reason : o.kind})` };
  if (o.plan.digest !== record.digest) return { kind: 'failed', reason: `${record.version} in the repository is now ${o.plan.digest}, not the ${record.digest} this canary started with` };
  if (strategy.traffic === 'replicas') {
    await ensureSharedService(deps, env, strategy, stableObjects);
    return { kind: 'set', share: replicas!.share };
  }
  await deps.canaryTraffic.setWeight(strategy.traffic, await canaryRoute(deps, env, strategy, stableObjects, canaryEnv.release), weight);
  return { kind: 'set', share: weight };
}

/**
 * `replicas` has no split of its own: chartctl owns a Service (strategy.router)
 * selecting the labels the stable and canary Pods share (the backend Service's
 * selector without the instance label), so the canary's Pods are its endpoints
 * in proportion to their number.
 */
async function ensureSharedService(deps: Deps, env: Environment, strategy: CanaryStrategy, stableObjects: KubeObject[]): Promise<void> {
  const router = strategy.router ?? { service: env.release };
  const backend = backendService(env.release, stableObjects, router.backend);
  const { 'app.kubernetes.io/instance': _instance, ...shared } = backend.selector;
  if (Object.keys(shared).length === 0) {
    throw new ChartctlError(`Service ${backend.name} selects its Pods by the instance label alone: no selector can take in both the stable and the canary Pods.`, {
      code: 'CANARY_NO_SHARED_SELECTOR',
      hint: 'The chart\'s Service selector needs a label both releases share (app.kubernetes.io/name).',
    });
  }
  const current = await deps.routers.readService(target(env), router.service);
  if (current && JSON.stringify(current.selector) === JSON.stringify(shared)) return;
  const written = await deps.routers.writeService(target(env), router.service, { selector: shared, ports: backend.ports, liveSlot: 'stable+canary' }, current?.resourceVersion);
  if (written.kind === 'conflict') throw conflict(env);
}

function backendService(release: string, objects: KubeObject[], backend: string | undefined): Extract<BackendServiceLookup, { kind: 'found' }> {
  const found = findBackendService(objects, release, backend);
  if (found.kind !== 'found') {
    const example = found.names[0];
    throw new ChartctlError(`Release ${release} has ${backend ? `no Service ${release}-${backend}` : `${found.names.length} Services with a selector`}: say which one the canary shares.`, {
      code: 'CANARY_NO_SERVICE',
      hint: `Set deploy.strategy.canary.router.backend to the part after "${release}-"${example ? ` (e.g. ${example.slice(release.length + 1)})` : ''}.`,
    });
  }
  return found;
}

async function canaryRoute(deps: Deps, env: Environment, strategy: CanaryStrategy, stableObjects: KubeObject[], canary: string): Promise<CanaryRoute> {
  const stable = backendService(env.release, stableObjects, strategy.router?.backend);
  const canaryObjects = await appliedObjects(deps.releases, { release: canary, namespace: env.namespace, kubeContext: env.kubeContext });
  const backend = stable.name.slice(env.release.length + 1);
  const canaryService = backendService(canary, canaryObjects, backend || undefined);
  return { ...target(env), route: (strategy.traffic === 'gateway' ? strategy.httpRoute : strategy.ingress)!, stableService: stable.name, canaryService: canaryService.name };
}

/** The stable track's replicas: its largest Deployment (helm renders replicas; 1 when the chart leaves it out). */
function stableReplicasOf(objects: KubeObject[]): number {
  const counts = objects.filter((o) => o.kind === 'Deployment').map((o) => Number((o.spec as { replicas?: number } | undefined)?.replicas ?? 1));
  return Math.max(1, ...counts);
}

async function runChecks(deps: Deps, env: Environment, strategy: CanaryStrategy, release: string, names: string[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const name of names) {
    deps.reporter.progress(`Check ${name} against the canary`);
    const r = await deps.checks.run(name, strategy.checks[name]!, { env: env.name, namespace: env.namespace, kubeContext: env.kubeContext, release, track: 'canary' }, deps.signal);
    results.push(r);
    deps.reporter.progress(`  ${r.passed ? 'passed' : 'FAILED'}: ${r.detail}`);
    if (!r.passed) break;
  }
  return results;
}

/** A step's pause on deps' clock, probing its `every` checks on the way; the first failed probe ends it and is returned. */
async function pauseWithProbes(deps: Deps, env: Environment, strategy: CanaryStrategy, release: string, pause: { step: number; ms: number }, signal: AbortSignal, recordProbe: (checks: CheckResult[]) => Promise<void>): Promise<CheckResult | undefined> {
  const step = strategy.steps[pause.step];
  const names = step?.kind === 'weight' ? step.checks : [];
  const repeating = names.flatMap((name) => {
    const spec = strategy.checks[name];
    return spec?.kind === 'http' && spec.everyMs ? [{ name, everyMs: spec.everyMs }] : [];
  });
  let elapsed = 0;
  for (const probe of pauseProbes(pause.ms, repeating)) {
    await deps.sleep(probe.atMs - elapsed, signal);
    elapsed = probe.atMs;
    if (signal.aborted) return undefined;
    const [result] = await runChecks(deps, env, strategy, release, [probe.name]);
    await recordProbe([result!]);
    if (!result!.passed) return result;
  }
  await deps.sleep(pause.ms - elapsed, signal);
  return undefined;
}

/** The stable release upgraded to the canary's exact artifact (the artifact's own values, no canary replica count), then the canary removed. */
async function promote<O extends CanaryFlags, R extends { outcome: DeployOutcome }>(
  deps: Deps,
  env: Environment,
  strategy: CanaryStrategy,
  options: O,
  deployOne: DeployOneRelease<O, R>,
  run: RunState,
): Promise<DeployOutcome> {
  deps.reporter.progress(`Promoting ${run.record.version}: upgrading stable release ${env.release}`);
  const result = await deployOne(deps, env, { ...options, version: run.record.version, local: false, dryRun: false, yes: true });
  const o = result.outcome;
  if (o.kind !== 'deployed' && o.kind !== 'unchanged') return abortCanary(deps, env, strategy, run.record, { reason: `promotion failed: the stable release did not upgrade (${'reason' in o ? o.reason : o.kind})`, plan: run.plan }, options);
  if (o.plan.digest !== run.record.digest) return abortCanary(deps, env, strategy, run.record, { reason: `promotion refused: ${run.record.version} is now ${o.plan.digest}, not ${run.record.digest}`, plan: run.plan }, options);
  await removeCanary(deps, env, strategy);
  const head = newestRevision(await deps.releases.history({ release: env.release, namespace: env.namespace, kubeContext: env.kubeContext }));
  return { kind: 'canaryPromoted', plan: run.plan, revision: head?.revision ?? 0, checks: run.record.lastChecks };
}

/** All traffic back to stable: the edge split reset, the canary release and the record removed. The stable release is not touched. */
export async function abortCanary(deps: Deps, env: Environment, strategy: CanaryStrategy, record: CanaryRecord, why: { reason: string; failed?: CheckResult; plan?: DeployPlanSummary }, flags: ReleaseLockFlags): Promise<DeployOutcome> {
  deps.reporter.progress(`Aborting the canary of ${record.version}: ${why.reason}`);
  // Under the canary release's lock, which each of the walk's helm changes holds: an abort from another job waits for the
  // step in flight, and the walk finds its record gone before its next helm change (ensureStillRecorded).
  const canaryEnv = { ...env, release: canaryRelease(env) };
  await withReleaseLock(deps, canaryEnv, { operation: `remove canary ${canaryEnv.release}`, flags, deployTimeout: env.deploy.timeout }, (_, deps) => removeCanary(deps, env, strategy));
  return { kind: 'canaryAborted', plan: why.plan ?? recordedPlan(env, record, canaryWalk(strategy)), reason: why.reason, ...(why.failed ? { failed: why.failed } : {}), checks: record.lastChecks };
}

async function removeCanary(deps: Deps, env: Environment, strategy: CanaryStrategy): Promise<void> {
  const canary = canaryRelease(env);
  if (strategy.traffic !== 'replicas') {
    const stableObjects = await appliedObjects(deps.releases, { release: env.release, namespace: env.namespace, kubeContext: env.kubeContext });
    await deps.canaryTraffic.reset(strategy.traffic, await canaryRoute(deps, env, strategy, stableObjects, canary));
  }
  await deps.releases.uninstall({ release: canary, namespace: env.namespace, kubeContext: env.kubeContext }, env.deploy.timeout, 120_000);
  await deps.canaryRecords.remove(target(env), env.release);
}

function withCanaryPlan(plan: DeployPlanSummary, env: Environment, walk: CanaryAction[]): DeployPlanSummary {
  return { ...plan, canary: { release: canaryRelease(env), stable: env.release, walk: walk.map(describeCanaryAction) } };
}

/** The plan of a recorded run (resume, abort): what the record says, with no diff of its own. */
function recordedPlan(env: Environment, record: CanaryRecord, walk: CanaryAction[]): DeployPlanSummary {
  const plan: DeployPlanSummary = {
    env: env.name, release: canaryRelease(env), namespace: env.namespace, version: record.version, digest: record.digest, source: 'canary record',
    fromRevision: null, fromVersion: null, reasons: [], drift: [], diff: diffReleases('', '', { namespace: env.namespace }),
  };
  return withCanaryPlan(plan, env, walk);
}


/** Before a helm change of the walk: the run's lock is still this job's, and the record the one it wrote last (not aborted, not taken over by another job). */
async function ensureStillRecorded(deps: Deps, env: Environment, run: RunState): Promise<void> {
  run.lost.throwIfAborted();
  const now = await deps.canaryRecords.read(target(env), env.release);
  if (now?.resourceVersion !== run.resourceVersion) throw await lostRun(deps, env, run, now !== undefined);
}

/** Why this job's record is no longer its own: removed (an abort or rollback by another job), or written by another job. */
async function lostRun(deps: Deps, env: Environment, run: Pick<RunState, 'record'>, present?: boolean): Promise<ChartctlError> {
  if (present ?? (await deps.canaryRecords.read(target(env), env.release)) !== undefined) return conflict(env);
  return new ChartctlError(`The canary of ${run.record.version} in ${env.name} was removed by another job (deploy --abort or rollback) while this one walked it; this job changed nothing more.`, {
    code: 'CANARY_CONFLICT',
    hint: `chartctl status ${env.name} shows the releases as they are now.`,
  });
}

function conflict(env: Environment): ChartctlError {
  return new ChartctlError(`The canary record of ${env.release} in ${env.namespace} changed while this job was writing it: another job is running this canary.`, {
    code: 'CANARY_CONFLICT',
    hint: `chartctl status ${env.name} shows where it is.`,
  });
}
