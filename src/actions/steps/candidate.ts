import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChartctlError, ExitCode } from '../../core/errors.js';
import { howVersionsArrive, isOciRepository, type Environment } from '../../core/environment.js';
import { findEntry } from '../../core/chart-index.js';
import { isPrerelease, newestVersion } from '../../core/chart-version.js';
import { readChartMetadata } from '../../adapters/chart-directory.js';
import { privateTempDir } from '../../adapters/cleanup.js';
import type { Deps } from '../deps.js';
import { chartDirOf, ensureDependencies } from './render.js';
import { openRepository, readIndex } from './repository-index.js';
import { fetchVerifiedTarball } from './verified-tarball.js';
import { ociVersions, openRegistry, readVerifiedOciChart } from './oci-charts.js';
import { archiveLimitsFrom } from '../../core/archive-limits.js';

/** The candidate tarball's file in its private temp dir. */
const CANDIDATE_FILE = 'chart.tgz';

export interface CandidateOptions {
  /** A version from the environment's repository (default: the newest the environment accepts). */
  version?: string;
  /** The working tree's chart instead of a repository tarball. */
  local?: boolean;
}

/** The chart that a diff or deploy would put in place. */
export interface Candidate {
  chartName: string;
  version: string;
  /** Where helm reads it: the chart directory (--local) or the verified tarball in a private temp dir. */
  chartPath: string;
  /** sha256 of the tarball, verified against the repository index (as are its Chart.yaml name and version). */
  digest?: string;
  /** `s3://…`, `oci://…` or `local`. */
  source: string;
  release(): Promise<void>;
}

export async function chartNameOf(deps: Deps, env: Environment): Promise<{ name: string; version: string }> {
  const chart = await readChartMetadata(chartDirOf(deps, env), (p) => deps.repo.display(p));
  return { name: chart.name as string, version: chart.version as string };
}

/**
 * Resolves the candidate: the working tree (--local) or the exact tarball from
 * the environment's repository, downloaded and checked byte for byte against
 * the index digest and its own Chart.yaml before anything touches the cluster.
 */
export async function resolveCandidate(deps: Deps, env: Environment, options: CandidateOptions): Promise<Candidate> {
  const chart = await chartNameOf(deps, env);
  if (options.local) {
    const dir = chartDirOf(deps, env);
    await ensureDependencies(deps, dir);
    return { chartName: chart.name, version: chart.version, chartPath: dir, source: 'local', release: async () => undefined };
  }
  if (isOciRepository(env.repository)) {
    const registry = openRegistry(deps, { ...env, repository: env.repository });
    deps.reporter.progress(`Reading the tags of ${registry.url}/${chart.name}`);
    const version = pickVersion(env, chart.name, await ociVersions(registry, chart.name), registry.url, options.version);
    const verified = await readVerifiedOciChart(registry, env.name, { name: chart.name, version }, archiveLimitsFrom(deps.env));
    if (!verified) throw versionNotFound(env, chart.name, version, registry.url, []);
    return writeCandidate(deps, chart.name, version, verified.tarball, verified.digest, registry.url);
  }
  const repository = openRepository(deps, env);
  deps.reporter.progress(`Reading ${repository.url}/index.yaml`);
  const { index } = await readIndex(repository);
  const versions = (index?.entries[chart.name] ?? []).map((e) => e.version);
  const version = pickVersion(env, chart.name, versions, repository.url, options.version);
  const entry = index ? findEntry(index, chart.name, version) : undefined;
  if (!entry) throw versionNotFound(env, chart.name, version, repository.url, versions);
  const tarball = await fetchVerifiedTarball(repository, env.name, entry, { name: chart.name, version }, archiveLimitsFrom(deps.env));
  return writeCandidate(deps, chart.name, version, tarball.body, tarball.digest, repository.url);
}

async function writeCandidate(deps: Deps, chartName: string, version: string, body: Uint8Array, digest: string, source: string): Promise<Candidate> {
  const dir = await privateTempDir(deps.cleanup, 'chartctl-candidate-');
  // A fixed name: nothing the repository says may choose where bytes are written.
  const chartPath = join(dir.path, CANDIDATE_FILE);
  await writeFile(chartPath, body, { mode: 0o600, flag: 'wx' });
  return { chartName, version, chartPath, digest: `sha256:${digest}`, source, release: dir.remove };
}

/** The version asked for, or the newest the environment accepts, refused when it is a prerelease the environment does not take. */
function pickVersion(env: Environment, chartName: string, versions: string[], url: string, asked: string | undefined): string {
  const version = asked ?? newestVersion(versions, { allowPrerelease: env.promotion.allowPrerelease });
  if (!version) {
    throw new ChartctlError(`The ${env.name} repository (${url}) holds no ${env.promotion.allowPrerelease ? '' : 'stable '}version of ${chartName}.`, {
      code: 'NO_CANDIDATE',
      exitCode: ExitCode.noMatch,
      hint: `Bring a version to ${env.name} first (${howVersionsArrive(env)}), or use --local for the working tree.`,
    });
  }
  if (isPrerelease(version) && !env.promotion.allowPrerelease) {
    throw new ChartctlError(`${chartName} ${version} is a prerelease and ${env.name} does not accept prereleases (promotion.allowPrerelease: false).`, {
      code: 'PRERELEASE_NOT_ALLOWED',
      hint: 'Deploy a stable version, or allow prereleases in the environment file.',
    });
  }
  if (asked && !versions.includes(asked)) throw versionNotFound(env, chartName, asked, url, versions);
  return version;
}

function versionNotFound(env: Environment, chartName: string, version: string, url: string, versions: string[]): ChartctlError {
  return new ChartctlError(`${chartName} ${version} is not in the ${env.name} repository (${url}). It holds: ${versions.join(', ') || 'nothing'}.`, {
    code: 'VERSION_NOT_FOUND',
    exitCode: ExitCode.noMatch,
    hint: `${env.promotion.from ? 'Promote' : 'Publish'} it to ${env.name} first (${howVersionsArrive(env)} --version ${version}), or pick one of the versions listed.`,
  });
}
