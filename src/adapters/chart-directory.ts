import { existsSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { ChartctlError } from '../core/errors.js';
import { isIgnored, parseHelmIgnore, type HelmIgnoreRule } from '../core/helmignore.js';
import { parseChartMetadata } from '../core/chart-metadata.js';
import type { JsonValue } from '../core/go-yaml-style.js';
import type { TarFile } from '../core/tar-archive.js';
import { formatBytes, HELM_ARCHIVE_LIMITS } from '../core/archive-limits.js';

/** A chart directory's Chart.yaml, typed as helm reads it; a missing or unparseable file is CHART_NOT_FOUND / CHART_INVALID. */
export async function readChartMetadata(dir: string, display: (path: string) => string = (p) => p): Promise<Record<string, JsonValue>> {
  const file = join(dir, 'Chart.yaml');
  let text: string;
  try {
    // Synchronous, as readChartDirectory below.
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ChartctlError(`${display(file)}: ${e.code === 'ENOENT' ? 'no such file' : e.message}.`, { code: 'CHART_NOT_FOUND', hint: 'Point the environment\'s "chart:" (or --chart) at a chart directory.' });
  }
  return parseChartMetadata(text, display(file));
}

/**
 * The files of a chart directory as helm's loader.LoadDir reads them:
 * `.helmignore` applied (directories pruned), symlinks followed, irregular
 * files refused, and files over `maxFileBytes` refused as helm refuses them
 * (its MaxDecompressedFileSize). Paths are chart-relative with `/`.
 * Timestamps and modes are not read at all: they never reach the archive.
 * Synchronous on purpose: a chart is a few dozen small files, and one
 * thread-pool round trip per stat and per read (open, stat, read, close) cost
 * package more than the reads themselves.
 */
export function readChartDirectory(dir: string, display: (path: string) => string = (p) => p, maxFileBytes = HELM_ARCHIVE_LIMITS.maxFileBytes): TarFile[] {
  const ignoreFile = join(dir, '.helmignore');
  const rules: HelmIgnoreRule[] = existsSync(ignoreFile) ? parseHelmIgnore(readFileSync(ignoreFile, 'utf8'), display(ignoreFile)) : parseHelmIgnore('');
  const files: TarFile[] = [];
  walk(dir, '', { rules, out: files, display, maxFileBytes });
  return files;
}

interface Walk {
  rules: HelmIgnoreRule[];
  out: TarFile[];
  display: (p: string) => string;
  maxFileBytes: number;
}

function walk(root: string, relative: string, w: Walk): void {
  const { rules, out, display, maxFileBytes } = w;
  const dir = relative ? join(root, relative) : root;
  const names = readdirSync(dir).sort();
  for (const name of names) {
    const rel = relative ? `${relative}/${name}` : name;
    const full = join(root, rel);
    const info = statOrUndefined(full);
    if (!info) continue; // dangling symlink: helm's walk skips it too
    if (info.isDirectory()) {
      if (!isIgnored(rules, rel, true)) walk(root, rel, w);
      continue;
    }
    if (isIgnored(rules, rel, false)) continue;
    if (!info.isFile()) {
      throw new ChartctlError(`${display(full)}: cannot package an irregular file (socket, device or pipe).`, {
        code: 'CHART_INVALID',
        hint: 'Remove it from the chart directory or list it in .helmignore.',
      });
    }
    if (info.size > maxFileBytes) {
      throw new ChartctlError(`${display(full)} is ${info.size} bytes; chart files over ${formatBytes(maxFileBytes)} are refused (helm's limit is 5 MiB).`, {
        code: 'CHART_INVALID',
        hint: 'Keep large data out of the chart, or list the file in .helmignore.',
      });
    }
    out.push({ path: rel, data: readFileSync(full) });
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
