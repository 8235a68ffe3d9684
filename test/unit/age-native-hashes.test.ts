// The CLI bundle gives age-encryption these in place of @noble/hashes' HKDF and HMAC: for SHA-256 they
// must be byte for byte noble's, and any other hash must still be noble's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expand as nobleExpand, extract as nobleExtract, hkdf as nobleHkdf } from '@noble/hashes/hkdf.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { expand, extract, hkdf, hmac } from '../../src/core/sops/age-native-hashes.js';
import { seededRandom } from '../support/seeded-random.js';

const random = seededRandom(20261203);
const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));

test('HKDF, HKDF-Extract, HKDF-Expand and HMAC with SHA-256 give noble\'s bytes, salts and infos absent or of any length', () => {
  for (const ikmLength of [0, 1, 16, 32, 64, 65, 200]) {
    for (const salt of [undefined, bytes(0), bytes(16), bytes(32), bytes(64), bytes(100)]) {
      const ikm = bytes(ikmLength);
      for (const info of [undefined, bytes(0), new TextEncoder().encode('age-encryption.org/v1/X25519'), bytes(300)]) {
        for (const length of [0, 1, 32, 33, 64, 255 * 32]) {
          assert.deepEqual(hkdf(sha256, ikm, salt, info, length), nobleHkdf(sha256, ikm, salt, info, length), `hkdf ${ikmLength}/${salt?.length}/${info?.length}/${length}`);
        }
        const prk = extract(sha256, ikm, salt);
        assert.deepEqual(prk, nobleExtract(sha256, ikm, salt));
        for (const length of [1, 31, 32, 33, 96, 255 * 32]) assert.deepEqual(expand(sha256, prk, info, length), nobleExpand(sha256, prk, info, length));
      }
      const message = bytes(ikmLength * 3);
      assert.deepEqual(hmac(sha256, ikm, message), nobleHmac(sha256, ikm, message));
    }
  }
  const prk = bytes(32);
  assert.equal(expand(sha256, prk).length, 32, 'the default length is one SHA-256 output');
  assert.deepEqual(expand(sha256, prk), nobleExpand(sha256, prk));
  assert.throws(() => expand(sha256, bytes(32), undefined, 255 * 32 + 1));
});

test('another hash than SHA-256 goes to noble', () => {
  const ikm = bytes(40);
  const salt = bytes(20);
  const info = bytes(10);
  assert.deepEqual(hkdf(sha512, ikm, salt, info, 100), nobleHkdf(sha512, ikm, salt, info, 100));
  assert.deepEqual(extract(sha512, ikm, salt), nobleExtract(sha512, ikm, salt));
  const prk = bytes(64);
  assert.deepEqual(expand(sha512, prk, info, 70), nobleExpand(sha512, prk, info, 70));
  assert.deepEqual(hmac(sha512, ikm, info), nobleHmac(sha512, ikm, info));
  assert.equal(hmac.create, nobleHmac.create);
});
