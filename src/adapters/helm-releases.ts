import { ChartctlError } from '../core/errors.js';
import {
  appliesServerSide,
  helmGetManifestWithHooksArgs,
  helmGetNewestWithManifestArgs,
  helmHistoryArgs,
  helmRollbackArgs, helmUninstallArgs,
  helmStatusArgs,
  helmTestArgs,
  helmUpgradeArgs,
  type ReleaseTarget,
} from '../core/helm-release-args.js';
import { toRevisionInfo, withRollbackProvenance, type HelmHistoryEntry, type RevisionInfo } from '../core/release-history.js';
import { parseNewestWithManifest, type NewestWithManifest } from '../core/newest-release.js';
import { summarizeHelmFailure } from '../core/helm-failure.js';
import { waitResult } from '../core/wait-heartbeat.js';
import { durationMs } from '../core/duration.js';
import type { KubeObject } from '../core/manifests.js';
import { DEFAULT_STOP_GRACE_MS, HelmError, type Helm } from './helm.js';
import type { NewestResources, ReleaseSnapshot, Releases, RevisionStatus, RollbackRequest, RollbackResult, TestRun, UpgradeRequest, UpgradeResult } from './releases.js';

/**
 * Release operations through the real helm client (which reaches the cluster
 * through kubeconfig). The only place that reads what helm prints: its JSON
 * and its error messages become the typed results of `Releases`.
 */
export class HelmReleases implements Releases {
  /** `helm` is located on first use, so commands that never reach a release need no helm. */
  constructor(private readonly helmOf: () => Helm) {}

  private get helm(): Helm {
    return this.helmOf();
  }

  async helmMajor(): Promise<number> {
    return (await this.helm.version()).major;
  }

  async history(t: ReleaseTarget, max?: number): Promise<RevisionInfo[]> {
    try {
      const { stdout } = await this.helm.run(helmHistoryArgs({ ...t, max }), { timeoutMs: 120_000 });
      return parseHistory(stdout);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw unreachable(err, t);
    }
  }

  async historyAfterInterrupt(t: ReleaseTarget): Promise<RevisionInfo[] | undefined> {
    try {
      const { stdout } = await this.helm.run(helmHistoryArgs(t), { timeoutMs: 30_000, afterInterrupt: true });
      return parseHistory(stdout);
    } catch (err) {
      return isNotFound(err) ? [] : undefined;
    }
  }

  /** Status, manifest and hooks of a revision in one helm call (`helm status -o json` carries all three). */
  async snapshot(t: ReleaseTarget, revision?: number): Promise<ReleaseSnapshot | undefined> {
    let stdout: string;
    try {
      stdout = (await this.helm.run(helmStatusArgs({ ...t, revision }), { timeoutMs: 120_000 })).stdout;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw unreachable(err, t);
    }
    const s = JSON.parse(stdout) as StatusJson;
    return {
      ...toStatus(s),
      manifest: s.manifest ?? '',
      hooksManifest: (s.hooks ?? []).map((h) => `---\n# Source: ${h.path ?? h.name}\n${h.manifest ?? ''}`).join('\n'),
    };
  }

  /** Manifest and hooks of a revision in one stream, from one `helm get all` (see helmGetManifestWithHooksArgs). */
  async manifestWithHooks(t: ReleaseTarget, revision?: number): Promise<string | undefined> {
    try {
      return (await this.helm.run(helmGetManifestWithHooksArgs({ ...t, revision }), { timeoutMs: 120_000 })).stdout;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw unreachable(err, t);
    }
  }

  async newestWithManifest(t: ReleaseTarget): Promise<NewestWithManifest | undefined> {
    let stdout: string;
    try {
      stdout = (await this.helm.run(helmGetNewestWithManifestArgs(t), { timeoutMs: 120_000 })).stdout;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw unreachable(err, t);
    }
    return parseNewestWithManifest(stdout);
  }

  async status(t: ReleaseTarget, revision?: number): Promise<RevisionStatus> {
    const snapshot = await this.snapshot(t, revision);
    if (!snapshot) {
      const which = revision === undefined ? 'no revisions' : `no revision ${revision}`;
      throw new ChartctlError(`Release ${t.release} in ${t.namespace} has ${which}.`, { code: 'REVISION_NOT_FOUND' });
    }
    return snapshot;
  }

  async resources(t: ReleaseTarget): Promise<Record<string, KubeObject[]>> {
    try {
      return (await this.readNewestResources(t, 120_000))?.resources ?? {};
    } catch (err) {
      throw unreachable(err, t);
    }
  }

  async newestResources(t: ReleaseTarget, timeoutMs: number): Promise<NewestResources | undefined> {
    try {
      return await this.readNewestResources(t, timeoutMs);
    } catch (err) {
      // helm's own first line: a HelmError's message starts with the whole command line instead.
      if (err instanceof HelmError && err.stderr.trim()) throw new Error(err.stderr.trim().split('\n')[0]!, { cause: err });
      throw err;
    }
  }

  private async readNewestResources(t: ReleaseTarget, timeoutMs: number): Promise<NewestResources | undefined> {
    // helm 4 always includes the resources and no longer knows the flag.
    const flag = (await this.helmMajor()) >= 4 ? [] : ['--show-resources'];
    let stdout: string;
    try {
      stdout = (await this.helm.run([...helmStatusArgs(t), ...flag], { timeoutMs })).stdout;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const s = JSON.parse(stdout) as { version: number; info?: { status?: string; description?: string; resources?: Record<string, KubeObject[]> } };
    return { revision: s.version, status: s.info?.status ?? '', description: s.info?.description ?? '', resources: s.info?.resources ?? {} };
  }

  async upgrade(r: UpgradeRequest): Promise<UpgradeResult> {
    const { values, timeoutMs, ...args } = r;
    try {
      // Interrupted, helm cancels the upgrade and (with --rollback-on-failure/--atomic) rolls back, waiting up to --timeout.
      const helmMajor = await this.helmMajor();
      const serverSide = helmMajor >= 4 && (await this.appliesServerSide(r));
      const { stdout } = await this.helm.run([...helmUpgradeArgs({ ...args, helmMajor, serverSide }), '--output', 'json'], {
        stdin: values,
        timeoutMs,
        stopGraceMs: durationMs(r.timeout) + DEFAULT_STOP_GRACE_MS,
        outlivesParent: true,
      });
      return { kind: 'ok', revision: createdRevision(stdout) ?? (await this.newestRevisionNumber(r)) };
    } catch (err) {
      if (!(err instanceof HelmError)) throw err;
      return {
        kind: 'failed',
        helmRolledBack: /roll(ed)? ?back/i.test(err.stderr),
        wait: waitResult(err.stderr) === 'timedOut' ? 'timedOut' : 'failed',
        failures: summarizeHelmFailure(err.stderr),
      };
    }
  }

  async test(t: ReleaseTarget, timeout: string, timeoutMs: number): Promise<TestRun> {
    const result = await this.helm.run(helmTestArgs({ ...t, timeout }), { timeoutMs, okExitCodes: [1] });
    return result.exitCode === 0 ? { kind: 'passed' } : { kind: 'failed', failures: failedTestLines(`${result.stdout}${result.stderr}`) };
  }

  async rollback(r: RollbackRequest): Promise<RollbackResult> {
    const { timeoutMs, ...args } = r;
    try {
      const helmMajor = await this.helmMajor();
      const serverSide = helmMajor >= 4 && (await this.appliesServerSide(r, r.revision ?? (await this.newestRevisionNumber(r)) - 1));
      await this.helm.run(helmRollbackArgs({ ...args, helmMajor, serverSide }), { timeoutMs, outlivesParent: true });
      return { kind: 'ok' };
    } catch (err) {
      if (!(err instanceof HelmError)) throw err;
      return { kind: 'failed', message: err.stderr.split('\n').filter(Boolean).slice(0, 5).join(' ') };
    }
  }

  async uninstall(t: ReleaseTarget, timeout: string, timeoutMs: number): Promise<{ kind: 'ok' | 'absent' }> {
    try {
      await this.helm.run(helmUninstallArgs({ ...t, timeout }), { timeoutMs, outlivesParent: true });
      return { kind: 'ok' };
    } catch (err) {
      if (err instanceof HelmError && /not found/i.test(err.stderr)) return { kind: 'absent' };
      throw err;
    }
  }

  /** How helm 4 will apply, from the revision it starts from (the newest for an upgrade, the target for a rollback). */
  private async appliesServerSide(t: ReleaseTarget, revision?: number): Promise<boolean> {
    let stdout: string;
    try {
      stdout = (await this.helm.run(helmStatusArgs({ ...t, revision }), { timeoutMs: 120_000 })).stdout;
    } catch (err) {
      if (isNotFound(err)) return appliesServerSide(undefined, false);
      throw unreachable(err, t);
    }
    return appliesServerSide((JSON.parse(stdout) as StatusJson).apply_method, true);
  }

  private async newestRevisionNumber(t: ReleaseTarget): Promise<number> {
    return Math.max(0, ...(await this.history(t)).map((h) => h.revision));
  }
}

interface StatusJson {
  version: number;
  /** helm 4: `ssa` or `csa` (helm 3 writes none). */
  apply_method?: string;
  info: { status: string; description: string; notes?: string; last_deployed?: string };
  manifest?: string;
  hooks?: { name: string; path?: string; manifest?: string; events?: string[]; last_run?: { phase?: string; started_at?: string } }[];
}

function parseHistory(stdout: string): RevisionInfo[] {
  return withRollbackProvenance((JSON.parse(stdout || '[]') as HelmHistoryEntry[]).map(toRevisionInfo));
}

/** The revision `helm upgrade --output json` reports it created. */
function createdRevision(stdout: string): number | undefined {
  try {
    const version = (JSON.parse(stdout) as { version?: unknown }).version;
    return typeof version === 'number' ? version : undefined;
  } catch {
    return undefined;
  }
}

function toStatus(s: StatusJson): RevisionStatus {
  const tests = (s.hooks ?? []).filter((h) => h.events?.includes('test'));
  // helm's rollback copies the target's hooks with their last run: a run from before this revision was deployed is not this revision's.
  const deployedAt = Date.parse(s.info.last_deployed ?? '');
  const ranHere = (startedAt: string | undefined) => !Number.isFinite(deployedAt) || !startedAt || !(Date.parse(startedAt) < deployedAt);
  const ran = tests.filter((h) => h.last_run?.phase && ranHere(h.last_run.started_at));
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

/** helm test prints each test's phase; keep the failing ones and helm's error. */
export function failedTestLines(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => /failed|error|Phase:\s+Failed/i.test(l))
    .map((l) => l.trim())
    .slice(0, 20);
}

function isNotFound(err: unknown): boolean {
  return err instanceof HelmError && /release: not found/.test(err.stderr);
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
