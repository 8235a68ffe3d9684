import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { projectRoot } from './project.js';

export interface PackedTarball {
  file: string;
  /** Paths inside the tarball, relative to its package/ folder. */
  files: string[];
}

/** `npm pack` in the checkout, as a maintainer would (prepack writes the publish manifest). */
export async function packChartctl(destination: string): Promise<PackedTarball> {
  mkdirSync(destination, { recursive: true });
  const r = await execa('npm', ['pack', '--json', '--pack-destination', destination], { cwd: projectRoot, reject: false, timeout: 120_000 });
  if (r.exitCode !== 0) throw new Error(`npm pack failed:\n${r.stderr}\n${r.stdout}`);
  const [packed] = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { file: join(destination, packed!.filename), files: packed!.files.map((f) => f.path) };
}

/**
 * `npm install -g --prefix PREFIX --offline TARBALL` with an empty npm cache of its own: the
 * install must need nothing from a registry. Returns the wall time, for reports only.
 */
export async function installOffline(tarball: string, prefix: string, cache: string): Promise<{ seconds: number; output: string }> {
  const started = performance.now();
  const r = await execa('npm', ['install', '-g', '--prefix', prefix, '--offline', '--cache', cache, '--no-audit', '--no-fund', tarball], { reject: false, timeout: 120_000 });
  const seconds = (performance.now() - started) / 1000;
  if (r.exitCode !== 0) throw new Error(`npm install of ${tarball} failed:\n${r.stderr}\n${r.stdout}`);
  return { seconds, output: `${r.stdout}\n${r.stderr}` };
}
