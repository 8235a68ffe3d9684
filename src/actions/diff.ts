import { ChartctlError, ExitCode } from '../core/errors.js';
import { diffReleases, type ReleaseDiff } from '../core/release-diff.js';
import { detectDrift, type ResourceDrift } from '../core/drift.js';
import { HelmReleases } from '../adapters/helm-releases.js';
import type { Deps } from './deps.js';
import { resolveCandidate } from './steps/candidate.js';
import { deployedManifest, historyAndManifest, releaseTarget } from './steps/deployed-release.js';
import { renderEnvironment } from './steps/render.js';
import { resolveValues } from './steps/values.js';

export interface DiffOptions {
  env: string;
  version?: string;
  local?: boolean;
  /** Diff the deployed release against this earlier revision (what a rollback would change). */
  revision?: number;
  context?: number;
  showSecrets?: boolean;
  /** Also compare the last applied manifest with the live objects (changes made outside helm). */
  live?: boolean;
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
}

/** What deploying the candidate (or rolling back to a revision) would change, resource by resource. */
export async function diff(deps: Deps, options: DiffOptions): Promise<DiffResult> {
  const env = await deps.repo.loadEnvironment(options.env);
  const releases = new HelmReleases(deps.helm());
  deps.reporter.progress(`Reading release ${env.release} in ${env.namespace}${env.kubeContext ? ` (context ${env.kubeContext})` : ''}`);
  // The cluster side and the candidate (S3 index + tarball) do not depend on each other: fetch both at once.
  const candidatePromise = options.revision === undefined ? resolveCandidate(deps, env, { version: options.version, local: options.local }) : undefined;
  candidatePromise?.catch(() => undefined);
  // Reading the values and decrypting the secrets depends on neither: it runs while both are fetched.
  const valuesPromise = candidatePromise ? resolveValues(deps, env) : undefined;
  valuesPromise?.catch(() => undefined);
  const { history, manifest: deployedText } = await historyAndManifest(releases, env).catch(async (err: unknown) => {
    await candidatePromise?.then((c) => c.release()).catch(() => undefined);
    throw err;
  });
  const current = [...history].sort((a, b) => b.revision - a.revision)[0];
  const deployed = { revision: current?.revision ?? null, version: current?.chartVersion ?? null, status: current?.status ?? null };
  const drift = options.live && current ? detectDrift(deployedText, await releases.resources(releaseTarget(env)), env.namespace) : options.live ? [] : null;

  if (options.revision !== undefined) {
    const wanted = history.find((h) => h.revision === options.revision);
    if (!wanted) {
      throw new ChartctlError(`Release ${env.release} in ${env.namespace} has no revision ${options.revision}. It has: ${history.map((h) => h.revision).join(', ') || 'none'}.`, {
        code: 'REVISION_NOT_FOUND',
        exitCode: ExitCode.noMatch,
        hint: `See chartctl history ${env.name}.`,
      });
    }
    const candidateText = await deployedManifest(releases, env, wanted.revision);
    return {
      env: env.name,
      release: env.release,
      namespace: env.namespace,
      deployed,
      candidate: { version: wanted.chartVersion, digest: wanted.provenance?.digest ?? null, source: `revision ${wanted.revision}`, revision: wanted.revision },
      diff: diffReleases(deployedText, candidateText, { namespace: env.namespace, context: options.context, showSecrets: options.showSecrets }),
      drift,
    };
  }

  const candidate = await candidatePromise!;
  try {
    const rendered = await renderEnvironment(deps, env, { chartOverride: candidate.chartPath, isUpgrade: Boolean(current), values: await valuesPromise });
    return {
      env: env.name,
      release: env.release,
      namespace: env.namespace,
      deployed,
      candidate: { version: candidate.version, digest: candidate.digest ?? null, source: candidate.source, revision: null },
      diff: diffReleases(deployedText, rendered.manifest, { namespace: env.namespace, context: options.context, showSecrets: options.showSecrets }),
      drift,
    };
  } finally {
    await candidate.release();
  }
}
