import { UnsupportedSecretsReader, type SecretsReader } from './secrets-reader.js';

/** Chooses the secrets implementation for this process (native sops once available). */
export function createSecretsReader(_env: NodeJS.ProcessEnv): SecretsReader {
  return new UnsupportedSecretsReader();
}
