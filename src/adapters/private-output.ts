import { randomBytes } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { lstat, open, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { ChartctlError } from '../core/errors.js';
import { ensureUserDirectory } from './user-files.js';

/**
 * Files written into a directory the user chose are private (0600, the
 * directory 0700 when created) and never written through a link. Output that
 * holds decrypted values must go outside the repository: "outside" is decided on real
 * paths (every symbolic link followed), never on the text of the path, and
 * against both --cwd and the git work tree around it: a file inside either
 * is one `git add .` away from being committed.
 */
export interface PrivateOutputDir {
  /**
   * Writes the files (mode 0600), each through a temp name; refuses before
   * writing any when a destination is a link or not a regular file.
   */
  writeAll(files: { name: string; text: string }[]): Promise<string[]>;
}

export interface PrivateOutputOptions {
  /** Absolute path of the directory, as resolved from --cwd. */
  dir: string;
  /** As the user typed it, for messages. */
  shown: string;
  /** The flag, for messages: "--output-dir". */
  flag: string;
  repositoryRoot: string;
  /** Set when the output holds decrypted values ("decrypted secrets of prod"): then it must not go into the repository. */
  holds?: string;
}

export async function openPrivateOutputDir(options: PrivateOutputOptions): Promise<PrivateOutputDir> {
  const repositories = options.holds === undefined ? [] : await repositoryRoots(options.repositoryRoot);
  await refuseInside(await realPathOfMaybeMissing(options.dir, options), repositories, options);
  await ensureUserDirectory(options.dir, { shown: options.shown, what: options.flag, hint: `Point ${options.flag} at a directory you can write to${options.holds ? ", outside the repository" : ""}.`, mode: 0o700 });
  // Checked again on the directory as created: a link swapped in meanwhile must not win.
  const path = await realpath(options.dir);
  await refuseInside(path, repositories, options);
  return {
    async writeAll(files) {
      for (const { name } of files) await refuseNonRegular(path, name, options);
      const written: string[] = [];
      for (const { name, text } of files) written.push(await writePrivateFile(path, name, text, options));
      return written;
    },
  };
}

async function refuseNonRegular(dir: string, name: string, options: PrivateOutputOptions): Promise<void> {
  const existing = await lstat(join(dir, name)).catch(() => undefined);
  if (existing && !existing.isFile()) {
    throw new ChartctlError(`${options.flag} ${options.shown}: ${name} exists and is ${existing.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; refusing to write through it.`, {
      code: 'OUTPUT_NOT_REGULAR',
      hint: `Remove ${join(dir, name)}, or choose an empty ${options.flag}.`,
    });
  }
}

async function writePrivateFile(dir: string, name: string, text: string, options: PrivateOutputOptions): Promise<string> {
  const path = join(dir, name);
  const temp = join(dir, `.${name}.${randomBytes(4).toString('hex')}.partial`);
  try {
    // O_EXCL | O_NOFOLLOW: never open a file or link someone else put there; rename then replaces the name, not a link's target.
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    if (err instanceof ChartctlError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new ChartctlError(`${options.flag} ${options.shown}: cannot write ${name} (${e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : (e.code ?? e.message)}).`, {
      code: 'OUTPUT_WRITE_FAILED',
      hint: `Check the permissions of ${dir}.`,
    });
  }
  return path;
}

/** --cwd, and the git work tree holding it (the nearest directory above with a .git entry), as real paths. */
async function repositoryRoots(root: string): Promise<string[]> {
  const real = await realpath(root);
  for (let dir = real; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir === real ? [real] : [real, dir];
    if (dirname(dir) === dir) return [real];
  }
}

/** The real path a directory has or will have: the real path of its nearest existing ancestor plus the missing rest. */
async function realPathOfMaybeMissing(path: string, options: PrivateOutputOptions): Promise<string> {
  const missing: string[] = [];
  for (let at = path; ; at = dirname(at)) {
    try {
      return join(await realpath(at), ...missing.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A link whose target is missing would be created through on mkdir: its target decides, and we cannot know it.
      const dangling = code === 'ENOENT' && (await lstat(at).catch(() => undefined))?.isSymbolicLink();
      if (code === 'ENOTDIR') {
        throw new ChartctlError(`${options.flag} ${options.shown}: a part of the path is a file, not a directory.`, {
          code: 'FILE_NOT_DIRECTORY',
          hint: `Point ${options.flag} at a directory outside the repository.`,
        });
      }
      if (code !== 'ENOENT' || dangling || dirname(at) === at) {
        throw new ChartctlError(`${options.flag} ${options.shown}: cannot resolve ${at} (${dangling ? 'a symbolic link to a missing target' : (code ?? (err as Error).message)}).`, {
          code: 'OUTPUT_UNRESOLVABLE',
          hint: `Point ${options.flag} at an existing directory, or one whose parent exists, outside the repository.`,
        });
      }
      missing.push(basename(at));
    }
  }
}

async function refuseInside(real: string, repositories: string[], options: PrivateOutputOptions): Promise<void> {
  const inside = repositories.find((root) => isWithin(real, root));
  if (inside === undefined) return;
  const via = real === options.dir ? '' : ` (it resolves to ${real})`;
  throw new ChartctlError(`Refusing to write ${options.holds} into the repository: ${options.flag} ${options.shown} is inside ${inside}${via}.`, {
    code: 'SECRETS_IN_REPO',
    hint: `Choose an ${options.flag} outside the repository (e.g. under $TMPDIR), or drop --show-secrets.`,
  });
}

/** Whether child is root or below it, by path segments (so "..x" is inside and "root-x" is not). */
function isWithin(child: string, root: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}
