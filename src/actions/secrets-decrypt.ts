import { ChartctlError } from '../core/errors.js';
import { emitPlainBytes, openSopsText } from '../core/sops/sops-file.js';
import { treeToValues } from '../core/sops/to-values.js';
import type { FileFormat } from '../core/sops/types.js';
import type { Deps } from './deps.js';
import { readSopsFile, sopsFileRef } from './steps/sops-file-io.js';

export interface SecretsDecryptOptions {
  file: string;
  /** Overrides the store chosen from the extension. */
  format?: FileFormat;
  /** stdout is a terminal: cleartext would end up on screen and in scrollback. */
  toTerminal: boolean;
  force?: boolean;
  /** Recovery: decrypt despite a MAC mismatch (sops' --ignore-mac), with a warning. */
  ignoreMac?: boolean;
}

export interface SecretsDecryptResult {
  file: string;
  format: FileFormat;
  /** The cleartext file exactly as `sops -d` prints it (comments decrypted too; a binary file's own bytes). */
  content: Buffer;
  /** The decrypted values of the first document (for --output json). */
  values: Record<string, unknown>;
}

/** Loud on purpose: the values printed may not be the ones their owner encrypted. */
export function warnIgnoredMac(deps: Deps, mismatch: string): void {
  deps.reporter.warn(`${mismatch} IGNORED because of --ignore-mac: the values may have been altered, added or removed since they were encrypted; check every one before trusting it.`);
}

/** Decrypts a sops file in memory for printing on stdout; the caller decides where stdout goes. */
export async function secretsDecrypt(deps: Deps, options: SecretsDecryptOptions): Promise<SecretsDecryptResult> {
  const ref = sopsFileRef(deps, options.file);
  if (options.toTerminal && !options.force) {
    throw new ChartctlError(`Refusing to print the decrypted ${ref.shown} to a terminal.`, {
      code: 'SECRETS_TTY',
      hint: 'Redirect stdout (e.g. to a pipe or a file outside the repository), use chartctl secrets edit, or pass --force if you really want it on screen.',
    });
  }
  const { text, format } = await readSopsFile(ref, options.format);
  const opened = await openSopsText(text, { file: ref.shown, format, ignoreMac: options.ignoreMac }, (key) => deps.secrets.keys.unwrap(key));
  for (const secret of opened.secrets) deps.masker.add(secret);
  if (opened.macMismatch) warnIgnoredMac(deps, opened.macMismatch);
  return {
    file: ref.shown,
    format,
    content: emitPlainBytes(opened.branches, format),
    values: format === 'binary' ? {} : treeToValues(opened.branches.slice(0, 1), ref.shown),
  };
}
