import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { ChartctlError } from '../core/errors.js';
import type { Environment } from '../core/environment.js';
import { compareVersions, newestVersion, nextPrerelease } from '../core/chart-version.js';
import { readScalar, setScalar } from '../core/yaml-scalar-edit.js';
import type { Deps } from './deps.js';
import { chartDirectoryFor } from './steps/package-chart.js';
import { versionsIn } from './steps/repository-versions.js';

export type BumpKind = 'patch' | 'minor' | 'major' | 'prerelease';

export interface BumpOptions {
  kind: BumpKind;
  /** Prerelease identifier for `prerelease` (default dev). */
  preid?: string;
  chart?: string;
  /** Skip the comparison with the first environment's repository (offline work). */
  skipRepositoryCheck?: boolean;
}

export interface BumpResult {
  chart: string;
  file: string;
  from: string;
  to: string;
  /** The environment whose repository was checked, and the newest version it holds. */
  checked: { env: string; repository: string; newest: string | null } | null;
}

/** The environment builds enter first: the one nothing promotes into it from. */
export function firstEnvironment(envs: Environment[]): Environment | undefined {
  const roots = envs.filter((e) => !e.promotion.from);
  const fed = roots.filter((r) => envs.some((e) => e.promotion.from === r.name));
  return fed[0] ?? roots[0];
}

/**
 * Bumps the umbrella chart's version in Chart.yaml (comments and layout kept),
 * refusing to go backwards relative to what the first environment's repository holds;
 * `prerelease` follows the one scheme publish uses too (core/chart-version.ts nextPrerelease).
 */
export async function bump(deps: Deps, options: BumpOptions): Promise<BumpResult> {
  const chartDir = await chartDirectoryFor(deps, options.chart);
  const file = join(chartDir, 'Chart.yaml');
  const shown = deps.repo.display(file);
  const text = await readFile(file, 'utf8');
  const current = String(readScalar(text, shown, ['version']).value ?? '');
  if (!semver.valid(current)) {
    throw new ChartctlError(`${shown}: version "${current}" is not a semantic version.`, { code: 'VERSION_INVALID', hint: 'Fix the version in Chart.yaml (e.g. 1.4.0) first.' });
  }
  const chartName = String(readScalar(text, shown, ['name']).value ?? '');

  // The first environment's repository: what the new version must not go behind, and what a prerelease goes above.
  let checked: BumpResult['checked'] = null;
  let published: string[] = [];
  if (!options.skipRepositoryCheck) {
    const envs = (await deps.repo.loadEnvironments([])).filter((e) => deps.repo.path(e.chart) === chartDir);
    const first = firstEnvironment(envs);
    if (first) {
      const repository = await versionsIn(deps, first, chartName);
      published = repository.versions;
      checked = { env: first.name, repository: repository.url, newest: newestVersion(published) ?? null };
    }
  }
  const next = options.kind === 'prerelease' ? nextPrerelease(current, { id: options.preid ?? 'dev', published }) : semver.inc(current, options.kind)!;
  if (checked?.newest && compareVersions(next, checked.newest) <= 0) {
    const { newest } = checked;
    throw new ChartctlError(`Bumping ${chartName} ${current} → ${next} would go backwards: the ${checked.env} repository (${checked.repository}) already holds ${newest}.`, {
      code: 'VERSION_BACKWARDS',
      hint: `Set Chart.yaml's version above ${newest} (e.g. chartctl bump ${semver.prerelease(newest) ? 'patch' : 'minor'}), or publish from the branch that holds it.`,
    });
  }
  const edited = setScalar(text, shown, ['version'], next);
  await writeFile(`${file}.chartctl-tmp`, edited.text);
  await rename(`${file}.chartctl-tmp`, file);
  return { chart: chartName, file: shown, from: current, to: next, checked };
}
