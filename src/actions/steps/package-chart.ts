import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ChartctlError } from '../../core/errors.js';
import { chartFromFiles, packChart } from '../../core/chart-archive.js';
import { archiveLimitsFrom } from '../../core/archive-limits.js';
import { PROVENANCE, tarballFileName } from '../../core/chart-index.js';
import { resolveChartVersion } from '../../core/chart-version.js';
import type { JsonValue } from '../../core/go-yaml-style.js';
import { readChartDirectory } from '../../adapters/chart-directory.js';
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
export async function chartDirectoryFor(deps: Deps, chart?: string): Promise<string> {
  if (chart) {
    const dir = deps.repo.userPath(chart);
    if (!existsSync(join(dir, 'Chart.yaml'))) {
      throw new ChartctlError(`--chart ${chart}: no Chart.yaml in ${deps.repo.display(dir)}.`, { code: 'CHART_NOT_FOUND', hint: 'Point --chart at a chart directory (relative to where chartctl runs, or --cwd).' });
    }
    return dir;
  }
  const envs = await deps.repo.loadEnvironments([]);
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
  const chartDir = await chartDirectoryFor(deps, options.chart);
  await ensureDependencies(deps, chartDir);
  deps.reporter.progress(`Packaging ${deps.repo.display(chartDir)}`);
  const limits = archiveLimitsFrom(deps.env);
  const files = await readChartDirectory(chartDir, (p) => deps.repo.display(p), limits.maxFileBytes);
  const chart = chartFromFiles(files, deps.repo.display(chartDir), limits);
  const metadata = chart.metadata;

  const sourcePaths = [chartDir, ...localDependencyDirs(chartDir, metadata)].map((p) => relative(deps.repo.root, p) || '.');
  const revision = await deps.git.revision(deps.repo.root, sourcePaths);
  if (options.version === 'prerelease' && !revision) {
    deps.reporter.warn(`${deps.repo.root} is not a git work tree: the prerelease counter is 0 and the version carries no commit.`);
  }
  const version = resolveChartVersion(metadata.version as string, options.version, {
    id: options.preid ?? 'dev',
    counter: revision?.commitCount ?? 0,
    commit: revision?.commit,
    published: options.published,
  });
  metadata.version = version;
  if (options.appVersion !== undefined) metadata.appVersion = options.appVersion;

  const annotations: Record<string, string> = { ...((metadata.annotations as Record<string, string> | undefined) ?? {}) };
  if (revision) {
    annotations[PROVENANCE.gitCommit] = revision.commit;
    annotations[PROVENANCE.gitDirty] = String(revision.dirty);
    if (revision.dirty) deps.reporter.warn(`${deps.repo.display(chartDir)} has uncommitted changes; the package records git-dirty: true.`);
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
    source: revision ? { commit: revision.commit, dirty: revision.dirty } : undefined,
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
