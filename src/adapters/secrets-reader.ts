import { ChartctlError } from '../core/errors.js';
import type { DataKeyService } from './sops-keys/key-service.js';
import { MAX_CONFIG_FILE_BYTES, readUserFile } from './user-files.js';

/**
 * Turns a sops-encrypted values file into its cleartext tree. The value lives
 * only in memory; callers register it with the SecretMasker.
 */
export interface SecretsReader {
  /** origin says where the path came from, for messages (e.g. '(listed under "secrets" in environments/dev.yaml)'). */
  decryptFile(path: string, displayPath: string, origin?: string): Promise<Record<string, unknown>>;
  /** Unwraps and wraps sops data keys (age, AWS KMS, PGP), for `chartctl secrets`. */
  readonly keys: DataKeyService;
}

/** Native sops: reads the file, recovers the data key with a master key, decrypts and checks the MAC, in memory. */
export class SopsSecretsReader implements SecretsReader {
  constructor(readonly keys: DataKeyService) {}

  async decryptFile(path: string, displayPath: string, origin?: string): Promise<Record<string, unknown>> {
    // Loaded only when an environment has secrets; the stores' full parsers (and the YAML package) only for a file the fast reader declines.
    const [{ detectFormat, openSopsDocument }, { scanEncryptedYaml }, { treeToValues }] = await Promise.all([
      import('../core/sops/open-document.js'),
      import('../core/sops/yaml-fast-scan.js'),
      import('../core/sops/to-values.js'),
    ]);
    const text = await readSecretsFile(path, displayPath, origin);
    const format = detectFormat(path, text);
    if (format === 'binary' || format === 'dotenv' || format === 'ini') {
      throw new ChartctlError(`${displayPath}: a sops ${format} file cannot be used as helm values.`, {
        code: 'SECRETS_NOT_VALUES',
        hint: 'List only YAML (or JSON) secrets files under "secrets" in the environment file.',
      });
    }
    // Only the values are needed: the fast reader (sops' own layout, comments dropped) serves most files.
    const doc = (format === 'yaml' ? scanEncryptedYaml(text, displayPath) : undefined) ?? (await import('../core/sops/sops-file.js')).parseSopsText(text, format, displayPath);
    const opened = await openSopsDocument(doc, { file: displayPath }, (key) => this.keys.unwrap(key), () => this.keys.heldAgeRecipients());
    return treeToValues(opened.branches, displayPath);
  }
}

export async function readSecretsFile(path: string, displayPath: string, origin?: string): Promise<string> {
  return (await readSecretsBytes(path, displayPath, origin)).toString('utf8');
}

/** The file's bytes as they are (a plaintext file for sops' binary store need not be UTF-8). */
export async function readSecretsBytes(path: string, displayPath: string, origin?: string): Promise<Buffer> {
  return readUserFile(path, {
    shown: displayPath,
    what: 'secrets file',
    maxBytes: MAX_CONFIG_FILE_BYTES,
    origin,
    hint: origin ? 'Fix the path, or create the file with chartctl secrets edit FILE.' : 'Check the path (relative paths are resolved from --cwd).',
    notFoundCode: 'SECRETS_FILE_MISSING',
  });
}
