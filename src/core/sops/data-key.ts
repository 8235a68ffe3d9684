import { randomBytes } from 'node:crypto';
import { ChartctlError } from '../errors.js';
import { combineShares, splitSecret } from './shamir.js';
import type { MasterKey, MasterKeySpec, SopsMetadata } from './types.js';

export const DATA_KEY_BYTES = 32;

/** Recovers the data key (or Shamir part) one master key holds; throws with a printable reason. */
export type UnwrapKey = (key: MasterKey) => Promise<Uint8Array>;
/** Wraps a data key (or Shamir part) for one recipient. */
export type WrapKey = (spec: MasterKeySpec, dataKey: Uint8Array) => Promise<MasterKey>;

export function describeMasterKey(key: MasterKey | MasterKeySpec): string {
  switch (key.type) {
    case 'age':
      return `age ${key.recipient}`;
    case 'pgp':
      return `pgp ${key.fingerprint}`;
    case 'kms':
      return `kms ${key.arn}${key.role ? ` (role ${key.role})` : ''}`;
    case 'unsupported':
      return `${key.field} (not supported by chartctl)`;
  }
}

/**
 * The age recipients whose identities are at hand. A group's age keys for them are tried first: an age
 * stanza does not name its recipient, so each other key costs an X25519 and a failed decryption to rule out.
 */
export type HeldAgeRecipients = () => Promise<ReadonlySet<string>>;

/** sops tries age first, then PGP, then the cloud key services, so local keys avoid network calls. */
const DECRYPTION_ORDER: Record<MasterKey['type'], number> = { age: 0, pgp: 1, kms: 2, unsupported: 3 };

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Gets the data key from the file's key groups: any one key of a group opens
 * that group's part; with several groups, `shamir_threshold` parts are combined.
 */
export async function recoverDataKey(meta: SopsMetadata, unwrap: UnwrapKey, file: string, heldAgeRecipients?: HeldAgeRecipients): Promise<Uint8Array> {
  const groups = meta.keyGroups;
  // Only a group with several age keys has an order to choose; every key is still tried, as sops does.
  const held = heldAgeRecipients && groups.some((g) => g.filter((k) => k.type === 'age').length > 1) ? await heldAgeRecipients() : undefined;
  const rank = (key: MasterKey) => 2 * DECRYPTION_ORDER[key.type] + (key.type === 'age' && held && !held.has(key.recipient) ? 1 : 0);
  const needed = groups.length === 1 ? 1 : (meta.shamirThreshold ?? groups.length);
  const parts: Uint8Array[] = [];
  const failures: string[] = [];
  for (const [index, group] of groups.entries()) {
    if (parts.length >= needed) break;
    const ordered = [...group].sort((a, b) => rank(a) - rank(b));
    let part: Uint8Array | undefined;
    const tried: string[] = [];
    for (const key of ordered) {
      if (key.type === 'unsupported') {
        tried.push(`${describeMasterKey(key)}`);
        continue;
      }
      try {
        part = await unwrap(key);
        break;
      } catch (err) {
        tried.push(`${describeMasterKey(key)}: ${reasonOf(err)}`);
      }
    }
    if (part) parts.push(part);
    else failures.push(`${groups.length > 1 ? `key group ${index + 1}: ` : ''}${tried.join('; ') || 'no keys'}`);
  }
  if (parts.length < needed) {
    const types = new Set(groups.flat().map((k) => k.type));
    const hints: string[] = [];
    if (types.has('age')) hints.push('for age, put the matching identity (AGE-SECRET-KEY-1...) in SOPS_AGE_KEY_FILE, SOPS_AGE_KEY or $XDG_CONFIG_HOME/sops/age/keys.txt');
    if (types.has('kms')) hints.push('for AWS KMS, use credentials allowed to kms:Decrypt with that key (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...)');
    if (types.has('pgp')) hints.push('for PGP, import the private key into gpg (GNUPGHOME)');
    const quorum = groups.length > 1 ? ` (the data key is split over ${groups.length} key groups, ${needed} of which are needed; ${parts.length} could be opened)` : '';
    throw new ChartctlError(`${file}: cannot decrypt the data key${quorum}: ${failures.join(' | ')}.`, {
      code: 'SOPS_NO_DATA_KEY',
      hint: `You need the private key of ${groups.length > 1 ? `a recipient in each of ${needed} key groups` : "one of the file's recipients"}: ${hints.join('; ') || 'chartctl supports age, AWS KMS and PGP keys'}.`,
    });
  }
  let dataKey: Uint8Array;
  if (groups.length === 1) {
    dataKey = parts[0]!;
  } else {
    try {
      dataKey = combineShares(parts);
    } catch (err) {
      throw new ChartctlError(`${file}: cannot combine the key groups' parts of the data key: ${reasonOf(err)}.`, {
        code: 'SOPS_NO_DATA_KEY',
        hint: 'The sops: block is damaged; restore the file from version control.',
      });
    }
  }
  if (dataKey.length !== DATA_KEY_BYTES) {
    throw new ChartctlError(`${file}: the decrypted data key has ${dataKey.length} bytes, not ${DATA_KEY_BYTES}.`, {
      code: 'SOPS_NO_DATA_KEY',
      hint: 'The master key returned something that is not a sops data key; the file is damaged or was not written by sops.',
    });
  }
  return dataKey;
}

export function newDataKey(): Uint8Array {
  return new Uint8Array(randomBytes(DATA_KEY_BYTES));
}

/**
 * Wraps a data key for every recipient: with one group each key gets the whole
 * data key, with several the key is split (Shamir) and each group gets a part.
 */
export async function wrapDataKey(
  groups: MasterKeySpec[][],
  threshold: number | undefined,
  dataKey: Uint8Array,
  wrap: WrapKey,
  file: string,
): Promise<{ keyGroups: MasterKey[][]; shamirThreshold?: number }> {
  if (groups.length === 0 || groups.some((g) => g.length === 0)) {
    throw new ChartctlError(`${file}: no recipients to encrypt the data key for.`, {
      code: 'SOPS_NO_RECIPIENTS',
      hint: 'List age, pgp or kms recipients in the matching creation rule of .sops.yaml.',
    });
  }
  const shamirThreshold = groups.length > 1 ? (threshold ?? groups.length) : undefined;
  if (shamirThreshold !== undefined && (shamirThreshold < 2 || shamirThreshold > groups.length)) {
    // sops' Split refuses the same ("parts cannot be less than threshold", "threshold must be at least 2").
    throw new ChartctlError(`${file}: shamir_threshold ${shamirThreshold} cannot split the data key over ${groups.length} key groups (it must be from 2 to ${groups.length}).`, {
      code: 'SOPS_BAD_THRESHOLD',
      hint: 'Fix shamir_threshold (or the key_groups) in the creation rule of .sops.yaml.',
    });
  }
  const parts = groups.length > 1 ? splitSecret(dataKey, groups.length, shamirThreshold!) : [dataKey];
  const failures: string[] = [];
  const keyGroups: MasterKey[][] = [];
  for (const [i, group] of groups.entries()) {
    const wrapped: MasterKey[] = [];
    for (const spec of group) {
      try {
        wrapped.push(await wrap(spec, parts[i]!));
      } catch (err) {
        failures.push(`${describeMasterKey(spec)}: ${reasonOf(err)}`);
      }
    }
    keyGroups.push(wrapped);
  }
  if (failures.length > 0) {
    throw new ChartctlError(`${file}: cannot encrypt the data key: ${failures.join(' | ')}.`, {
      code: 'SOPS_WRAP_FAILED',
      hint: 'Check the recipients in .sops.yaml (age public keys, PGP fingerprints in your keyring, KMS key ARNs you may use for kms:Encrypt).',
    });
  }
  return { keyGroups, shamirThreshold };
}

/** The recipients of an existing file, to re-wrap a new data key for the same people (rotate). */
export function specsOf(meta: SopsMetadata, file: string): MasterKeySpec[][] {
  return meta.keyGroups.map((group) =>
    group.map((key): MasterKeySpec => {
      switch (key.type) {
        case 'age':
          return { type: 'age', recipient: key.recipient };
        case 'pgp':
          return { type: 'pgp', fingerprint: key.fingerprint };
        case 'kms':
          return { type: 'kms', arn: key.arn, role: key.role, context: key.context, awsProfile: key.awsProfile || undefined };
        case 'unsupported':
          throw new ChartctlError(`${file}: cannot re-encrypt the data key for its ${key.field} recipient: chartctl does not support ${key.field}.`, {
            code: 'SOPS_UNSUPPORTED_KEY',
            hint: `Rotate this file with the sops binary, or remove the ${key.field} recipient from it first.`,
          });
      }
    }),
  );
}
