import { SopsSecretsReader, type SecretsReader } from './secrets-reader.js';
import { AgeKeySource } from './sops-keys/age-keys.js';
import { KeySourceRouter } from './sops-keys/key-service.js';
import { KmsKeySource } from './sops-keys/kms-keys.js';
import { PgpKeySource } from './sops-keys/pgp-keys.js';

/**
 * Native sops for this process: age identities from SOPS_AGE_KEY /
 * SOPS_AGE_KEY_FILE / the default key file, AWS KMS through the AWS SDK, PGP
 * through gpg. Keys are loaded lazily, on the first file that needs them.
 */
export function createSecretsReader(env: NodeJS.ProcessEnv, signal?: AbortSignal): SecretsReader {
  return new SopsSecretsReader(
    new KeySourceRouter({
      age: new AgeKeySource(env),
      kms: new KmsKeySource(env),
      pgp: new PgpKeySource(env, signal),
    }),
  );
}
