import { requireSupportedStrategy } from '../core/strategy/strategy-support.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChartctlError, isChartctlError } from '../core/errors.js';
import { parseChartIndex } from '../core/chart-index.js';
import { compareVersions, newestVersion } from '../core/chart-version.js';
import type { Deps } from './deps.js';
import { deploy } from './deploy/deploy.js';
import type { ReleaseLockFlags } from './hold-release-lock.js';
import { liveVersion } from './steps/deployed-release.js';
import { chartNameOf } from './steps/candidate.js';
import { INDEX_NAME, openRepository } from './steps/repository-index.js';
import { isOciRepository, type Environment } from '../core/environment.js';
import { liveSlot } from '../core/strategy/blue-green-plan.js';
import { readBlueGreenState } from './deploy/blue-green.js';
import { ociVersions, openRegistry } from './steps/oci-charts.js';
import { CanaryWatch, canaryWaitCommands, type CanaryWatchEvent } from './watch-canary.js';

export interface WatchOptions extends ReleaseLockFlags {
  env: string;
  intervalMs: number;
  once?: boolean;
  /** Required for environments with promotion.requireApproval: the watcher itself is the approval. */
  yes?: boolean;
  onEvent: (event: WatchEvent) => void;
}

export type WatchEvent =
  | { event: 'started'; env: string; repository: string; intervalMs: number }
  | { event: 'unchanged'; env: string }
  | { event: 'up-to-date'; env: string; deployed: string | null; newest: string | null }
  | { event: 'deploying'; env: string; version: string; from: string | null }
  | { event: 'deployed'; env: string; version: string; revision: number }
  | { event: 'rolled-back'; env: string; version: string; reason: string; live: number | null }
  | { event: 'deploy-failed'; env: string; version: string; reason: string }
  | { event: 'refused'; env: string; version: string; reason: string }
  | { event: 'error'; env: string; message: string; retryInMs: number }
  | { event: 'stopped'; env: string; deploys: number }
  | CanaryWatchEvent;

export interface WatchResult {
  deploys: number;
  failures: number;
}

/**
 * The agent subscribed to the repository: polls the environment's index
 * (If-None-Match, so an unchanged index costs one small request) and deploys
 * each newer version the environment accepts, one at a time, with automatic
 * rollback. Transient S3/cluster errors back off; a version that failed is not
 * retried until a newer one appears. Stops after the step in flight on SIGTERM.
 * A canary environment's recorded run is a person's to finish, unless a watcher started it and its job died (watch-canary.ts).
 */
export async function watch(deps: Deps, options: WatchOptions): Promise<WatchResult> {
  const env = await deps.repo.loadEnvironment(options.env);
  requireSupportedStrategy(env, 'watch', ['rolling', 'blueGreen', 'canary']);
  if (env.promotion.requireApproval && !options.yes) {
    throw new ChartctlError(`${env.name} requires approval for every deploy; a watcher deploys without asking.`, {
      code: 'NOT_CONFIRMED',
      hint: `Start it with --yes to make the watcher the approval${deps.env.CI ? ' (and set CHARTCTL_ACTOR)' : ''}, or promote to ${env.name} by hand.`,
    });
  }
  // oci://: the chart's tags are polled (a registry has no index to ask If-None-Match of).
  const registry = isOciRepository(env.repository) ? openRegistry(deps, { ...env, repository: env.repository }) : undefined;
  const repository = registry ? undefined : openRepository(deps, env);
  // Read from the first index when the agent has no chart directory (no checkout at all).
  let chart: { name: string } | undefined;
  // A registry's tags are read per chart: an oci:// agent needs its chart's name from the start.
  if (registry) chart = await chartNameOf(deps, env);
  const emit = options.onEvent;
  const canary = env.deploy.strategy.kind === 'canary' ? new CanaryWatch(deps, env, emit) : undefined;
  emit({ event: 'started', env: env.name, repository: (registry ?? repository!).url, intervalMs: options.intervalMs });

  let etag: string | undefined;
  let newestSeen: string | undefined;
  const gaveUp = new Set<string>();
  let deploys = 0;
  let failures = 0;
  let errorStreak = 0;
  while (!deps.drain.aborted) {
    let wait = options.intervalMs;
    try {
      const got = registry ? { kind: 'tags' as const, versions: await ociVersions(registry, chart!.name) } : await repository!.get(INDEX_NAME, etag ? { ifNoneMatch: etag } : undefined);
      errorStreak = 0;
      let next: { version: string; from: string | null; resume?: true } | undefined;
      if (got.kind === 'notModified') {
        emit({ event: 'unchanged', env: env.name });
        // A recorded run is resumed or aborted by a person without the index changing: the watcher goes on when it is gone.
        if (canary?.runRecorded) next = await canary.next(newestSeen, gaveUp);
      } else {
        if (got.kind === 'tags') newestSeen = newestVersion(got.versions, { allowPrerelease: env.promotion.allowPrerelease });
        if (got.kind === 'found') {
          etag = got.etag;
          const index = parseChartIndex(new TextDecoder().decode(got.body), repository!.keyOf(INDEX_NAME));
          chart ??= await chartNameOf(deps, env, index);
          newestSeen = newestVersion((index.entries[chart.name] ?? []).map((e) => e.version), { allowPrerelease: env.promotion.allowPrerelease });
        }
        if (canary) next = await canary.next(newestSeen, gaveUp);
        else {
          const deployed = await deployedVersion(deps, env);
          if (!newestSeen || (deployed && compareVersions(newestSeen, deployed) <= 0) || gaveUp.has(newestSeen)) emit({ event: 'up-to-date', env: env.name, deployed, newest: newestSeen ?? null });
          else next = { version: newestSeen, from: deployed };
        }
      }
      if (next) {
        const version = next.version;
        // A continued run was reported as such (canary-continued).
        if (!next.resume) emit({ event: 'deploying', env: env.name, version, from: next.from });
        try {
          // A canary walk's approve steps wait for a person: nobody attends a watcher. A run it continues is another
          // watcher's, whose job died: whoever takes its lock first walks it.
          const continuing = next.resume ? { resume: true, runLockNoWait: true } : {};
          const result = await deploy(deps, { env: env.name, version, yes: true, approveStepsWait: true, startedBy: 'watch', ...continuing, lockTimeout: options.lockTimeout, noWaitLock: options.noWaitLock });
          const o = result.outcome;
          // The version failed where it was tried; the reason says what became of it. Not retried until a newer one appears.
          const failed = (reason: string) => {
            failures++;
            gaveUp.add(version);
            emit({ event: 'deploy-failed', env: env.name, version, reason });
          };
          if (o.kind === 'deployed' || o.kind === 'switched' || o.kind === 'canaryPromoted') {
            deploys++;
            emit({ event: 'deployed', env: env.name, version, revision: o.revision });
          } else if (o.kind === 'unchanged' || o.kind === 'planned') {
            emit({ event: 'up-to-date', env: env.name, deployed: version, newest: version });
          } else if (o.kind === 'rolledBack') {
            failures++;
            gaveUp.add(version);
            emit({ event: 'rolled-back', env: env.name, version, reason: o.reason, live: o.liveRevision });
          } else if (o.kind === 'notSwitched') {
            // The candidate's slot never got traffic; the live slot still serves the version before.
            failed(`${o.reason}; router not switched, ${o.live ?? 'no slot'} still live`);
          } else if (o.kind === 'failed') {
            failed(`${o.reason}; not rolled back: ${o.state}`);
          } else if (o.kind === 'canaryAborted') {
            failed(`${o.reason}; canary removed, stable release ${env.release} untouched`);
          } else if (o.kind === 'canaryWaiting') {
            canary!.leftWaiting(version);
            emit({ event: 'canary-waiting', env: env.name, ...canaryWaitCommands(env, 'awaiting-approval'), version, state: 'awaiting-approval', weight: o.weight, newer: null });
          } else if (o.kind === 'canaryStopped') {
            emit({ event: 'canary-stopped', env: env.name, version, next: o.next, weight: o.weight, resume: canaryWaitCommands(env, 'running').resume });
          } else {
            throw new Error(`watch never asks deploy to remove a canary, and deploy answered ${o.kind}`);
          }
        } catch (err) {
          if (!isChartctlError(err) || isTransient(err)) throw err;
          const reason = err.message.split('\n')[0]!;
          // Refused (digest mismatch, gates, freeze, invalid manifests): not retried until something newer appears.
          // Another job changing the release is not this version's fault: the index is read again next poll and it is tried again.
          const busy = BUSY_RELEASE.has(err.code) || (canary !== undefined && CANARY_BUSY.has(err.code));
          if (busy) etag = undefined;
          else gaveUp.add(version);
          if (busy && canary) {
            // The locks and the record's conditional writes let one job walk at a time: the watcher waits for the other one.
            if (err.code === 'CANARY_CONFLICT') canary.walkTakenOver(version);
            emit({ event: 'waiting', env: env.name, version, reason });
          } else {
            failures++;
            emit({ event: 'refused', env: env.name, version, reason });
          }
        }
      }
    } catch (err) {
      if (deps.signal.aborted) throw err;
      if (isChartctlError(err) && !isTransient(err)) throw err;
      errorStreak++;
      // Back off on repeated errors, up to four intervals; the index is polled again from scratch.
      wait = Math.min(options.intervalMs * 4, Math.round(Math.min(1000 * 2 ** errorStreak, options.intervalMs) * (0.8 + deps.random() * 0.4)));
      etag = undefined;
      emit({ event: 'error', env: env.name, message: err instanceof Error ? err.message.split('\n')[0]! : String(err), retryInMs: wait });
    }
    if (options.once) break;
    await sleep(wait, undefined, { signal: deps.drain }).catch(() => undefined);
  }
  emit({ event: 'stopped', env: env.name, deploys });
  return { deploys, failures };
}

/** Failures worth retrying: the network, the endpoint, the cluster being unreachable. */
const BUSY_RELEASE = new Set(['RELEASE_LOCKED', 'RELEASE_IN_PROGRESS', 'LOCK_UNAVAILABLE']);
/** A canary run recorded by another job (deploy refuses to start beside it), or the record changed or removed under this walk. */
const CANARY_BUSY = new Set(['CANARY_REFUSED', 'CANARY_CONFLICT']);

function isTransient(err: ChartctlError): boolean {
  return ['REPO_TIMEOUT', 'REPO_UNREACHABLE', 'REPO_ERROR', 'OCI_REGISTRY_UNREACHABLE', 'OCI_RATE_LIMITED', 'OCI_REGISTRY_ERROR', 'CLUSTER_UNREACHABLE', 'HELM_FAILED'].includes(err.code);
}

/** The version serving now: the rolling release's live revision, or the live slot's (blue/green: what the router selects). */
async function deployedVersion(deps: Deps, env: Environment): Promise<string | null> {
  const strategy = env.deploy.strategy;
  if (strategy.kind === 'blueGreen') return liveSlot(await readBlueGreenState(deps, env, strategy))?.version ?? null;
  return liveVersion(deps.releases, env);
}
