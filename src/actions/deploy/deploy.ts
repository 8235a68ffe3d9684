import { deployBlueGreen } from './blue-green.js';
import { deployCanary } from './canary.js';
import { requireSupportedStrategy } from '../../core/strategy/strategy-support.js';
import { ChartctlError } from '../../core/errors.js';
import type { Environment } from '../../core/environment.js';
import { activeFreeze } from '../../core/deploy-gates.js';
import type { Finding } from '../../core/findings.js';
import { parseManifestStream } from '../../core/manifests.js';
import { diffReleases } from '../../core/release-diff.js';
import { encodeProvenance, newestRevision, type Provenance, type RevisionInfo } from '../../core/release-history.js';
import { checkCreatedRevisionLive, planDeploy } from '../../core/deploy-plan.js';
import { detectDrift } from '../../core/drift.js';
import { Interrupted } from '../../core/interruption.js';
import type { Deps } from '../deps.js';
import { historyAndManifest, releaseTarget } from '../steps/deployed-release.js';
import { resolveCandidate, type Candidate } from '../steps/candidate.js';
import { requireDeployedIn } from '../steps/deployed-in.js';
import { validateRenderedManifests } from '../steps/manifest-validation.js';
import { renderEnvironment } from '../steps/render.js';
import { resolveValues, type CommandLineValues } from '../steps/values.js';
import { resolveActor } from '../steps/resolve-actor.js';
import { afterFailedUpgrade, notLive, rollBackAfterTests } from './recovery.js';
import { interruptedRelease } from '../steps/interrupted-release.js';
import { startWaitHeartbeat } from './wait-heartbeat.js';
import { confirmDeploy } from './confirm-deploy.js';
import { DEPLOY_EXIT, type DeployOutcome, type DeployPlanSummary } from './outcome.js';

export { DEPLOY_EXIT, type DeployOutcome, type DeployPlanSummary };
import { heartbeatIntervalMs } from '../../core/wait-heartbeat.js';
import { classifyPending, type LockEvidence } from '../../core/pending-release.js';
import { lockSeenFrom, withReleaseLock, type ReleaseLockFlags } from '../hold-release-lock.js';
import { settlePending } from './pending.js';
import { durationMs } from '../../core/duration.js';

/** valuesFiles/set/setString: --values/-f, --set, --set-string layered as in template and diff. */
export interface DeployOptions extends CommandLineValues, ReleaseLockFlags {
  env: string;
  version?: string;
  local?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  noTests?: boolean;
  /** Overrides the environment's deploy.timeout (helm duration, e.g. 90s). */
  timeout?: string;
  overrideFreeze?: boolean;
  reason?: string;
  /** Canary: continue the recorded run (--resume), or remove it (--abort). */
  resume?: boolean;
  abort?: boolean;
  /** Canary: asks a person at an approve step (a TTY); absent in CI. */
  approveStep?: (question: string) => Promise<boolean>;
  /** Canary: --yes confirms the start only; an approve step waits for a person (watch). */
  approveStepsWait?: boolean;
  /** Asks a person to go ahead after seeing the plan (a TTY); absent in CI. */
  confirm?: (plan: DeployPlanSummary) => Promise<boolean>;
  /** Canary: who starts a run (recorded; default 'deploy'), and a resume that takes the run's lock only if it is free now (watch). */
  startedBy?: 'deploy' | 'watch';
  runLockNoWait?: boolean;
}

export interface DeployResult {
  outcome: DeployOutcome;
  warnings: Finding[];
}

/**
 * Diff-then-upgrade: resolve and verify the exact tarball, refuse a stuck
 * release, validate, show the diff, confirm, `helm upgrade --install --wait`
 * with helm's own rollback on failure, `helm test`, and roll back by itself
 * when the tests fail. Outcomes are values; only unexpected failures throw.
 */
export async function deploy(deps: Deps, options: DeployOptions): Promise<DeployResult> {
  const env = await deps.repo.loadEnvironment(options.env);
  requireSupportedStrategy(env, 'deploy', ['rolling', 'blueGreen', 'canary']);
  checkFreeze(deps, env, options);
  const strategy = env.deploy.strategy;
  if (strategy.kind === 'blueGreen') {
    // The environment's lock (its release name) covers the slot choice and the switch; each slot's deploy takes the slot's own.
    if (options.dryRun) return deployBlueGreen(deps, env, strategy, options, deployRelease);
    const operation = `blue/green deploy ${env.release}${options.version ? ` ${options.version}` : ''}`;
    return withReleaseLock(deps, env, { operation, flags: options, deployTimeout: options.timeout ?? env.deploy.timeout, createNamespace: true }, (_, deps) => deployBlueGreen(deps, env, strategy, options, deployRelease));
  }
  // Each helm change takes its release's lock (stable, canary); the run itself is serialized by its record's conditional writes.
  if (strategy.kind === 'canary') return deployCanary(deps, env, strategy, options, deployRelease);
  return deployRelease(deps, env, options);
}

/** The rolling deploy of the environment's release (or, for blue/green, of one slot's). */
async function deployRelease(deps: Deps, env: Environment, options: DeployOptions): Promise<DeployResult> {

  const candidate = await resolveCandidate(deps, env, { version: options.version, local: options.local, deploying: true });
  // The values (and decrypted secrets) are the candidate's own: read while the release is read.
  const valuesPromise = resolveValues(deps, env, options, candidate.config);
  valuesPromise.catch(() => undefined);
  const deployTimeout = options.timeout ?? env.deploy.timeout;
  try {
    // A dry run changes nothing: it reads the lock instead of taking it.
    if (options.dryRun) return await deployHolding(deps, env, options, candidate, valuesPromise, await lockSeenFrom(deps, env));
    const operation = `deploy ${env.release} ${candidate.version}`;
    return await withReleaseLock(deps, env, { operation, flags: options, deployTimeout, createNamespace: true }, (held, deps) => deployHolding(deps, env, options, candidate, valuesPromise, held.evidence));
  } finally {
    await valuesPromise.then((v) => v.release()).catch(() => undefined);
    await candidate.release();
  }
}

async function deployHolding(deps: Deps, env: Environment, options: DeployOptions, candidate: Candidate, valuesPromise: ReturnType<typeof resolveValues>, lock: LockEvidence): Promise<DeployResult> {
  const releases = deps.releases;
  const target = releaseTarget(env);
  // Set once helm may change the release: an interruption from then on reports the state helm left.
  let changing: { before: RevisionInfo | undefined } | undefined;
  try {
    deps.reporter.progress(`Reading release ${env.release} in ${env.namespace}`);
    // History and the deployed manifest in one round, as diff does.
    let { history, manifest: deployedText } = await historyAndManifest(releases, env);
    const pending = classifyPending({ history, lock, now: deps.now(), deployTimeoutMs: durationMs(options.timeout ?? env.deploy.timeout) });
    if (pending.kind === 'stuck' && lock.kind === 'ours') lock.noteStuck?.({ revision: pending.revision.revision, updated: pending.revision.updated, reason: pending.reason });
    if (pending.kind !== 'none') {
      const recovered = await settlePending(deps, env, pending, { dryRun: Boolean(options.dryRun) });
      if (recovered) ({ history, manifest: deployedText } = await historyAndManifest(releases, env));
    }
    if (env.promotion.requireDeployedIn && !options.local) await requireDeployedIn(deps, env, candidate);

    const current = newestRevision(history);
    const [rendered, live] = await Promise.all([
      renderEnvironment(deps, env, { chartOverride: candidate.chartPath, isUpgrade: Boolean(current), includeCrds: true, values: await valuesPromise }),
      current ? releases.resources(target) : Promise.resolve({}),
    ]);
    const docs = parseManifestStream(rendered.manifest);
    const findings = await validateRenderedManifests(deps, env, docs);
    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      throw new ChartctlError(
        `${candidate.chartName} ${candidate.version} renders ${errors.length} invalid resource(s) for ${env.name}; nothing was deployed:\n${errors
          .slice(0, 20)
          .map((f) => `  ${[f.resource, f.source && `[${f.source}]`].filter(Boolean).join(' ')}: ${f.message}`)
          .join('\n')}`,
        { code: 'MANIFESTS_INVALID', hint: `See chartctl validate ${env.name} for every finding.` },
      );
    }
    const diff = diffReleases(deployedText, rendered.manifest, { namespace: env.namespace });
    const drifted = current ? detectDrift(deployedText, live, env.namespace).map((d) => d.resource) : [];
    const decision = planDeploy({ history, candidate, manifestChanges: diff.hasChanges, drifted, dryRun: Boolean(options.dryRun) });
    if (decision.kind === 'refused') throw stuckRelease(env, decision.pending);
    const plan: DeployPlanSummary = {
      env: env.name,
      release: env.release,
      namespace: env.namespace,
      version: candidate.version,
      digest: candidate.digest ?? null,
      source: candidate.source,
      fromRevision: current?.revision ?? null,
      fromVersion: current?.chartVersion ?? null,
      reasons: decision.kind === 'unchanged' ? [] : decision.reasons,
      drift: drifted,
      diff,
    };
    const warnings = findings.filter((f) => f.severity !== 'error');
    // Before any confirmation, in every output mode: a deploy whose manifests were not all schema-checked says so.
    for (const w of warnings.filter((f) => f.severity === 'warning')) deps.reporter.warn(`${env.name}: ${w.message}`);
    if (decision.kind === 'unchanged') return { outcome: { kind: 'unchanged', plan }, warnings };
    if (decision.kind === 'planned') return { outcome: { kind: 'planned', plan }, warnings };
    await confirmDeploy(deps, env, options, plan);

    const actor = await resolveActor(deps);
    // A repository version names the commit it was packaged from; the working tree is only what --local deploys.
    const revision = candidate.commit === undefined ? await deps.git.revision(deps.repo.root, ['.']).catch(() => undefined) : undefined;
    const provenance: Provenance = {
      version: candidate.version,
      digest: candidate.digest,
      source: candidate.source,
      commit: candidate.commit ?? (revision ? `${revision.commit.slice(0, 12)}${revision.dirty ? '-dirty' : ''}` : undefined),
      actor,
      freezeOverride: options.overrideFreeze ? options.reason : undefined,
    };
    // Never start helm after another job took the lock over (this one could not renew it in time).
    if (lock.kind === 'ours') lock.lost?.throwIfAborted();
    changing = { before: current };
    // The release-changing part, under the release lock taken in deploy().
    const outcome = await upgradeAndTest(deps, env, options, plan, {
      before: current,
      chart: candidate.chartPath,
      chartName: candidate.chartName,
      description: encodeProvenance(provenance),
      values: rendered.values,
    });
    return { outcome, warnings };
  } catch (err) {
    if (!(err instanceof Interrupted)) throw err;
    if (changing) throw await interruptedRelease(releases, env, err, changing.before, 'deploy');
    throw new Interrupted(err.signal, `${err.message} Release ${env.release} in ${env.namespace} was not changed.`, { hint: `Deploy again with "chartctl deploy ${env.name}".` });
  }
}

interface UpgradeInput {
  before: RevisionInfo | undefined;
  chart: string;
  chartName: string;
  description: string;
  values: { valuesArgs: string[]; stdin: string | undefined; setArgs: string[] };
}

/**
 * `helm upgrade --install --wait` with helm's own rollback on failure, then
 * the check that the revision it created is the live one, `helm test`, and a
 * rollback of chartctl's own when the tests fail.
 */
async function upgradeAndTest(deps: Deps, env: Environment, options: DeployOptions, plan: DeployPlanSummary, u: UpgradeInput): Promise<DeployOutcome> {
  const releases = deps.releases;
  const target = releaseTarget(env);
  const timeout = options.timeout ?? env.deploy.timeout;
  const timeoutMs = durationMs(timeout) * 3 + 60_000;
  const heartbeatMs = heartbeatIntervalMs(deps.env.CHARTCTL_HEARTBEAT_INTERVAL);
  deps.reporter.progress(`Deploying ${u.chartName} ${plan.version} to ${env.name} (helm upgrade --install, wait ${timeout})`);
  const heartbeat = env.deploy.wait ? startWaitHeartbeat(deps, releases, target, { before: u.before?.revision, intervalMs: heartbeatMs }) : undefined;
  const upgraded = await releases
    .upgrade({
      ...target,
      chart: u.chart,
      wait: env.deploy.wait,
      timeout,
      historyMax: env.deploy.historyMax,
      rollbackOnFailure: env.deploy.rollbackOnFailure,
      description: u.description,
      valuesArgs: u.values.valuesArgs,
      setArgs: u.values.setArgs,
      createNamespace: !u.before,
      values: u.values.stdin,
      timeoutMs,
    })
    .catch(async (err: unknown) => {
      await heartbeat?.end('failed');
      throw err;
    });
  await heartbeat?.end(upgraded.kind === 'ok' ? 'ready' : upgraded.wait);
  if (upgraded.kind === 'failed') {
    const outcome = await afterFailedUpgrade(releases, env, plan, upgraded, u.before);
    // Its reads give up quietly when interrupted; the state is then read once more by the caller.
    deps.signal.throwIfAborted();
    return outcome;
  }
  const created = upgraded.revision;
  const check = checkCreatedRevisionLive(await releases.history(target), created);
  if (check.kind === 'notLive') return notLive(env, plan, created, check);
  if (options.noTests || !env.deploy.tests) return { kind: 'deployed', plan, revision: created, tests: 'skipped' };

  deps.reporter.progress(`Running helm test for ${env.release} (revision ${created})`);
  const tests = await releases.test(target, timeout, timeoutMs);
  if (tests.kind === 'passed') return { kind: 'deployed', plan, revision: created, tests: 'passed' };
  return rollBackAfterTests(deps, releases, env, plan, created, tests.failures, timeout, timeoutMs);
}

function stuckRelease(env: Environment, stuck: RevisionInfo): ChartctlError {
  return new ChartctlError(`Release ${env.release} in ${env.namespace} is stuck in ${stuck.status} at revision ${stuck.revision} (a helm run was interrupted); deploying over it could make things worse.`, {
    code: 'RELEASE_PENDING',
    hint: `Recover with "chartctl rollback ${env.name}" (it rolls back to the last good revision), then deploy again.`,
  });
}

function checkFreeze(deps: Deps, env: Environment, options: DeployOptions): void {
  const freeze = activeFreeze(env.freeze, deps.now());
  if (!freeze) return;
  if (options.overrideFreeze) {
    if (!options.reason?.trim()) {
      throw new ChartctlError(`--override-freeze needs --reason "…" (it is recorded in the release's provenance).`, { code: 'FREEZE_REASON_MISSING', hint: 'Example: --override-freeze --reason "hotfix for INC-1234"' });
    }
    deps.reporter.warn(`${env.name} is frozen until ${freeze.to}${freeze.reason ? ` (${freeze.reason})` : ''}; overriding: ${options.reason}`);
    return;
  }
  throw new ChartctlError(`${env.name} is frozen from ${freeze.from} to ${freeze.to}${freeze.reason ? ` (${freeze.reason})` : ''}: deploys are refused.`, {
    code: 'FROZEN',
    hint: 'Wait for the window to end, or pass --override-freeze --reason "…" (recorded in provenance) for an emergency change.',
  });
}

