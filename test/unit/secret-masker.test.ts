import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretMasker } from '../../src/core/secret-masker.js';
import { maskArgv } from '../../src/adapters/helm.js';

test('masks every registered value, longest first, nested trees included', () => {
  const m = new SecretMasker();
  m.add({ db: { password: 'hunter2hunter2', user: 'admin' }, token: 'hunter2hunter2-extended' });
  assert.equal(m.mask('p=hunter2hunter2 t=hunter2hunter2-extended u=admin'), 'p=*** t=*** u=***');
});

test('very short values are not masked (they would scramble unrelated text)', () => {
  const m = new SecretMasker();
  m.add({ flag: true, n: 1, s: 'ab' });
  assert.equal(m.mask('true 1 ab'), 'true 1 ab');
});

test('lines of multi-line secrets are masked on their own too', () => {
  const m = new SecretMasker();
  m.add('-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----');
  assert.equal(m.mask('stderr: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'), 'stderr: ***');
});

test('maskArgv quotes and masks helm argv for --verbose', () => {
  const m = new SecretMasker();
  m.add('s3cr3t-value');
  assert.equal(maskArgv(['upgrade', '--set', 'db.password=s3cr3t-value', 'a b'], (t) => m.mask(t)), 'upgrade --set db.password=*** "a b"');
});
