import { createHmac, hkdfSync } from 'node:crypto';
import * as noble from '@noble/hashes/hkdf.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

/**
 * What age-encryption imports from @noble/hashes' hkdf.js and hmac.js, with SHA-256 computed by
 * node:crypto: the CLI bundle hands age these instead (scripts/native-age-hashes.mjs). noble's
 * JavaScript HMAC and HKDF run cold in every command that decrypts, ~5 ms of template's start;
 * OpenSSL's give the same bytes (RFC 2104, RFC 5869). Any other hash goes to noble, as before.
 */
type Hash = Parameters<typeof noble.hkdf>[0];
const EMPTY = new Uint8Array(0);
const SHA256_BYTES = 32;

const copy = (data: ArrayBuffer | Uint8Array) => new Uint8Array(data instanceof ArrayBuffer ? data : data.slice());
const hmacSha256 = (key: Uint8Array, ...parts: Uint8Array[]) => {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return copy(mac.digest());
};

export function hkdf(hash: Hash, ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array | undefined, length: number): Uint8Array {
  if (hash !== sha256) return noble.hkdf(hash, ikm, salt, info, length);
  return copy(hkdfSync('sha256', ikm, salt ?? EMPTY, info ?? EMPTY, length));
}

/** HKDF-Extract: HMAC keyed by the salt (none: the empty key, which HMAC pads as it pads zeros). */
export function extract(hash: Hash, ikm: Uint8Array, salt?: Uint8Array): Uint8Array {
  if (hash !== sha256) return noble.extract(hash, ikm, salt);
  return hmacSha256(salt ?? EMPTY, ikm);
}

/** HKDF-Expand (RFC 5869 section 2.3). */
export function expand(hash: Hash, prk: Uint8Array, info?: Uint8Array, length = SHA256_BYTES): Uint8Array {
  if (hash !== sha256) return noble.expand(hash, prk, info, length);
  if (!Number.isSafeInteger(length) || length < 0 || length > 255 * SHA256_BYTES) throw new Error(`HKDF-Expand length must be at most ${255 * SHA256_BYTES} bytes`);
  const out = new Uint8Array(length);
  let block = EMPTY;
  for (let i = 1, at = 0; at < length; i++, at += SHA256_BYTES) {
    block = hmacSha256(prk, block, info ?? EMPTY, Uint8Array.of(i));
    out.set(block.subarray(0, length - at), at);
  }
  return out;
}

export const hmac = Object.assign(
  (hash: Hash, key: Uint8Array, message: Uint8Array): Uint8Array => (hash === sha256 ? hmacSha256(key, message) : nobleHmac(hash, key, message)),
  { create: nobleHmac.create },
);
