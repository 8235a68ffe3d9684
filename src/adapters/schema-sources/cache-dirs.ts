import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ChartctlError } from '../../core/errors.js';

/** chartctl's cache root: `$XDG_CACHE_HOME/chartctl` or `~/.cache/chartctl`. */
export function chartctlCacheRoot(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'chartctl');
}

/**
 * Where fetched schemas are cached: `--cache DIR` (which must exist, as with
 * kubeconform, so a typo does not silently cache elsewhere) or the XDG cache.
 */
export function schemaCacheDir(env: NodeJS.ProcessEnv, cwd: string, flag?: string): string {
  if (flag === undefined) return join(chartctlCacheRoot(env), 'schemas');
  const dir = resolve(cwd, flag);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ChartctlError(`--cache ${flag}: no such directory (${dir}).`, {
      code: 'BAD_CACHE_DIR',
      hint: 'Create the directory first, or leave --cache out to use the default cache under $XDG_CACHE_HOME/chartctl/schemas.',
    });
  }
  return dir;
}

/** Compiled validators live in chartctl's own cache only: they are code, and a shared --cache directory is not trusted to run code from. */
export function validatorCacheDir(env: NodeJS.ProcessEnv): string {
  return join(chartctlCacheRoot(env), 'validators');
}
