import { chmod, rename, stat, writeFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ChartctlError } from '../../core/errors.js';
import { detectFormat } from '../../core/sops/open-document.js';
import type { FileFormat } from '../../core/sops/types.js';
import { readSecretsBytes } from '../../adapters/secrets-reader.js';
import type { Deps } from '../deps.js';

export interface SopsFileRef {
  /** Absolute path. */
  path: string;
  /** As shown to the user (repository-relative when inside it). */
  shown: string;
}

/** Resolves a FILE argument the way every command does: relative to where chartctl runs (or --cwd). */
export function sopsFileRef(deps: Deps, file: string): SopsFileRef {
  const path = deps.repo.userPath(file);
  return { path, shown: deps.repo.display(path) };
}

export async function readSopsFile(ref: SopsFileRef, format?: FileFormat): Promise<{ text: string; bytes: Buffer; format: FileFormat }> {
  const bytes = await readSecretsBytes(ref.path, ref.shown);
  const text = bytes.toString('utf8');
  return { text, bytes, format: format ?? detectFormat(ref.path, text) };
}

/**
 * Replaces a file by writing a sibling temp file and renaming it over, so an
 * interrupted write never leaves a half-encrypted file. Only ever used for
 * encrypted content: cleartext never goes through here.
 */
export async function replaceFile(ref: SopsFileRef, text: string): Promise<void> {
  const temp = join(dirname(ref.path), `.${basename(ref.path)}.${randomBytes(4).toString('hex')}.tmp`);
  let mode: number | undefined;
  try {
    mode = (await stat(ref.path)).mode & 0o777;
  } catch {
    mode = undefined;
  }
  try {
    await writeFile(temp, text, { mode: mode ?? 0o644, flag: 'wx' });
    if (mode !== undefined) await chmod(temp, mode);
    await rename(temp, ref.path);
  } catch (err) {
    await rm(temp, { force: true });
    throw new ChartctlError(`${ref.shown}: cannot write the file: ${(err as Error).message}.`, {
      code: 'SECRETS_WRITE_FAILED',
      hint: 'Check the permissions of the file and its directory.',
    });
  }
}
