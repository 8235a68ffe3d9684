import { setImmediate as nextTurn } from 'node:timers/promises';
import { ChartctlError, ExitCode } from '../core/errors.js';
import { diffReleases, type DiffOptions as ReleaseDiffOptions, type ReleaseDiff } from '../core/release-diff.js';
import { detectDrift, type ResourceDrift } from '../core/drift.js';
import { newestRevision, type RevisionInfo } from '../core/release-history.js';
import type { Deps } from './deps.js';
import { idleSlotEnvironment } from './deploy/blue-green.js';
import { canaryRelease } from './deploy/canary.js';
import { canaryWalk, describeCanaryAction } from '../core/strategy/canary-plan.js';
import type { CanaryStrategy } from '../core/strategy/strategy-config.js';
import type { Environment } from '../core/environment.js';
import { resolveCandidate } from './steps/candidate.js';
import { deployedManifest, releaseTarget } from './steps/deployed-release.js';
import { renderAsUpgradeUnlessNew } from './steps/render-as-upgrade.js';
import { renderEnvironment } from './steps/render.js';
import { imageOriginsOf } from './steps/image-origins.js';
import type { ImageOrigin } from '../core/image-origins.js';
import { mapLimit } from '../core/map-limit.js';
import { startValues, type CommandLineValues } from './steps/values.js';

/** How the two sides are compared and shown (helm-diff's flags); see core/release-diff.ts. */
export type DiffShowOptions = Omit<ReleaseDiffOptions, 'namespace'>;

export interface DiffOptions extends CommandLineValues, DiffShowOptions {
  env: string;
  version?: string;
  local?: boolean;
  /** Diff the deployed release against this earlier revision (what a rollback would change). */
  revision?: number;
  /** Also compare the last applied manifest with the live objects (changes made outside helm). */
  live?: boolean;
}

/** Without a count from the caller: three per core of the common 2-core CI runner (an environment's helm calls wait on the cluster part of the time). */
export const DIFF_ALL_CONCURRENCY = 6;

export type EnvironmentDiff = { env: string; ok: true; result: DiffResult } | { env: string; ok: false; error: ChartctlError | Error };

/**
 * `diff --all`: several environments diffed at once, `concurrency` in flight.
 * One environment failing does not stop the others; each outcome is a value.
 */
export async function diffEnvironments(deps: Deps, envs: string[], options: Omit<DiffOptions, 'env'>, concurrency = DIFF_ALL_CONCURRENCY): Promise<EnvironmentDiff[]> {
  const names = envs.length > 0 ? envs : await deps.repo.environmentNames();
  if (options.revision !== undefined) {
    throw new ChartctlError('--revision names a revision of one release; it cannot be used with several environments.', {
      code: 'DIFF_REVISION_MANY',
      hint: 'Diff one environment: chartctl diff ENV --revision N.',
    });
  }
  // Each diff also reads every environment (where image tags come from): read them once for all.
  const fleet: Deps = { ...deps, repo: deps.repo.environmentsReadOnce() };
  return mapLimit(names, Math.max(1, concurrency), async (env): Promise<EnvironmentDiff> => {
    try {
      // The other environments' helm calls keep the cores busy: a render started before the cluster's answer would
      // finish no sooner, and would cost a second render for each environment not installed yet.
      return { env, ok: true, result: await diff(fleet, { ...options, env }, { renderAhead: false }) };
    } catch (err) {
      return { env, ok: false, error: err instanceof Error ? err : new Error(String(err)) };
    }
  });
}

export interface DiffResult {
  env: string;
  release: string;
  namespace: string;
  /** What is deployed now; `revision: null` when the release does not exist yet. */
  deployed: { revision: number | null; version: string | null; status: string | null };
  candidate: { version: string; digest: string | null; source: string; revision: number | null };
  diff: ReleaseDiff;
  /** With `live`: resources whose live fields differ from what helm applied (null when not asked). */
  drift: ResourceDrift[] | null;
  /** Where the candidate's image tags come from, per service; `override` when the environment sets its own (empty with --revision). */
  images: ImageOrigin[];
  /** Blue/green: the diff is against the idle slot the deploy would change (release above); traffic stays on `live` until the switch. */
  blueGreen?: { slot: string; live: string | null; router: string; ingress?: { name: string; create: boolean; refused?: string } };
  /** Canary: the diff is against the stable release (what promotion changes); deploy would first install the candidate as `release` and walk these steps. */
  canary?: { release: string; walk: string[]; recorded: { version: string; state: string; weight: number } | null };
}

/**
 * What deploying the candidate (or rolling back to a revision) would change, resource by resource.
 * `renderAhead`: helm template starts without waiting for helm get all (see renderAsUpgradeUnlessNew).
 */
export async function diff(deps: Deps, options: DiffOptions, { renderAhead = true } = {}): Promise<DiffResult> {
  const loaded = await deps.repo.loadEnvironment(options.env);
  const strategy = loaded.deploy.strategy;
  const idle = strategy.kind === 'blueGreen' ? await idleSlotEnvironment(deps, loaded, strategy) : undefined;
  const canary = strategy.kind === 'canary' ? await canaryPlanOf(deps, loaded, strategy) : undefined;
  const env = idle?.env ?? loaded;
  const releases = deps.releases;
  const target = releaseTarget(env);
  deps.reporter.progress(`Reading release ${env.release} in ${env.namespace}${env.kubeContext ? ` (context ${env.kubeContext})` : ''}`);
  const deployedSide = (current: Pick<RevisionInfo, 'revision' | 'chartVersion' | 'status'> | undefined) => {
    const livePromise = options.live && current ? releases.resources(target) : undefined;
    livePromise?.catch(() => undefined);
    return {
      deployed: { revision: current?.revision ?? null, version: current?.chartVersion ?? null, status: current?.status ?? null },
      driftOf: async (deployedText: string) => (livePromise ? detectDrift(deployedText, await livePromise, env.namespace) : options.live ? [] : null),
    };
  };
  const shown = { env: env.name, release: env.release, namespace: env.namespace };
  const around = { ...(idle ? { blueGreen: idle.blueGreen } : {}), ...(canary ? { canary } : {}) };

  if (options.revision !== undefined) {
    const [history, deployedText] = await Promise.all([releases.history(target), deployedManifest(releases, env).then((m) => m ?? '')]);
    const { deployed, driftOf } = deployedSide(newestRevision(history));
    const wanted = history.find((h) => h.revision === options.revision);
    if (!wanted) {
      throw new ChartctlError(`Release ${env.release} in ${env.namespace} has no revision ${options.revision}. It has: ${history.map((h) => h.revision).join(', ') || 'none'}.`, {
        code: 'REVISION_NOT_FOUND',
        exitCode: ExitCode.noMatch,
        hint: `See chartctl history ${env.name}.`,
      });
    }
    const candidateText = (await deployedManifest(releases, env, wanted.revision)) ?? '';
    return {
      ...shown,
      deployed,
      candidate: { version: wanted.chartVersion, digest: wanted.provenance?.digest ?? null, source: `revision ${wanted.revision}`, revision: wanted.revision },
      diff: diffReleases(deployedText, candidateText, compareOptions(env.namespace, options)),
      drift: await driftOf(deployedText),
      images: [],
      ...around,
    };
  }

  // The cluster side (one helm call: the newest revision and its manifest) and the candidate (S3 index + tarball)
  // do not depend on each other: fetch both at once. helm is asked first, so its process is started before loading
  // the AWS SDK holds this thread (~20 ms).
  const newestPromise = releases.newestWithManifest(target);
  newestPromise.catch(() => undefined);
  const candidatePromise = resolveCandidate(deps, env, { version: options.version, local: options.local });
  candidatePromise.catch(() => undefined);
  // The values (and decrypted secrets) come from the candidate's own configuration: read while the cluster side is fetched;
  // helm template starts before the secrets are decrypted (they reach it on stdin).
  const valuesPromise = candidatePromise.then((c) => startValues(deps, env, options, c.config));
  valuesPromise.catch(() => undefined);
  // Nor, with renderAhead, does helm template wait for helm get all: it starts as an upgrade once the values are ready.
  const rendering = Promise.all([candidatePromise, valuesPromise]).then(([candidate, values]) => {
    const exists = newestPromise.then((n) => n !== undefined);
    const render = { chartOverride: candidate.chartPath, values };
    return renderAhead ? renderAsUpgradeUnlessNew(deps, env, render, exists) : exists.then((isUpgrade) => renderEnvironment(deps, env, { ...render, isUpgrade }));
  });
  rendering.catch(() => undefined);
  const current = await newestPromise.catch(async (err: unknown) => {
    await rendering.catch(() => undefined);
    await valuesPromise.then((v) => v.release()).catch(() => undefined);
    await candidatePromise.then((c) => c.release()).catch(() => undefined);
    throw err;
  });
  const { deployed, driftOf } = deployedSide(current?.newest);
  const deployedText = current?.manifest ?? '';
  const candidate = await candidatePromise;
  const values = await valuesPromise.catch(async (err: unknown) => {
    await candidate.release();
    throw err;
  });
  try {
    // Where the image tags come from needs only the candidate's files: worked out while helm renders, once helm
    // is started and has its secrets (the turn after they are ready), so it delays neither.
    const imagesPromise = values.stdin
      .catch(() => undefined)
      .then(() => nextTurn())
      .then(() => imageOriginsOf(deps, env, candidate.config, candidate.dependencies));
    imagesPromise.catch(() => undefined);
    const rendered = await rendering;
    return {
      ...shown,
      deployed,
      candidate: { version: candidate.version, digest: candidate.digest ?? null, source: candidate.source, revision: null },
      diff: diffReleases(deployedText, rendered.manifest, compareOptions(env.namespace, options)),
      drift: await driftOf(deployedText),
      images: await imagesPromise,
      ...around,
    };
  } finally {
    // Every helm template started has exited before the files it reads are removed.
    await rendering.catch(() => undefined);
    await values.release();
    await candidate.release();
  }
}

function compareOptions(namespace: string, o: DiffOptions): ReleaseDiffOptions {
  return {
    namespace,
    context: o.context,
    showSecrets: o.showSecrets,
    showSecretsDecoded: o.showSecretsDecoded,
    suppressKinds: o.suppressKinds,
    suppressLines: o.suppressLines,
    findRenames: o.findRenames,
    stripTrailingCR: o.stripTrailingCR,
    hooks: o.hooks,
    tests: o.tests,
    helmDiffLines: o.helmDiffLines,
    pathChanges: o.pathChanges,
  };
}

/** The canary walk deploy would run, and the run already recorded (deploy refuses a new one beside it). */
async function canaryPlanOf(deps: Deps, env: Environment, strategy: CanaryStrategy): Promise<NonNullable<DiffResult['canary']>> {
  const stored = await deps.canaryRecords.read({ namespace: env.namespace, kubeContext: env.kubeContext }, env.release);
  const record = stored?.record;
  return {
    release: canaryRelease(env),
    walk: canaryWalk(strategy).map(describeCanaryAction),
    recorded: record ? { version: record.version, state: record.state, weight: record.weight } : null,
  };
}
