import type { ReleaseTarget } from '../core/helm-release-args.js';
import type { RevisionInfo } from '../core/release-history.js';
import type { Releases } from '../adapters/releases.js';
import { newestFirst } from '../core/release-history.js';
import { ChartctlError, ExitCode } from '../core/errors.js';
import type { Deps } from './deps.js';
import { releaseTarget } from './steps/deployed-release.js';

export interface HistoryOptions {
  env: string;
  max?: number;
}

export interface HistoryResult {
  env: string;
  release: string;
  namespace: string;
  revisions: RevisionInfo[];
}

/** Adds each revision's test outcome (from `helm status --revision N`), a few at a time. */
export async function withTestResults(releases: Releases, target: ReleaseTarget, revisions: RevisionInfo[]): Promise<RevisionInfo[]> {
  const out: RevisionInfo[] = [];
  for (let i = 0; i < revisions.length; i += 4) {
    const batch = revisions.slice(i, i + 4);
    const statuses = await Promise.all(batch.map((r) => releases.status(target, r.revision).catch(() => undefined)));
    batch.forEach((r, j) => out.push({ ...r, tests: statuses[j]?.tests }));
  }
  return out;
}

/** Revisions newest first: time, status, chart version, digest, app version, description, tests, chartctl provenance. */
export async function history(deps: Deps, options: HistoryOptions): Promise<HistoryResult> {
  const env = await deps.repo.loadEnvironment(options.env);
  const releases = deps.releases;
  const target = releaseTarget(env);
  const revisions = await releases.history(target, options.max);
  if (revisions.length === 0) {
    throw new ChartctlError(`Release ${env.release} does not exist in ${env.namespace}${env.kubeContext ? ` (context ${env.kubeContext})` : ''}.`, {
      code: 'RELEASE_NOT_FOUND',
      exitCode: ExitCode.noMatch,
      hint: `Deploy it first (chartctl deploy ${env.name}), or check the environment's namespace and kubeContext.`,
    });
  }
  return { env: env.name, release: env.release, namespace: env.namespace, revisions: await withTestResults(releases, target, newestFirst(revisions)) };
}
