import type { MasterKey, MasterKeySpec } from '../../core/sops/types.js';

/**
 * Unwraps and wraps sops data keys with master keys (age identities, AWS KMS,
 * gpg). Every error it throws is a KeySourceError whose message is safe to
 * print: it never contains key material or decrypted data.
 */
export interface DataKeyService {
  /** Recovers the data key (or Shamir part) that `key.enc` holds. */
  unwrap(key: MasterKey): Promise<Uint8Array>;
  /** Wraps `dataKey` for one recipient, returning the metadata entry to store. */
  wrap(spec: MasterKeySpec, dataKey: Uint8Array, now: Date): Promise<MasterKey>;
  /** The age recipients of the identities at hand (none when there are none: unwrap says why). */
  heldAgeRecipients(): Promise<ReadonlySet<string>>;
}

/** Why one master key could not be used; the message is printable. */
export class KeySourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeySourceError';
  }
}

/** One kind of master key (age, kms, pgp). */
export interface KeySource<K extends MasterKey, S extends MasterKeySpec> {
  unwrap(key: K): Promise<Uint8Array>;
  wrap(spec: S, dataKey: Uint8Array, now: Date): Promise<K>;
}

type Of<T extends { type: string }, N extends string> = Extract<T, { type: N }>;

/** Routes each master key to the source for its type. */
export class KeySourceRouter implements DataKeyService {
  constructor(
    private readonly sources: {
      age: KeySource<Of<MasterKey, 'age'>, Of<MasterKeySpec, 'age'>> & Pick<DataKeyService, 'heldAgeRecipients'>;
      kms: KeySource<Of<MasterKey, 'kms'>, Of<MasterKeySpec, 'kms'>>;
      pgp: KeySource<Of<MasterKey, 'pgp'>, Of<MasterKeySpec, 'pgp'>>;
    },
  ) {}

  /**
   * Data keys already recovered in this process, by the whole master key entry: lint and diff --all
   * open the same secrets files for many environments, and each unwrap is an age decryption, a KMS
   * call or a gpg run (#20). Kept in memory only; each caller gets its own copy.
   */
  private readonly unwrapped = new Map<string, Promise<Uint8Array>>();

  unwrap(key: MasterKey): Promise<Uint8Array> {
    const id = JSON.stringify(key);
    let pending = this.unwrapped.get(id);
    if (!pending) {
      pending = this.unwrapWithSource(key);
      this.unwrapped.set(id, pending);
      // A failure is not remembered: the next file may come after the key became available.
      pending.catch(() => this.unwrapped.delete(id));
    }
    return pending.then((dataKey) => dataKey.slice());
  }

  private unwrapWithSource(key: MasterKey): Promise<Uint8Array> {
    switch (key.type) {
      case 'age':
        return this.sources.age.unwrap(key);
      case 'kms':
        return this.sources.kms.unwrap(key);
      case 'pgp':
        return this.sources.pgp.unwrap(key);
      case 'unsupported':
        return Promise.reject(new KeySourceError(`${key.field} keys are not supported by chartctl`));
    }
  }

  heldAgeRecipients(): Promise<ReadonlySet<string>> {
    return this.sources.age.heldAgeRecipients();
  }

  wrap(spec: MasterKeySpec, dataKey: Uint8Array, now: Date): Promise<MasterKey> {
    switch (spec.type) {
      case 'age':
        return this.sources.age.wrap(spec, dataKey, now);
      case 'kms':
        return this.sources.kms.wrap(spec, dataKey, now);
      case 'pgp':
        return this.sources.pgp.wrap(spec, dataKey, now);
    }
  }
}
