import { decodeProvenance, newestRevision, type RevisionInfo } from '../core/release-history.js';
import type { ReleaseTarget } from '../core/helm-release-args.js';
import type { KubeObject } from '../core/manifests.js';
import type { NewestWithManifest } from '../core/newest-release.js';
import type { NewestResources, ReleaseSnapshot, Releases, RevisionStatus, RollbackRequest, RollbackResult, TestRun, UpgradeRequest, UpgradeResult } from './releases.js';

/** How the next upgrade ends, as helm's own storage would record it. */
export type ScriptedUpgrade =
  | 'ok'
  /** The upgrade fails; with rollbackOnFailure helm rolls back (a new `Rollback to N` revision; the failed one is marked superseded). */
  | 'fails'
  /** The upgrade fails and helm's own rollback fails too (the failed upgrade ends `superseded`, the rollback `failed`). */
  | 'failsAndRollbackFails'
  /** Refused before anything is stored (e.g. a manifest the API server rejects). */
  | 'rejected'
  /** helm was killed mid-upgrade: the new revision stays `pending-upgrade`. */
  | 'interrupted';

export interface StoredRevision extends RevisionInfo {
  manifest: string;
  hooksManifest: string;
  tests: 'passed' | 'failed' | 'not-run';
  failedTests: string[];
}

/**
 * Releases held in memory with helm's storage rules (one `deployed` revision,
 * superseded on upgrade, `Rollback to N` revisions, failed upgrades), like
 * helm's in-memory storage driver. What helm would do next is scripted per
 * call; every call is recorded for assertions.
 */
export class MemoryReleases implements Releases {
  readonly stored = new Map<string, StoredRevision[]>();
  readonly calls: string[] = [];
  upgrades: ScriptedUpgrade[] = [];
  tests: ('passed' | 'failed')[] = [];
  rollbacks: ('ok' | 'fails')[] = [];
  /** The manifest helm would render for a chart path. */
  manifests = new Map<string, string>();
  major = 4;
  /** Called at the start of every upgrade, to let a test change the release under it. */
  beforeUpgrade?: (request: UpgradeRequest) => void;

  async helmMajor(): Promise<number> {
    return this.major;
  }

  async history(t: ReleaseTarget, max?: number): Promise<RevisionInfo[]> {
    this.calls.push(`history ${t.release}`);
    const all = this.revisions(t).map(toInfo);
    return max ? all.slice(-max) : all;
  }

  async historyAfterInterrupt(t: ReleaseTarget): Promise<RevisionInfo[] | undefined> {
    return this.revisions(t).map(toInfo);
  }

  async snapshot(t: ReleaseTarget, revision?: number): Promise<ReleaseSnapshot | undefined> {
    const all = this.revisions(t);
    const r = revision === undefined ? newestRevision(all) : all.find((x) => x.revision === revision);
    return r && { revision: r.revision, status: r.status, description: r.description, tests: r.tests, failedTests: r.failedTests, manifest: r.manifest, hooksManifest: r.hooksManifest };
  }

  async manifestWithHooks(t: ReleaseTarget, revision?: number): Promise<string | undefined> {
    const s = await this.snapshot(t, revision);
    return s && `${s.manifest}\n${s.hooksManifest}`;
  }

  async newestWithManifest(t: ReleaseTarget): Promise<NewestWithManifest | undefined> {
    this.calls.push(`newestWithManifest ${t.release}`);
    const r = newestRevision(this.revisions(t));
    return r && { newest: { revision: r.revision, status: r.status, chartName: r.chartName, chartVersion: r.chartVersion }, manifest: `${r.manifest}\n${r.hooksManifest}` };
  }

  async status(t: ReleaseTarget, revision?: number): Promise<RevisionStatus> {
    const s = await this.snapshot(t, revision);
    if (!s) throw new Error(`release: not found (${t.release} revision ${revision ?? 'newest'})`);
    return s;
  }

  async resources(): Promise<Record<string, KubeObject[]>> {
    return {};
  }

  async newestResources(t: ReleaseTarget): Promise<NewestResources | undefined> {
    const r = newestRevision(this.revisions(t));
    return r && { revision: r.revision, status: r.status, description: r.description, resources: {} };
  }

  async upgrade(request: UpgradeRequest): Promise<UpgradeResult> {
    this.calls.push(`upgrade ${request.release} ${request.chart}`);
    this.beforeUpgrade?.(request);
    const script = this.upgrades.shift() ?? 'ok';
    const all = this.revisions(request);
    if (script === 'rejected') return { kind: 'failed', helmRolledBack: false, wait: 'failed', failures: ['Error: UPGRADE FAILED: rejected by the API server'] };
    const previous = all.filter((r) => r.status === 'deployed');
    const version = decodeProvenance(request.description)?.version ?? '0.0.0';
    const created = this.store(request, {
      status: script === 'ok' ? 'deployed' : script === 'interrupted' ? 'pending-upgrade' : 'failed',
      description: script === 'ok' ? (request.description ?? 'Upgrade complete') : script === 'interrupted' ? 'Preparing upgrade' : `Upgrade "${request.release}" failed: timed out waiting for the condition`,
      chartVersion: version,
      provenance: decodeProvenance(request.description),
      manifest: this.manifests.get(request.chart) ?? '',
    });
    if (script === 'ok') {
      for (const p of previous) p.status = 'superseded';
      return { kind: 'ok', revision: created.revision };
    }
    if (script === 'interrupted') throw new Error('helm was killed');
    const failures = ['Error: UPGRADE FAILED: timed out waiting for the condition'];
    const back = previous.at(-1);
    if (!request.rollbackOnFailure || !back) return { kind: 'failed', helmRolledBack: false, wait: 'timedOut', failures };
    // helm's rollback supersedes the revision it leaves, the failed upgrade included.
    created.status = 'superseded';
    if (script === 'failsAndRollbackFails') {
      this.store(request, { ...back, status: 'failed', description: `Rollback "${request.release}" failed: timed out`, tests: 'not-run', failedTests: [] });
      return { kind: 'failed', helmRolledBack: false, wait: 'timedOut', failures };
    }
    for (const p of previous) p.status = 'superseded';
    this.store(request, { ...back, status: 'deployed', description: `Rollback to ${back.revision}`, tests: 'not-run', failedTests: [] });
    return { kind: 'failed', helmRolledBack: true, wait: 'timedOut', failures };
  }

  async test(t: ReleaseTarget): Promise<TestRun> {
    this.calls.push(`test ${t.release}`);
    const outcome = this.tests.shift() ?? 'passed';
    const live = this.revisions(t).filter((r) => r.status === 'deployed').at(-1);
    if (live) {
      live.tests = outcome;
      live.failedTests = outcome === 'failed' ? [`${t.release}-test`] : [];
    }
    return outcome === 'passed' ? { kind: 'passed' } : { kind: 'failed', failures: [`Phase: Failed (${t.release}-test)`] };
  }

  async rollback(r: RollbackRequest): Promise<RollbackResult> {
    this.calls.push(`rollback ${r.release} ${r.revision ?? ''}`.trimEnd());
    const all = this.revisions(r);
    const current = newestRevision(all);
    const target = r.revision === undefined ? all.filter((x) => x.revision < (current?.revision ?? 0)).at(-1) : all.find((x) => x.revision === r.revision);
    if (!current || !target) return { kind: 'failed', message: 'Error: release: not found' };
    const fails = this.rollbacks.shift() === 'fails';
    current.status = 'superseded';
    if (!fails) for (const p of all) if (p.status === 'deployed') p.status = 'superseded';
    this.store(r, { ...target, status: fails ? 'failed' : 'deployed', description: fails ? `Rollback "${r.release}" failed` : `Rollback to ${target.revision}`, tests: 'not-run', failedTests: [] });
    return fails ? { kind: 'failed', message: `Error: Rollback "${r.release}" failed: timed out waiting for the condition` } : { kind: 'ok' };
  }

  async uninstall(t: ReleaseTarget): Promise<{ kind: 'ok' | 'absent' }> {
    this.calls.push(`uninstall ${t.release}`);
    const existed = this.revisions(t).length > 0;
    this.stored.delete(`${t.namespace}/${t.release}`);
    return { kind: existed ? 'ok' : 'absent' };
  }

  /** Adds a revision as given (a test's starting history); numbers follow on. */
  seed(t: ReleaseTarget, revision: Partial<StoredRevision> & Pick<StoredRevision, 'status'>): StoredRevision {
    return this.store(t, revision);
  }

  private store(t: ReleaseTarget, fields: Partial<StoredRevision> & Pick<StoredRevision, 'status'>): StoredRevision {
    const all = this.revisions(t);
    const revision: StoredRevision = {
      chartName: t.release,
      chartVersion: '0.0.0',
      appVersion: '',
      description: '',
      manifest: '',
      hooksManifest: '',
      tests: 'not-run',
      failedTests: [],
      ...fields,
      revision: (all.at(-1)?.revision ?? 0) + 1,
      updated: `2026-01-01T00:00:${String(all.length).padStart(2, '0')}Z`,
    };
    all.push(revision);
    return revision;
  }

  private revisions(t: ReleaseTarget): StoredRevision[] {
    const key = `${t.namespace}/${t.release}`;
    let all = this.stored.get(key);
    if (!all) this.stored.set(key, (all = []));
    return all;
  }
}

function toInfo(r: StoredRevision): RevisionInfo {
  const { manifest: _m, hooksManifest: _h, failedTests: _f, tests: _t, ...info } = r;
  return { ...info, provenance: info.provenance ?? decodeProvenance(info.description) };
}
