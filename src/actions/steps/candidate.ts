import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ChartctlError, ExitCode } from '../../core/errors.js';
import { howVersionsArrive, isOciRepository, type Environment } from '../../core/environment.js';
import { findEntry, PROVENANCE, type ChartIndex } from '../../core/chart-index.js';
import { existsSync } from 'node:fs';
import { decideDirtyTree, dirtyFilesRead } from '../../core/dirty-tree.js';
import { isPrerelease, newestVersion } from '../../core/chart-version.js';
import { readChartMetadata } from '../../adapters/chart-directory.js';
import { privateTempDir } from '../../adapters/cleanup.js';
import type { Deps } from '../deps.js';
import { chartDirOf, ensureDependencies } from './render.js';
import { openRepository, readIndex } from './repository-index.js';
import { fetchVerifiedTarball, type CheckedTarball } from './verified-tarball.js';
import { ociVersions, openRegistry, readVerifiedOciChart } from './oci-charts.js';
import { archiveLimitsFrom } from '../../core/archive-limits.js';
import { archiveContents } from '../../core/chart-archive.js';
import { artifactEnvironment, readArtifactConfig } from '../../core/artifact-config.js';
import { sharedFiles } from '../../core/image-origins.js';
import { WORKING_TREE, type ConfigSource } from './values.js';

/** The candidate tarball's file in its private temp dir. */
const CANDIDATE_FILE = 'chart.tgz';

export interface CandidateOptions {
  /** A version from the environment's repository (default: the newest the environment accepts). */
  version?: string;
  /** The working tree's chart instead of a repository tarball. */
  local?: boolean;
  /**
   * The working tree is about to be deployed (`deploy --local`): uncommitted files the
   * environment runs are refused when it requires approval, and warned about otherwise.
   */
  deploying?: boolean;
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
  /** Where the environment's values and secrets files are read: the tarball's own copies, or the working tree (--local). */
  config: ConfigSource;
  /** The umbrella chart's dependencies (alias or name): the services whose images set-image and diff speak of. */
  dependencies: string[];
  /** The application repository's commit the tarball was packaged from (`<commit>` or `<commit>-dirty`), when it says. */
  commit?: string;
  release(): Promise<void>;
}

/**
 * The chart's name: from the chart directory when there is one, else (a CD agent
 * with no checkout, only environment files) the one chart the repository index holds.
 */
export async function chartNameOf(deps: Deps, env: Environment, index?: ChartIndex): Promise<{ name: string; version: string }> {
  const names = Object.keys(index?.entries ?? {});
  if (index && names.length === 1 && !existsSync(join(deps.repo.path(env.chart), 'Chart.yaml'))) return { name: names[0]!, version: '' };
  const chart = await chartMetadata(deps, chartDirOf(deps, env));
  return { name: chart.name as string, version: chart.version as string };
}

/** The chart directory's Chart.yaml, read once for the environments of a fleet that share the chart. */
function chartMetadata(deps: Deps, dir: string): ReturnType<typeof readChartMetadata> {
  return deps.repo.sharedRead(`chart\0${dir}`, () => readChartMetadata(dir, (p) => deps.repo.display(p)));
}

/**
 * Resolves the candidate: the working tree (--local) or the exact tarball from
 * the environment's repository, downloaded and checked byte for byte against
 * the index digest and its own Chart.yaml before anything touches the cluster.
 */
export async function resolveCandidate(deps: Deps, env: Environment, options: CandidateOptions): Promise<Candidate> {
  if (options.local) {
    const chart = await chartNameOf(deps, env);
    const dir = chartDirOf(deps, env);
    if (options.deploying) await checkLocalTree(deps, env, dir);
    await ensureDependencies(deps, dir);
    const dependencies = dependencyNames(await chartMetadata(deps, dir));
    return { chartName: chart.name, version: chart.version, chartPath: dir, source: 'local', config: WORKING_TREE, dependencies, release: async () => undefined };
  }
  if (isOciRepository(env.repository)) {
    const chart = await chartNameOf(deps, env);
    const registry = openRegistry(deps, { ...env, repository: env.repository });
    deps.reporter.progress(`Reading the tags of ${registry.url}/${chart.name}`);
    const version = pickVersion(env, chart.name, await ociVersions(registry, chart.name), registry.url, options.version);
    const verified = await readVerifiedOciChart(registry, env.name, { name: chart.name, version }, archiveLimitsFrom(deps.env));
    if (!verified) throw versionNotFound(env, chart.name, version, registry.url, []);
    const contents = archiveContents(verified.tarball, `${chart.name} ${version}`, archiveLimitsFrom(deps.env));
    return writeCandidate(deps, env, chart.name, version, { body: verified.tarball, digest: verified.digest, ...contents }, registry.url);
  }
  const repository = openRepository(deps, env);
  deps.reporter.progress(`Reading ${repository.url}/index.yaml`);
  const { index } = await readIndex(repository);
  const chart = await chartNameOf(deps, env, index);
  const versions = (index?.entries[chart.name] ?? []).map((e) => e.version);
  const version = pickVersion(env, chart.name, versions, repository.url, options.version);
  const entry = index ? findEntry(index, chart.name, version) : undefined;
  if (!entry) throw versionNotFound(env, chart.name, version, repository.url, versions);
  const tarball = await fetchVerifiedTarball(repository, env.name, entry, { name: chart.name, version }, archiveLimitsFrom(deps.env));
  return writeCandidate(deps, env, chart.name, version, tarball, repository.url);
}

async function writeCandidate(deps: Deps, env: Environment, chartName: string, version: string, tarball: Omit<CheckedTarball, 'name'>, source: string): Promise<Candidate> {
  const { body, digest } = tarball;
  const dir = await privateTempDir(deps.cleanup, 'chartctl-candidate-');
  // A fixed name: nothing the repository says may choose where bytes are written.
  const chartPath = join(dir.path, CANDIDATE_FILE);
  await writeFile(chartPath, body, { mode: 0o600, flag: 'wx' });
  const carried = carriedConfig(deps, env, tarball, `${chartName} ${version}`);
  return { chartName, version, chartPath, digest: `sha256:${digest}`, source, ...carried, release: dir.remove };
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

/**
 * The configuration the tarball carries for this environment. A chart packaged by
 * another tool carries none: its values then come from the working tree, and the
 * deploy says so rather than pretend the version decided them.
 */
function carriedConfig(deps: Deps, env: Environment, { files, metadata }: Pick<CheckedTarball, 'files' | 'metadata'>, carriedBy: string): { config: ConfigSource; commit?: string; dependencies: string[] } {
  const config = readArtifactConfig(files, carriedBy);
  const dependencies = dependencyNames(metadata);
  const annotations = (metadata.annotations ?? {}) as Record<string, string>;
  const commit = annotations[PROVENANCE.gitCommit] ? `${annotations[PROVENANCE.gitCommit].slice(0, 12)}${annotations[PROVENANCE.gitDirty] === 'true' ? '-dirty' : ''}` : undefined;
  if (!config) {
    deps.reporter.warn(`${carriedBy} was not packaged by chartctl and carries no environment configuration: ${env.name}'s values and secrets are read from the working tree.`);
    return { config: WORKING_TREE, commit, dependencies };
  }
  const shared = [...sharedFiles(Object.values(config.environments))];
  return { config: { kind: 'artifact', config: artifactEnvironment(config, env.name, carriedBy), files: config.files, carriedBy, shared }, commit, dependencies };
}

function dependencyNames(metadata: Record<string, unknown>): string[] {
  const list = Array.isArray(metadata.dependencies) ? (metadata.dependencies as { name?: unknown; alias?: unknown }[]) : [];
  return list.map((d) => (typeof d.alias === 'string' ? d.alias : typeof d.name === 'string' ? d.name : '')).filter(Boolean);
}

/** `deploy --local` runs the working tree as it is: what nobody committed must not reach an environment that requires approval. */
async function checkLocalTree(deps: Deps, env: Environment, chartDir: string): Promise<void> {
  const revision = await deps.git.revision(deps.repo.root, ['.']).catch(() => undefined);
  if (!revision?.dirty) return;
  const reads = [relative(deps.repo.root, chartDir), ...env.values, ...env.secrets, relative(deps.repo.root, env.file)];
  const decision = decideDirtyTree(revision.dirtyFiles, [{ name: env.name, requireApproval: env.promotion.requireApproval, reads }]);
  if (decision.kind === 'refuse') {
    throw new ChartctlError(`Uncommitted changes that ${env.name} would run (it requires approval): ${decision.files.slice(0, 10).join(', ')}. Nothing was deployed.`, {
      code: 'DIRTY_TREE',
      hint: `Commit (and review) the changes, or deploy a published version (chartctl deploy ${env.name} without --local).`,
    });
  }
  const read = dirtyFilesRead(revision.dirtyFiles, reads);
  if (read.length > 0) deps.reporter.warn(`Deploying uncommitted changes to ${env.name}: ${read.slice(0, 10).join(', ')}.`);
}
