import type { ReleaseTarget } from '../core/helm-release-args.js';
import type { RevisionInfo } from '../core/release-history.js';
import type { KubeObject } from '../core/manifests.js';
import type { NewestWithManifest } from '../core/newest-release.js';
import type { WaitResult } from '../core/wait-heartbeat.js';

/**
 * Helm releases in a cluster: what is stored (history, manifests, test
 * results) and the operations that change them. Expected outcomes (a missing
 * release, a failed upgrade, failing tests) are values; only an unreachable
 * cluster, an interruption or an unexpected helm failure throws. The helm
 * implementation is the only code that reads helm's output; the memory one
 * stands in for it in unit tests.
 */
export interface Releases {
  /** The helm major version doing the work (recovery hints differ between 3 and 4). */
  helmMajor(): Promise<number>;
  /** Every stored revision; empty when the release does not exist yet. */
  history(t: ReleaseTarget, max?: number): Promise<RevisionInfo[]>;
  /**
   * The history read after SIGINT/SIGTERM stopped helm (a read-only call still
   * allowed then), to report the state helm left; undefined when it cannot be read.
   */
  historyAfterInterrupt(t: ReleaseTarget): Promise<RevisionInfo[] | undefined>;
  /** Status, manifest and hooks of a revision (the newest by default); undefined when there is no such release or revision. */
  snapshot(t: ReleaseTarget, revision?: number): Promise<ReleaseSnapshot | undefined>;
  /** Manifest and hooks of a revision (the newest by default) as one stream, without the status; undefined when there is no such release or revision. */
  manifestWithHooks(t: ReleaseTarget, revision?: number): Promise<string | undefined>;
  /** The newest revision's number, status and chart with its manifest and hooks (as manifestWithHooks), from one read; undefined when there is no such release. */
  newestWithManifest(t: ReleaseTarget): Promise<NewestWithManifest | undefined>;
  status(t: ReleaseTarget, revision?: number): Promise<RevisionStatus>;
  /** Live objects of the release as helm sees them (`helm status --show-resources`). */
  resources(t: ReleaseTarget): Promise<Record<string, KubeObject[]>>;
  /**
   * The newest revision's number and live objects (a pending one's too, while
   * helm works on it); undefined while the release does not exist yet. A failed
   * read throws an Error whose message is helm's own first line.
   */
  newestResources(t: ReleaseTarget, timeoutMs: number): Promise<NewestResources | undefined>;
  upgrade(request: UpgradeRequest): Promise<UpgradeResult>;
  test(t: ReleaseTarget, timeout: string, timeoutMs: number): Promise<TestRun>;
  rollback(request: RollbackRequest): Promise<RollbackResult>;
  /** Removes the release and its objects (a canary's); `absent` when there was none. */
  uninstall(t: ReleaseTarget, timeout: string, timeoutMs: number): Promise<{ kind: 'ok' | 'absent' }>;
}

/** What `helm status -o json` says about one revision that chartctl uses. */
export interface RevisionStatus {
  revision: number;
  status: string;
  description: string;
  tests: 'passed' | 'failed' | 'not-run';
  /** Test hooks that did not succeed. */
  failedTests: string[];
  notes?: string;
}

export interface ReleaseSnapshot extends RevisionStatus {
  manifest: string;
  /** The hooks' manifests, each under a `# Source:` line as helm prints them. */
  hooksManifest: string;
}

/** The newest revision with the live objects of its manifest. */
export interface NewestResources {
  revision: number;
  status: string;
  description: string;
  resources: Record<string, KubeObject[]>;
}

export interface UpgradeRequest extends ReleaseTarget {
  chart: string;
  wait: boolean;
  timeout: string;
  historyMax: number;
  /** helm's own rollback when the upgrade itself fails (not the tests). */
  rollbackOnFailure: boolean;
  description?: string;
  /** `--values FILE` / `--values -` flags in order (helm reads the files itself). */
  valuesArgs?: string[];
  setArgs?: string[];
  /** First install into a namespace that may not exist yet. */
  createNamespace?: boolean;
  /** What `--values -` reads: the decrypted secrets (never written to disk); none without secrets. */
  values: string | undefined;
  /** How long chartctl waits for helm before giving up on it. */
  timeoutMs: number;
}

export type UpgradeResult =
  /** `revision`: the revision this upgrade created. */
  | { kind: 'ok'; revision: number }
  | {
      kind: 'failed';
      /** helm said it rolled the failed upgrade back itself (--atomic / --rollback-on-failure). */
      helmRolledBack: boolean;
      /** How helm's wait ended, for the wait summary. */
      wait: Exclude<WaitResult, 'ready'>;
      /** The lines a person needs: resources not ready, helm's error. */
      failures: string[];
    };

export interface RollbackRequest extends ReleaseTarget {
  /** Default: the previous revision, as helm chooses it. */
  revision?: number;
  wait: boolean;
  timeout: string;
  historyMax: number;
  timeoutMs: number;
}

export type RollbackResult = { kind: 'ok' } | { kind: 'failed'; message: string };

export type TestRun = { kind: 'passed' } | { kind: 'failed'; failures: string[] };
