import { ChartctlError, isChartctlError } from '../core/errors.js';
import type { Environment, OciRepositoryConfig } from '../core/environment.js';
import { archiveLimitsFrom } from '../core/archive-limits.js';
import { compareVersions } from '../core/chart-version.js';
import { REPOSITORY_PROVENANCE_KEYS } from '../core/chart-index.js';
import type { Deps } from './deps.js';
import { chartNameOf } from './steps/candidate.js';
import { ociReference, ociVersions, openRegistry, readChartManifest, readVerifiedOciChart } from './steps/oci-charts.js';
import { mapLimit } from '../core/map-limit.js';

type OciEnvironment = Environment & { repository: OciRepositoryConfig };
// Results are shaped as repo.ts declares them (RepoListResult, RepoVerifyResult); repo.ts checks that where it returns them.
interface OciRepoEntry {
  chart: string;
  version: string;
  digest: string;
  created?: string;
  url: string;
  provenance: Record<string, string>;
}
type OciVerifyProblem = { kind: 'missingTarball'; chart: string; version: string; key: string } | { kind: 'invalidChart'; chart: string; version: string; key: string; message: string };
/** Parallel manifest reads: enough to hide latency, few enough for a rate-limited registry. */
const READ_CONCURRENCY = 8;

/** A registry cannot list its repositories reliably (`_catalog` is often off): the chart is named, or the environment's own. */
async function chartOf(deps: Deps, env: OciEnvironment, chart: string | undefined): Promise<string> {
  return chart ?? (await chartNameOf(deps, env)).name;
}

function provenanceOf(annotations: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => (REPOSITORY_PROVENANCE_KEYS as readonly string[]).includes(k) || k.startsWith('chartctl.io/')));
}

/** The tags of the chart that are versions, each with its chart digest and provenance from the manifest (no chart bytes read). */
export async function repoListOci(deps: Deps, env: OciEnvironment, options: { chart?: string }): Promise<{ env: string; repository: string; indexPresent: boolean; entries: OciRepoEntry[]; warnings: string[] }> {
  const registry = openRegistry(deps, env);
  const chart = await chartOf(deps, env, options.chart);
  const versions = (await ociVersions(registry, chart)).sort((a, b) => compareVersions(b, a));
  deps.reporter.progress(`Reading ${versions.length} manifests of ${registry.url}/${chart} (${env.name})`);
  const entries = await mapLimit(versions, READ_CONCURRENCY, async (version): Promise<OciRepoEntry | undefined> => {
    const read = await readChartManifest(registry, chart, version);
    if (!read) return undefined;
    const annotations = read.manifest.manifest.annotations;
    return {
      chart,
      version,
      digest: read.manifest.chart.digest.slice('sha256:'.length),
      created: annotations?.['org.opencontainers.image.created'],
      url: `oci://${ociReference(registry, chart, version)}`,
      provenance: { ...provenanceOf(annotations), 'manifest-digest': read.digest },
    };
  });
  return { env: env.name, repository: registry.url, indexPresent: true, entries: entries.filter((e): e is OciRepoEntry => e !== undefined), warnings: [] };
}

/** Every version tag: manifest digest, media types, blob digests and sizes, and the tarball's Chart.yaml against the tag. */
export async function repoVerifyOci(deps: Deps, env: OciEnvironment, options: { chart?: string } = {}): Promise<{ env: string; repository: string; ok: boolean; checked: number; problems: OciVerifyProblem[]; orphans: string[]; warnings: string[] }> {
  const registry = openRegistry(deps, env);
  const chart = await chartOf(deps, env, options.chart);
  const limits = archiveLimitsFrom(deps.env);
  const versions = await ociVersions(registry, chart);
  deps.reporter.progress(`Verifying ${versions.length} versions of ${registry.url}/${chart} (${env.name})`);
  const problems = (
    await mapLimit(versions, READ_CONCURRENCY, async (version): Promise<OciVerifyProblem | undefined> => {
      const key = ociReference(registry, chart, version);
      const entry = { chart, version, key };
      try {
        const verified = await readVerifiedOciChart(registry, env.name, { name: chart, version }, limits);
        return verified ? undefined : { kind: 'missingTarball', ...entry };
      } catch (err) {
        if (!isChartctlError(err)) throw err;
        if (err.code === 'TARBALL_MISSING') return { kind: 'missingTarball', ...entry };
        if (err.code === 'DIGEST_MISMATCH') return { kind: 'invalidChart', ...entry, message: err.message };
        if (err.code === 'CHART_IDENTITY_MISMATCH') return { kind: 'invalidChart', ...entry, message: err.message };
        if (['OCI_MANIFEST_INVALID', 'CHART_TOO_LARGE', 'ARCHIVE_UNSAFE', 'CHART_INVALID', 'ARCHIVE_INVALID'].includes(err.code)) return { kind: 'invalidChart', ...entry, message: err.message };
        throw err;
      }
    })
  ).filter((p): p is OciVerifyProblem => p !== undefined);
  return { env: env.name, repository: registry.url, ok: problems.length === 0, checked: versions.length, problems, orphans: [], warnings: [] };
}

export function reindexNotApplicable(env: OciEnvironment): ChartctlError {
  return new ChartctlError(`repo reindex does not apply to ${env.name}: its repository ${env.repository.url} is an OCI registry, which has no index.yaml (its tags are the index). Nothing was changed.`, {
    code: 'REINDEX_NOT_APPLICABLE',
    hint: `Check it with "chartctl repo verify ${env.name}" instead.`,
  });
}
