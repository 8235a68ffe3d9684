import { newestVersion, compareVersions } from '../core/chart-version.js';
import { liveRevision, pendingRevision, type RevisionInfo } from '../core/release-history.js';
import type { Deps } from './deps.js';
import { readBlueGreenState } from './deploy/blue-green.js';
import { releaseTarget } from './steps/deployed-release.js';
import { chartNameOf } from './steps/candidate.js';
import { openRepository, readIndex } from './steps/repository-index.js';

export interface StatusResult {
  env: string;
  release: string;
  namespace: string;
  installed: boolean;
  live: RevisionInfo | null;
  /** healthy: deployed and tests not failed; degraded: tests failed; stuck: pending-*; failed: nothing deployed. */
  health: 'healthy' | 'degraded' | 'stuck' | 'failed' | 'not-installed';
  failedTests: string[];
  /** Newest version the environment accepts in its repository, when newer than the live one. */
  waiting: { version: string; repository: string } | null;
  /** Set when the repository could not be read (status still reports the cluster side). */
  repositoryError?: string;
  /** Blue/green: both slots and which one the router selects (release/live above are the live slot's). */
  blueGreen?: { router: string; liveSlot: string | null; slots: Array<{ slot: string; release: string; revision: number | null; version: string | null; digest: string | null; status: string | null; live: boolean }> };
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
      liveSlot: live?.slot ?? null,
      slots: state.slots.map((s) => ({ slot: s.slot, release: s.release, revision: s.revision ?? null, version: s.version ?? null, digest: s.digest ?? null, status: s.status ?? null, live: s === live })),
    };
    // The rest of the status is the live slot's (the first slot's while nothing is live).
    env = { ...loaded, release: (live ?? state.slots[0]).release };
  }
  const releases = deps.releases;
  const target = releaseTarget(env);
  const history = await releases.history(target);
  const live = liveRevision(history) ?? null;
  const stuck = pendingRevision(history);
  let failedTests: string[] = [];
  let health: StatusResult['health'] = history.length === 0 ? 'not-installed' : stuck ? 'stuck' : live ? 'healthy' : 'failed';
  if (live) {
    const s = await releases.status(target, live.revision);
    live.tests = s.tests;
    failedTests = s.failedTests;
    if (health === 'healthy' && s.tests === 'failed') health = 'degraded';
  }
  let waiting: StatusResult['waiting'] = null;
  let repositoryError: string | undefined;
  try {
    const repository = openRepository(deps, env);
    const { index } = await readIndex(repository);
    const chart = await chartNameOf(deps, env);
    const newest = newestVersion((index?.entries[chart.name] ?? []).map((e) => e.version), { allowPrerelease: env.promotion.allowPrerelease });
    if (newest && (!live || compareVersions(newest, live.chartVersion) > 0)) waiting = { version: newest, repository: repository.url };
  } catch (err) {
    repositoryError = err instanceof Error ? err.message.split('\n')[0] : String(err);
  }
  return { env: env.name, release: env.release, namespace: env.namespace, installed: history.length > 0, live, health, failedTests, waiting, repositoryError, ...(blueGreen ? { blueGreen } : {}) };
}
