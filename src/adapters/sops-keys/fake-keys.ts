import { sopsTimestamp } from '../../core/sops/metadata.js';
import type { MasterKey, MasterKeySpec } from '../../core/sops/types.js';
import { KeySourceError, type DataKeyService } from './key-service.js';

/**
 * For unit tests: "wraps" a data key by tagging it (no cryptography), so
 * tests of the sops flows need neither key files nor gpg nor AWS. Recipients
 * listed in `denied` refuse, like a key you do not hold.
 */
export class FakeDataKeyService implements DataKeyService {
  readonly denied = new Set<string>();
  /** What heldAgeRecipients answers. */
  readonly heldAge = new Set<string>();
  unwrapCalls = 0;
  wrapCalls = 0;

  async unwrap(key: MasterKey): Promise<Uint8Array> {
    this.unwrapCalls++;
    if (key.type === 'unsupported') throw new KeySourceError(`${key.field} keys are not supported`);
    const id = idOf(key);
    if (this.denied.has(id)) throw new KeySourceError(`fake key service: access denied for ${id}`);
    if (!key.enc.startsWith(`FAKE:${id}:`)) throw new KeySourceError('fake key service: not wrapped for this key');
    return new Uint8Array(Buffer.from(key.enc.slice(`FAKE:${id}:`.length), 'base64'));
  }

  async heldAgeRecipients(): Promise<ReadonlySet<string>> {
    return this.heldAge;
  }

  async wrap(spec: MasterKeySpec, dataKey: Uint8Array, now: Date): Promise<MasterKey> {
    this.wrapCalls++;
    const id = idOf(spec);
    if (this.denied.has(id)) throw new KeySourceError(`fake key service: access denied for ${id}`);
    const enc = `FAKE:${id}:${Buffer.from(dataKey).toString('base64')}`;
    switch (spec.type) {
      case 'age':
        return { type: 'age', recipient: spec.recipient, enc };
      case 'pgp':
        return { type: 'pgp', fingerprint: spec.fingerprint, createdAt: sopsTimestamp(now), enc };
      case 'kms':
        return { type: 'kms', arn: spec.arn, role: spec.role, context: spec.context, createdAt: sopsTimestamp(now), enc, awsProfile: spec.awsProfile ?? '' };
    }
  }
}

function idOf(key: MasterKey | MasterKeySpec): string {
  switch (key.type) {
    case 'age':
      return key.recipient;
    case 'pgp':
      return key.fingerprint;
    case 'kms':
      return key.arn;
    case 'unsupported':
      return key.field;
  }
}
