import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ChartctlError } from '../../core/errors.js';
import { chartFromFiles, packChart } from '../../core/chart-archive.js';
import { archiveLimitsFrom } from '../../core/archive-limits.js';
import { PROVENANCE, tarballFileName } from '../../core/chart-index.js';
import { resolveChartVersion } from '../../core/chart-version.js';
import type { JsonValue } from '../../core/go-yaml-style.js';
import { readChartDirectory, readChartMetadata } from '../../adapters/chart-directory.js';
import { MAX_CONFIG_FILE_BYTES, readUserFile } from '../../adapters/user-files.js';
import { artifactConfigFiles, isSafeRelativePath, type ArtifactConfig } from '../../core/artifact-config.js';
import { decideDirtyTree, type EnvironmentReach } from '../../core/dirty-tree.js';
import type { Environment } from '../../core/environment.js';
import type { Deps } from '../deps.js';
import { ensureDependencies } from './render.js';
import { sha256 } from '../../core/sha256.js';

export interface PackageChartOptions {
  /** Chart directory relative to the repository root; default: the chart every environment uses. */
  chart?: string;
  /** Literal version or patch|minor|major|prerelease. */
  version?: string;
  appVersion?: string;
  /** Prerelease identifier for `--version prerelease` (default dev). */
  preid?: string;
  /** Versions of the chart the target repository holds: `--version prerelease` goes above them. */
  published?: readonly string[];
  /** Record the build time in Chart.yaml (makes the bytes differ on every build). */
  buildTime?: boolean;
  /**
   * The tarball is being published: uncommitted files that an environment requiring
   * approval would run are refused (naming them) instead of only warned about.
   */
  refuseDirtyForApproval?: boolean;
}

export interface BuiltPackage {
  name: string;
  version: string;
  appVersion?: string;
  fileName: string;
  bytes: Uint8Array;
  digest: string;
  chartDir: string;
  metadata: Record<string, JsonValue>;
  source?: { commit: string; dirty: boolean };
}

/** The chart directory to package: --chart, else the one chart all environments share. */
export async function chartDirectoryFor(deps: Deps, chart?: string, environments = () => deps.repo.loadEnvironments([])): Promise<string> {
  if (chart) {
    const dir = deps.repo.userPath(chart);
    if (!existsSync(join(dir, 'Chart.yaml'))) {
      throw new ChartctlError(`--chart ${chart}: no Chart.yaml in ${deps.repo.display(dir)}.`, { code: 'CHART_NOT_FOUND', hint: 'Point --chart at a chart directory (relative to where chartctl runs, or --cwd).' });
    }
    return dir;
  }
  const envs = await environments();
  const charts = [...new Set(envs.map((e) => e.chart))];
  if (charts.length !== 1) {
    throw new ChartctlError(`The environments use ${charts.length} different charts (${charts.join(', ')}); say which one to package.`, {
      code: 'CHART_AMBIGUOUS',
      hint: 'Pass --chart DIR.',
    });
  }
  return chartDirectoryFor(deps, charts[0]);
}

/**
 * Builds the reproducible tarball in memory: `helm dependency build` (only
 * when needed), the files helm would include, provenance annotations, fixed
 * archive metadata. Same sources → same bytes on any machine.
 */
export async function buildPackage(deps: Deps, options: PackageChartOptions): Promise<BuiltPackage> {
  // git starts first: provenance names the whole repository's commit (configuration included),
  // which does not depend on the chart, so git runs while the environments and the chart are read.
  const repositoryRevision = () => {
    const pending = deps.git.revision(deps.repo.root, ['.']);
    pending.catch(() => undefined); // awaited below; when reading fails first, that error is the one reported
    return pending;
  };
  let repositoryState = repositoryRevision();
  // Read and checked once, for both the chart to package and the configuration it carries.
  let loaded: Promise<Environment[]> | undefined;
  const environments = () => (loaded ??= deps.repo.loadEnvironments([]));
  const chartDir = await chartDirectoryFor(deps, options.chart, environments);
  // helm's dependency build writes into the chart: what git saw while it ran is not what is packaged.
  if (await ensureDependencies(deps, chartDir)) repositoryState = repositoryRevision();
  deps.reporter.progress(`Packaging ${deps.repo.display(chartDir)}`);
  const display = (p: string) => deps.repo.display(p);
  const sourcePaths = [chartDir, ...localDependencyDirs(chartDir, await readChartMetadata(chartDir, display))].map((p) => relative(deps.repo.root, p) || '.');
  // The prerelease counter follows the chart's history (its whole history: only a prerelease pays for that walk).
  const chartHistory = options.version === 'prerelease' ? deps.git.history(deps.repo.root, sourcePaths) : Promise.resolve(undefined);
  chartHistory.catch(() => undefined);
  const limits = archiveLimitsFrom(deps.env);
  const files = readChartDirectory(chartDir, display, limits.maxFileBytes);
  const chart = chartFromFiles(files, display(chartDir), limits);
  const metadata = chart.metadata;
  const carried = await carriedEnvironments(deps, chartDir, environments);
  // The chart's own files and every environment's configuration travel with the version.
  chart.files = [...chart.files.filter((f) => !f.path.startsWith('.chartctl/')), ...artifactConfigFiles(carried.config)];
  const [history, repository] = await Promise.all([chartHistory, repositoryState]);
  checkDirtyTree(deps, repository?.dirtyFiles ?? [], carried.reach(sourcePaths), options.refuseDirtyForApproval ?? false);
  if (options.version === 'prerelease' && !history) {
    deps.reporter.warn(`${deps.repo.root} is not a git work tree: the prerelease counter is 0 and the version carries no commit.`);
  }
  const version = resolveChartVersion(metadata.version as string, options.version, {
    id: options.preid ?? 'dev',
    counter: history?.commitCount ?? 0,
    commit: history?.commit,
    published: options.published,
  });
  metadata.version = version;
  if (options.appVersion !== undefined) metadata.appVersion = options.appVersion;

  const annotations: Record<string, string> = { ...((metadata.annotations as Record<string, string> | undefined) ?? {}) };
  if (repository) {
    annotations[PROVENANCE.gitCommit] = repository.commit;
    annotations[PROVENANCE.gitDirty] = String(repository.dirty);
  }
  if (options.buildTime) annotations[PROVENANCE.buildTime] = deps.now().toISOString();
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;

  const bytes = packChart(chart);
  return {
    name: metadata.name as string,
    version,
    appVersion: metadata.appVersion as string | undefined,
    fileName: tarballFileName(metadata.name as string, version),
    bytes,
    digest: sha256(bytes),
    chartDir,
    metadata,
    source: repository ? { commit: repository.commit, dirty: repository.dirty } : undefined,
  };
}

function localDependencyDirs(chartDir: string, metadata: Record<string, JsonValue>): string[] {
  const deps = Array.isArray(metadata.dependencies) ? metadata.dependencies : [];
  return deps
    .map((d) => (d && typeof d === 'object' && !Array.isArray(d) ? (d.repository as string | undefined) : undefined))
    .filter((r): r is string => typeof r === 'string' && r.startsWith('file://'))
    .map((r) => resolve(chartDir, r.slice('file://'.length)))
    .filter((p) => existsSync(p));
}

/**
 * The configuration of every environment that deploys this chart, read from the
 * working tree as it is: values files (templates unrendered) and secrets files
 * still encrypted.
 */
async function carriedEnvironments(deps: Deps, chartDir: string, environments: () => Promise<Environment[]>): Promise<{ config: ArtifactConfig; reach: (chartPaths: string[]) => EnvironmentReach[] }> {
  const envs = (await environments()).filter((e) => resolve(deps.repo.path(e.chart)) === resolve(chartDir));
  const config: ArtifactConfig = { environments: {}, files: new Map() };
  // Every file is read at once (each read is five thread-pool round trips), then taken in order, so the
  // first problem in the environments' order is the one reported, as when they were read one by one.
  const started = new Set<string>();
  const steps: (() => Promise<void>)[] = [];
  for (const env of envs) {
    for (const rel of [...env.values, ...env.secrets]) {
      if (!isSafeRelativePath(rel)) {
        steps.push(async () => {
          throw new ChartctlError(`${env.file}: "${rel}" is not a path inside the repository; it cannot travel with the published version.`, {
            code: 'CONFIG_OUTSIDE_REPOSITORY',
            hint: 'Keep values and secrets files inside the application repository and name them relative to its root (e.g. environments/values/prod.yaml).',
          });
        });
        continue;
      }
      if (started.has(rel)) continue;
      started.add(rel);
      const secret = env.secrets.includes(rel);
      const read = readUserFile(deps.repo.path(rel), {
        shown: rel,
        what: secret ? 'secrets file' : 'values file',
        maxBytes: MAX_CONFIG_FILE_BYTES,
        origin: `(listed under "${secret ? 'secrets' : 'values'}" in ${env.file})`,
        hint: `Fix the path or remove it from ${env.file}.`,
        notFoundCode: secret ? 'SECRETS_FILE_MISSING' : 'VALUES_FILE_MISSING',
      });
      read.catch(() => undefined); // awaited in order below
      steps.push(async () => void config.files.set(rel, await read));
    }
    config.environments[env.name] = { values: env.values, secrets: env.secrets };
  }
  for (const step of steps) await step();
  const reach = (chartPaths: string[]) =>
    envs.map((env) => ({
      name: env.name,
      requireApproval: env.promotion.requireApproval,
      reads: [...chartPaths, ...env.values, ...env.secrets, relative(deps.repo.root, env.file)],
    }));
  return { config, reach };
}

function checkDirtyTree(deps: Deps, dirtyFiles: string[], reach: EnvironmentReach[], refuse: boolean): void {
  const decision = decideDirtyTree(dirtyFiles, refuse ? reach : reach.map((r) => ({ ...r, requireApproval: false })));
  if (decision.kind === 'clean') return;
  const listed = (files: string[]) => `${files.slice(0, 10).join(', ')}${files.length > 10 ? ` and ${files.length - 10} more` : ''}`;
  if (decision.kind === 'refuse') {
    throw new ChartctlError(`Uncommitted changes that ${decision.env} would run (it requires approval): ${listed(decision.files)}. Nothing was published.`, {
      code: 'DIRTY_TREE',
      hint: 'Commit (and review) the changes, or stash them, then publish again; only committed files may reach an environment that requires approval.',
    });
  }
  deps.reporter.warn(`Uncommitted changes in the repository: ${listed(decision.files)}; the package records git-dirty: true.`);
}
