import { readFile } from 'node:fs/promises';
import { ChartctlError } from '../core/errors.js';

/**
 * Turns a sops-encrypted values file into its cleartext tree. The value lives
 * only in memory; callers register it with the SecretMasker.
 */
export interface SecretsReader {
  decryptFile(path: string, displayPath: string): Promise<Record<string, unknown>>;
}

/** Placeholder until native sops support lands: refuses with a clear error naming the file. */
export class UnsupportedSecretsReader implements SecretsReader {
  async decryptFile(path: string, displayPath: string): Promise<Record<string, unknown>> {
    await readFile(path);
    throw new ChartctlError(`${displayPath}: cannot decrypt this secrets file: sops decryption is not available in this build.`, {
      code: 'SECRETS_UNSUPPORTED',
      hint: 'Remove it from the environment\'s "secrets" list for now.',
    });
  }
}
