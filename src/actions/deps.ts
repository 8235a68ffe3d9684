import type { Helm } from '../adapters/helm.js';
import type { Reporter } from '../adapters/reporter.js';
import type { Cleanup } from '../adapters/cleanup.js';
import type { AppRepo } from '../adapters/app-repo.js';
import type { SecretsReader } from '../adapters/secrets-reader.js';
import type { SecretMasker } from '../core/secret-masker.js';
import type { ChartRepositories } from '../adapters/chart-repository.js';
import type { OciRegistries } from '../adapters/oci-registry.js';
import type { Git } from '../adapters/git.js';
import type { ReleaseStorage } from '../adapters/release-storage.js';
import type { Checks } from '../adapters/checks.js';
import type { TrafficRouters } from '../adapters/traffic-router.js';
import type { ReleaseLocks } from '../adapters/release-locks.js';
import type { Releases } from '../adapters/releases.js';
import type { CanaryTrafficSplitter } from '../adapters/canary-traffic.js';
import type { CanaryRecords } from '../adapters/canary-records.js';

/**
 * Everything an action may touch outside itself, built once in `cli/main.ts`.
 * Nothing reads process.env or global config at import time.
 */
export interface Deps {
  repo: AppRepo;
  /** Environment variables as seen by this invocation. */
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  masker: SecretMasker;
  cleanup: Cleanup;
  /**
   * Aborted on SIGINT/SIGTERM (the reason is an `Interrupted` naming the
   * signal); pass it to anything that can wait. helm calls in flight get the
   * signal forwarded and are waited for; new ones are refused.
   */
  signal: AbortSignal;
  /**
   * Aborted on the first SIGINT/SIGTERM for commands that stop gracefully
   * (watch): finish or roll back the step in flight, then return (`signal`
   * stays unaborted). A second signal exits at once.
   */
  drain: AbortSignal;
  /** The helm binary, located on first use. */
  helm(): Helm;
  /** Helm releases in the cluster (history, upgrade, test, rollback) with typed results. */
  releases: Releases;
  secrets: SecretsReader;
  now(): Date;
  /** Waits `ms` or until `signal` aborts (canary pauses and their probes); tests give a clock that does not wait. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** A number in [0, 1), for jitter (Math.random in main, seeded in tests). */
  random(): number;
  /** Per-environment S3 chart repositories (and the cached conditional-write probe). */
  repositories: ChartRepositories;
  /** Per-environment OCI registries (`repository.url: oci://…`), with the user's helm/docker credentials. */
  registries: OciRegistries;
  /** Source provenance (commit, dirty flag) for packages. */
  git: Git;
  /** helm's release records in the cluster of a kubeconfig context (the current one when none is named). */
  releaseStorage(kubeContext?: string): ReleaseStorage;
  /** The analysis progressive deploys gate on (prometheus, http, command checks). */
  checks: Checks;
  /** The router Services blue/green environments switch. */
  routers: TrafficRouters;
  /** The canary's share at the edge (ingress-nginx, gateway); `traffic: replicas` needs none. */
  canaryTraffic: CanaryTrafficSplitter;
  /** Canary runs' progress, where another process sees it. */
  canaryRecords: CanaryRecords;
  /** Release locks (Kubernetes Leases) taken by every command that changes a release. */
  locks: ReleaseLocks;
  /** This machine and process, as named in a release lock's holder. */
  host: { name: string; pid: number };
}
