import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { ScalarType } from './types.js';

/** The type of an ENC[...] blob: a value type, or a comment line. */
export type EncryptedType = ScalarType | 'comment';

const TAG_BYTES = 16;
/** sops writes 32-byte IVs; any non-empty IV is read. */
const NEW_IV_BYTES = 32;
const KNOWN_TYPES = new Set(['str', 'int', 'float', 'bool', 'bytes', 'time', 'comment']);

export interface EncryptedValue {
  data: Buffer;
  iv: Buffer;
  tag: Buffer;
  type: EncryptedType;
}

/** Why an ENC[...] value could not be read or opened; never carries plaintext. */
export type ValueErrorReason = 'not-encrypted' | 'bad-base64' | 'truncated' | 'unknown-type' | 'authentication' | 'bad-value';

export class SopsValueError extends Error {
  constructor(
    readonly reason: ValueErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'SopsValueError';
  }
}

export function looksEncrypted(text: string): boolean {
  return text.startsWith('ENC[AES256_GCM,');
}

const PREFIX = 'ENC[AES256_GCM,data:';

/**
 * Splits an ENC[...] blob. Same acceptance as sops' pattern for anything sops
 * writes (base64 never contains the separators); written with indexOf because
 * this runs once per value on every render.
 */
export function parseEncryptedValue(text: string): EncryptedValue {
  const iv = text.indexOf(',iv:', PREFIX.length);
  const tag = iv < 0 ? -1 : text.indexOf(',tag:', iv + 4);
  const type = tag < 0 ? -1 : text.indexOf(',type:', tag + 5);
  const end = type < 0 ? -1 : text.indexOf(']', type + 6);
  if (!text.startsWith(PREFIX) || end < 0 || iv === PREFIX.length || tag === iv + 4 || type === tag + 5 || end === type + 6) {
    throw new SopsValueError(
      looksEncrypted(text) ? 'truncated' : 'not-encrypted',
      looksEncrypted(text) ? 'the ENC[...] value is truncated or malformed' : 'the value is not in sops ENC[AES256_GCM,...] form',
    );
  }
  const typeName = text.slice(type + 6, end);
  const value = {
    data: decodeBase64(text.slice(PREFIX.length, iv), 'data'),
    iv: decodeBase64(text.slice(iv + 4, tag), 'iv'),
    tag: decodeBase64(text.slice(tag + 5, type), 'tag'),
    type: typeName as EncryptedType,
  };
  if (value.iv.length === 0 || value.tag.length !== TAG_BYTES) {
    throw new SopsValueError('truncated', `the ENC[...] value has a ${value.iv.length}-byte iv and a ${value.tag.length}-byte tag (expected a non-empty iv and a 16-byte tag)`);
  }
  if (!KNOWN_TYPES.has(typeName)) throw new SopsValueError('unknown-type', `the ENC[...] value has an unknown type "${typeName}"`);
  return value;
}

/**
 * Go's base64.StdEncoding: padded, standard alphabet. Node's decoder skips
 * bad characters and also takes the URL alphabet, so the decoded length and
 * the absence of '-' and '_' tell whether every character was valid.
 */
function decodeBase64(part: string, name: string): Buffer {
  const buf = Buffer.from(part, 'base64');
  const padding = part.endsWith('==') ? 2 : part.endsWith('=') ? 1 : 0;
  if (part.length % 4 === 0 && buf.length === (part.length / 4) * 3 - padding && part.indexOf('-') < 0 && part.indexOf('_') < 0) return buf;
  throw new SopsValueError('bad-base64', `the ${name} of the ENC[...] value is not valid base64`);
}

/** Opens one value with the data key; `additionalData` is the tree path joined by ':' plus a trailing ':'. */
export function decryptValue(text: string, dataKey: Uint8Array, additionalData: string): { plain: Buffer; type: EncryptedType; iv: Buffer } {
  const value = parseEncryptedValue(text);
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, value.iv);
    decipher.setAAD(Buffer.from(additionalData, 'utf8'));
    decipher.setAuthTag(value.tag);
    // GCM is a stream mode: final() only checks the tag and returns nothing.
    const plain = decipher.update(value.data);
    decipher.final();
    return { plain, type: value.type, iv: value.iv };
  } catch {
    throw new SopsValueError('authentication', 'authentication failed (wrong data key, a value moved to another key, or a tampered value)');
  }
}

export function encryptValue(plain: string | Uint8Array, type: EncryptedType, dataKey: Uint8Array, additionalData: string, iv: Uint8Array = randomBytes(NEW_IV_BYTES)): string {
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const data = Buffer.concat([cipher.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${Buffer.from(iv).toString('base64')},tag:${tag.toString('base64')},type:${type}]`;
}

/**
 * Remembers the IV each (path, type, plaintext) was decrypted with, so that
 * re-encrypting an unchanged value with the same data key gives the same
 * ciphertext and git diffs stay small (sops' cipher stash does the same).
 * An IV is only ever reused for the very same plaintext and additional data.
 */
export class IvStash {
  private readonly ivs = new Map<string, Buffer>();

  remember(additionalData: string, type: EncryptedType, plain: string | Uint8Array, iv: Buffer): void {
    this.ivs.set(IvStash.key(additionalData, type, plain), iv);
  }

  lookup(additionalData: string, type: EncryptedType, plain: string | Uint8Array): Buffer | undefined {
    return this.ivs.get(IvStash.key(additionalData, type, plain));
  }

  get size(): number {
    return this.ivs.size;
  }

  private static key(additionalData: string, type: string, plain: string | Uint8Array): string {
    // Raw bytes are keyed by their hex, so they never share a key (and an IV) with some other text.
    const value = typeof plain === 'string' ? `s${plain}` : `b${Buffer.from(plain).toString('hex')}`;
    return `${type}\u0000${additionalData}\u0000${value}`;
  }
}
