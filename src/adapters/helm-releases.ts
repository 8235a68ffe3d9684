import { ChartctlError } from '../core/errors.js';
import {
  helmHistoryArgs,
  helmRollbackArgs,
  helmStatusArgs,
  helmTestArgs,
  helmUpgradeArgs,
  type ReleaseTarget,
  type UpgradeArgs,
} from '../core/helm-release-args.js';
import { toRevisionInfo, type HelmHistoryEntry, type RevisionInfo } from '../core/release-history.js';
import { DEFAULT_STOP_GRACE_MS, HelmError, type Helm } from './helm.js';
import { durationMs } from '../core/duration.js';
import type { KubeObject } from '../core/manifests.js';

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

/** The newest revision with the live objects of its manifest. */
export interface NewestResources {
  revision: number;
  status: string;
  description: string;
  resources: Record<string, KubeObject[]>;
}

export interface TestRun {
  ok: boolean;
  output: string;
}

/**
 * Release operations, all through the real helm client (which reaches the
 * cluster through kubeconfig): history, manifests, status, upgrade, test, rollback.
 */
export class HelmReleases {
  constructor(private readonly helm: Helm) {}

  async major(): Promise<number> {
    return (await this.helm.version()).major;
  }

  /** Every stored revision; empty when the release does not exist yet. */
  async history(t: ReleaseTarget, max?: number): Promise<RevisionInfo[]> {
    try {
      const { stdout } = await this.helm.run(helmHistoryArgs({ ...t, max }), { timeoutMs: 120_000 });
      return (JSON.parse(stdout || '[]') as HelmHistoryEntry[]).map(toRevisionInfo);
    } catch (err) {
      if (err instanceof HelmError && /release: not found/.test(err.stderr)) return [];
      throw unreachable(err, t);
    }
  }

  /**
   * The history read after SIGINT/SIGTERM stopped helm (a read-only call still
   * allowed then), to report the state helm left; undefined when it cannot be read.
   */
  async historyAfterInterrupt(t: ReleaseTarget): Promise<RevisionInfo[] | undefined> {
    try {
      const { stdout } = await this.helm.run(helmHistoryArgs(t), { timeoutMs: 30_000, afterInterrupt: true });
      return (JSON.parse(stdout || '[]') as HelmHistoryEntry[]).map(toRevisionInfo);
    } catch (err) {
      if (err instanceof HelmError && /release: not found/.test(err.stderr)) return [];
      return undefined;
    }
  }

  /** Status, manifest and hooks of a revision in one helm call (`helm status -o json` carries all three). */
  async snapshot(t: ReleaseTarget, revision?: number): Promise<RevisionStatus & { manifest: string; hooksManifest: string }> {
    let stdout: string;
    try {
      stdout = (await this.helm.run(helmStatusArgs({ ...t, revision }), { timeoutMs: 120_000 })).stdout;
    } catch (err) {
      throw unreachable(err, t);
    }
    const s = JSON.parse(stdout) as StatusJson;
    return {
      ...toStatus(s),
      manifest: s.manifest ?? '',
      hooksManifest: (s.hooks ?? []).map((h) => `---\n# Source: ${h.path ?? h.name}\n${h.manifest ?? ''}`).join('\n'),
    };
  }

  async status(t: ReleaseTarget, revision?: number): Promise<RevisionStatus> {
    return this.snapshot(t, revision);
  }


  /** Live objects of the release as helm sees them (`helm status --show-resources`). */
  async resources(t: ReleaseTarget): Promise<Record<string, KubeObject[]>> {
    return (await this.newestResources(t, 120_000))?.resources ?? {};
  }

  /**
   * The newest revision's number and live objects (a pending one's too, while
   * helm works on it); undefined while the release does not exist yet.
   */
  async newestResources(t: ReleaseTarget, timeoutMs: number): Promise<NewestResources | undefined> {
    // helm 4 always includes the resources and no longer knows the flag.
    const flag = (await this.major()) >= 4 ? [] : ['--show-resources'];
    let stdout: string;
    try {
      stdout = (await this.helm.run([...helmStatusArgs(t), ...flag], { timeoutMs })).stdout;
    } catch (err) {
      if (err instanceof HelmError && /release: not found/.test(err.stderr)) return undefined;
      throw err;
    }
    const s = JSON.parse(stdout) as { version: number; info?: { status?: string; description?: string; resources?: Record<string, KubeObject[]> } };
    return { revision: s.version, status: s.info?.status ?? '', description: s.info?.description ?? '', resources: s.info?.resources ?? {} };
  }

  async upgrade(a: Omit<UpgradeArgs, 'helmMajor'>, values: string | undefined, timeoutMs: number): Promise<void> {
    // Interrupted, helm cancels the upgrade and (with --rollback-on-failure/--atomic) rolls back, waiting up to --timeout.
    await this.helm.run(helmUpgradeArgs({ ...a, helmMajor: await this.major() }), {
      stdin: values,
      timeoutMs,
      stopGraceMs: durationMs(a.timeout) + DEFAULT_STOP_GRACE_MS,
      outlivesParent: true,
    });
  }

  async test(t: ReleaseTarget, timeout: string, timeoutMs: number): Promise<TestRun> {
    const result = await this.helm.run(helmTestArgs({ ...t, timeout }), { timeoutMs, okExitCodes: [1] });
    return { ok: result.exitCode === 0, output: `${result.stdout}${result.stderr}`.trim() };
  }

  async rollback(t: ReleaseTarget & { revision?: number; wait: boolean; timeout: string; historyMax: number }, timeoutMs: number): Promise<void> {
    await this.helm.run(helmRollbackArgs({ ...t, helmMajor: await this.major() }), { timeoutMs, outlivesParent: true });
  }
}

interface StatusJson {
  version: number;
  info: { status: string; description: string; notes?: string };
  manifest?: string;
  hooks?: { name: string; path?: string; manifest?: string; events?: string[]; last_run?: { phase?: string } }[];
}

function toStatus(s: StatusJson): RevisionStatus {
  const tests = (s.hooks ?? []).filter((h) => h.events?.includes('test'));
  const ran = tests.filter((h) => h.last_run?.phase);
  const failed = ran.filter((h) => h.last_run?.phase !== 'Succeeded').map((h) => h.name);
  return {
    revision: s.version,
    status: s.info.status,
    description: s.info.description,
    notes: s.info.notes,
    tests: ran.length === 0 ? 'not-run' : failed.length ? 'failed' : 'passed',
    failedTests: failed,
  };
}

function unreachable(err: unknown, t: ReleaseTarget): unknown {
  if (err instanceof HelmError && /connection refused|no such host|i\/o timeout|Kubernetes cluster unreachable|context .* does not exist/i.test(err.stderr)) {
    return new ChartctlError(`Cannot reach the cluster for release ${t.release} in ${t.namespace}${t.kubeContext ? ` (context ${t.kubeContext})` : ''}: ${err.stderr.split('\n')[0]}`, {
      code: 'CLUSTER_UNREACHABLE',
      hint: 'Check KUBECONFIG and the environment\'s kubeContext (kubectl config get-contexts), and that the API server answers.',
      cause: err,
    });
  }
  return err;
}
