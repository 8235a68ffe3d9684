import { readFile } from 'node:fs/promises';
import { ChartctlError } from '../core/errors.js';
import type { DataKeyService } from './sops-keys/key-service.js';

/**
 * Turns a sops-encrypted values file into its cleartext tree. The value lives
 * only in memory; callers register it with the SecretMasker.
 */
export interface SecretsReader {
  decryptFile(path: string, displayPath: string): Promise<Record<string, unknown>>;
  /** Unwraps and wraps sops data keys (age, AWS KMS, PGP), for `chartctl secrets`. */
  readonly keys: DataKeyService;
}

/** Native sops: reads the file, recovers the data key with a master key, decrypts and checks the MAC, in memory. */
export class SopsSecretsReader implements SecretsReader {
  constructor(readonly keys: DataKeyService) {}

  async decryptFile(path: string, displayPath: string): Promise<Record<string, unknown>> {
    // The sops format (and the YAML parser behind it) is loaded only when an environment has secrets.
    const [{ detectFormat, openSopsText }, { treeToValues }] = await Promise.all([import('../core/sops/sops-file.js'), import('../core/sops/to-values.js')]);
    const text = await readSecretsFile(path, displayPath);
    const format = detectFormat(path, text);
    if (format === 'binary') {
      throw new ChartctlError(`${displayPath}: a sops binary file cannot be used as helm values.`, {
        code: 'SECRETS_NOT_VALUES',
        hint: 'List only YAML (or JSON) secrets files under "secrets" in the environment file.',
      });
    }
    const opened = await openSopsText(text, { file: displayPath, format, valuesOnly: true }, (key) => this.keys.unwrap(key));
    return treeToValues(opened.branches, displayPath);
  }
}

export async function readSecretsFile(path: string, displayPath: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ChartctlError(`${displayPath}: cannot read the secrets file (${code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : (code ?? 'error')}).`, {
      code: code === 'ENOENT' ? 'SECRETS_FILE_MISSING' : 'SECRETS_FILE_UNREADABLE',
      hint: 'Check the path (relative paths are resolved from the repository root) and the file permissions.',
    });
  }
}

