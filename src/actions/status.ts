import { newestVersion, compareVersions } from '../core/chart-version.js';
import { liveRevision, type RevisionInfo } from '../core/release-history.js';
import { durationMs } from '../core/duration.js';
import { classifyPending } from '../core/pending-release.js';
import { lockSeenFrom } from './hold-release-lock.js';
import type { Deps } from './deps.js';
import { readBlueGreenState } from './deploy/blue-green.js';
import { releaseTarget } from './steps/deployed-release.js';
import { chartNameOf, resolveCandidate } from './steps/candidate.js';
import { versionsIn } from './steps/repository-versions.js';
import { imageOriginsOf } from './steps/image-origins.js';
import type { ImageOrigin } from '../core/image-origins.js';
import type { Environment } from '../core/environment.js';
import type { CheckResult } from '../core/strategy/check-verdict.js';
import type { CanaryStrategy } from '../core/strategy/strategy-config.js';
import { canaryWalk, describeCanaryAction } from '../core/strategy/canary-plan.js';
import { canaryRelease } from './deploy/canary.js';

export interface StatusResult {
  env: string;
  release: string;
  namespace: string;
  installed: boolean;
  live: RevisionInfo | null;
  /** healthy: deployed and tests not failed; degraded: tests failed; in-progress: pending-* being changed; stuck: pending-* whose job is gone; failed: nothing deployed. */
  health: 'healthy' | 'degraded' | 'in-progress' | 'stuck' | 'failed' | 'not-installed';
  /** Why a pending-* head is in progress or stuck (the release lock's holder, or the revision's age). */
  pending: { revision: number; status: string; reason: string } | null;
  failedTests: string[];
  /** Newest version the environment accepts in its repository, when newer than the live one. */
  waiting: { version: string; repository: string } | null;
  /** Set when the repository could not be read (status still reports the cluster side). */
  repositoryError?: string;
  /**
   * Where the live version's image tags come from (from its tarball in the repository, when the
   * live revision's digest is that tarball's); `override` marks an environment's own tag. Null when unknown.
   */
  images: ImageOrigin[] | null;
  /** Canary: the recorded run (step, weight, last check values), when one is in progress or waits. */
  canary?: CanaryStatus | null;
  /** Blue/green: both slots and which one the router selects (release/live above are the live slot's). */
  blueGreen?: {
    router: string;
    /** The router Ingress (router.ingress): its hosts, or null before the first switch creates it; `owned` false: an Ingress chartctl does not own holds the name. */
    ingress?: { name: string; hosts: string[] | null; owned: boolean };
    liveSlot: string | null;
    slots: Array<{ slot: string; release: string; revision: number | null; version: string | null; digest: string | null; status: string | null; live: boolean }>;
  };
}

export interface CanaryStatus {
  release: string;
  version: string;
  digest: string;
  state: 'running' | 'awaiting-approval';
  /** The walk's next action, as deploy --dry-run lists it. */
  next: string;
  weight: number;
  lastChecks: CheckResult[];
  updatedAt: string;
}

async function canaryStatus(deps: Deps, env: Environment, strategy: CanaryStrategy): Promise<CanaryStatus | null> {
  const stored = await deps.canaryRecords.read({ namespace: env.namespace, kubeContext: env.kubeContext }, env.release);
  if (!stored) return null;
  const r = stored.record;
  const next = canaryWalk(strategy)[r.next];
  return { release: canaryRelease(env), version: r.version, digest: r.digest, state: r.state, next: next ? describeCanaryAction(next) : 'done', weight: r.weight, lastChecks: r.lastChecks, updatedAt: r.updatedAt };
}

/** What is live, how healthy it is, and whether a newer version waits in the environment's repository. */
export async function status(deps: Deps, options: { env: string }): Promise<StatusResult> {
  const loaded = await deps.repo.loadEnvironment(options.env);
  const strategy = loaded.deploy.strategy;
  let blueGreen: StatusResult['blueGreen'];
  let env = loaded;
  if (strategy.kind === 'blueGreen') {
    const state = await readBlueGreenState(deps, loaded, strategy);
    const live = state.slots.find((s) => s.slot === state.router.liveSlot && s.status);
    blueGreen = {
      router: strategy.router.service,
      ...(state.ingress ? { ingress: { name: state.ingress.name, hosts: state.ingress.existing?.hosts ?? null, owned: state.ingress.plan.kind !== 'refused' } } : {}),
      liveSlot: live?.slot ?? null,
      slots: state.slots.map((s) => ({ slot: s.slot, release: s.release, revision: s.revision ?? null, version: s.version ?? null, digest: s.digest ?? null, status: s.status ?? null, live: s === live })),
    };
    // The rest of the status is the live slot's (the first slot's while nothing is live).
    env = { ...loaded, release: (live ?? state.slots[0]).release };
  }
  // A killed job's run is as visible as a waiting one: the record says where it stopped.
  const canary = strategy.kind === 'canary' ? await canaryStatus(deps, loaded, strategy) : undefined;
  const releases = deps.releases;
  const target = releaseTarget(env);
  const history = await releases.history(target);
  const live = liveRevision(history) ?? null;
  const pendingState = classifyPending({ history, lock: await lockSeenFrom(deps, env), now: deps.now(), deployTimeoutMs: durationMs(env.deploy.timeout) });
  const pending = pendingState.kind === 'none' ? null : { revision: pendingState.revision.revision, status: pendingState.revision.status, reason: pendingState.reason };
  let failedTests: string[] = [];
  let health: StatusResult['health'] = history.length === 0 ? 'not-installed' : pendingState.kind === 'inProgress' ? 'in-progress' : pendingState.kind === 'stuck' ? 'stuck' : live ? 'healthy' : 'failed';
  if (live) {
    const s = await releases.status(target, live.revision);
    live.tests = s.tests;
    failedTests = s.failedTests;
    if (health === 'healthy' && s.tests === 'failed') health = 'degraded';
  }
  let waiting: StatusResult['waiting'] = null;
  let repositoryError: string | undefined;
  try {
    const chart = await chartNameOf(deps, env);
    const repository = await versionsIn(deps, env, chart.name);
    const newest = newestVersion(repository.versions, { allowPrerelease: env.promotion.allowPrerelease });
    if (newest && (!live || compareVersions(newest, live.chartVersion) > 0)) waiting = { version: newest, repository: repository.url };
  } catch (err) {
    repositoryError = err instanceof Error ? err.message.split('\n')[0] : String(err);
  }
  const images = live && !repositoryError ? await liveImageOrigins(deps, env, live) : null;
  return { env: env.name, release: env.release, namespace: env.namespace, installed: history.length > 0, live, health, pending, failedTests, waiting, repositoryError, images, ...(blueGreen ? { blueGreen } : {}), ...(canary !== undefined ? { canary } : {}) };
}

async function liveImageOrigins(deps: Deps, env: Environment, live: RevisionInfo): Promise<ImageOrigin[] | null> {
  if (!live.provenance?.digest) return null;
  const candidate = await resolveCandidate(deps, env, { version: live.chartVersion }).catch(() => undefined);
  if (!candidate) return null;
  try {
    // Only when what is live is these very bytes (a --local deploy or a republished version is not).
    return candidate.digest === live.provenance.digest ? await imageOriginsOf(deps, env, candidate.config, candidate.dependencies) : null;
  } finally {
    await candidate.release();
  }
}
