import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decryptValue, encryptValue, parseEncryptedValue, SopsValueError } from '../../src/core/sops/value-cipher.js';

const key = randomBytes(32);

test('a value round-trips and is bound to its path (additional data)', () => {
  const enc = encryptValue('hunter2', 'str', key, 'db:password:');
  assert.match(enc, /^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]+,iv:[A-Za-z0-9+/=]{44},tag:[A-Za-z0-9+/=]{24},type:str\]$/);
  assert.doesNotMatch(enc, /hunter2/);
  const opened = decryptValue(enc, key, 'db:password:');
  assert.equal(opened.plain.toString(), 'hunter2');
  assert.equal(opened.type, 'str');
  assert.throws(() => decryptValue(enc, key, 'db:user:'), (e: unknown) => e instanceof SopsValueError && e.reason === 'authentication');
  assert.throws(() => decryptValue(enc, randomBytes(32), 'db:password:'), (e: unknown) => e instanceof SopsValueError && e.reason === 'authentication');
});

test('the same IV gives the same ciphertext (what keeps edit diffs small)', () => {
  const iv = randomBytes(32);
  assert.equal(encryptValue('x', 'str', key, 'a:', iv), encryptValue('x', 'str', key, 'a:', iv));
});

test('malformed blobs are told apart: not encrypted, truncated, bad base64, unknown type', () => {
  const enc = encryptValue('hunter2', 'str', key, 'a:');
  const reason = (text: string) => {
    try {
      parseEncryptedValue(text);
      return 'ok';
    } catch (e) {
      return (e as SopsValueError).reason;
    }
  };
  assert.equal(reason(enc), 'ok');
  assert.equal(reason('hunter2'), 'not-encrypted');
  assert.equal(reason(enc.slice(0, 60)), 'truncated');
  assert.equal(reason(enc.replace(/,tag:[^,]+/, ',tag:AAAA')), 'truncated', 'a tag shorter than 16 bytes');
  assert.equal(reason(enc.replace(/data:[^,]+/, 'data:not*base64')), 'bad-base64');
  assert.equal(reason(enc.replace(/data:([^,]+)/, 'data:$1-')), 'bad-base64');
  assert.equal(reason(enc.replace('type:str', 'type:blob')), 'unknown-type');
});
