import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureUserDirectory } from '../adapters/user-files.js';
import type { Deps } from './deps.js';
import { buildPackage, type PackageChartOptions } from './steps/package-chart.js';

export interface PackageOptions extends PackageChartOptions {
  /** Directory for the .tgz (default: the repository root), relative to it. */
  destination?: string;
}

export interface PackageResult {
  chart: string;
  version: string;
  appVersion?: string;
  /** Written file, repository-relative where possible. */
  file: string;
  digest: string;
  size: number;
  source?: { commit: string; dirty: boolean };
}

export async function packageChart(deps: Deps, options: PackageOptions): Promise<PackageResult> {
  const built = await buildPackage(deps, options);
  const dir = options.destination ? deps.repo.userPath(options.destination) : deps.repo.root;
  await ensureUserDirectory(dir, {
    shown: options.destination ?? '.',
    what: '--destination',
    hint: 'Point --destination at a directory you can write to (relative paths are resolved from --cwd).',
  });
  const file = join(dir, built.fileName);
  // Write under a temporary name first: a reader never sees half a tarball. Synchronous: one small file,
  // and package's only asynchronous file calls would start Node's thread pool for it.
  const temp = `${file}.${process.pid}.partial`;
  const removeTemp = deps.cleanup.add(() => rmSync(temp, { force: true }));
  try {
    writeFileSync(temp, built.bytes);
    renameSync(temp, file);
  } finally {
    removeTemp();
  }
  return {
    chart: built.name,
    version: built.version,
    appVersion: built.appVersion,
    file: deps.repo.display(file),
    digest: built.digest,
    size: built.bytes.length,
    source: built.source,
  };
}
