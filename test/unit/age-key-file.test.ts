import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { ensureAgeRecipient } from '../../src/adapters/sops-keys/age-key-file.js';

const withDir = async (body: (dir: string) => Promise<void>) => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-age-key-'));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

test('age key for init: an identity in the key file is reused, the file untouched', () =>
  withDir(async (dir) => {
    const identity = await generateX25519Identity();
    const file = join(dir, 'keys.txt');
    writeFileSync(file, `# mine\n${identity}\n`);
    const got = await ensureAgeRecipient({ SOPS_AGE_KEY_FILE: file });
    assert.deepEqual(got, { recipient: await identityToRecipient(identity), from: file, created: false });
    assert.equal(readFileSync(file, 'utf8'), `# mine\n${identity}\n`);
  }));

test('age key for init: SOPS_AGE_KEY wins and nothing is written', () =>
  withDir(async (dir) => {
    const identity = await generateX25519Identity();
    const got = await ensureAgeRecipient({ SOPS_AGE_KEY: identity, XDG_CONFIG_HOME: dir });
    assert.deepEqual(got, { recipient: await identityToRecipient(identity), from: 'SOPS_AGE_KEY', created: false });
    assert.throws(() => statSync(join(dir, 'sops')), /ENOENT/);
  }));

test('age key for init: none in $XDG_CONFIG_HOME/sops/age/keys.txt, so one is generated there (0600, directory 0700); a file without one is appended to', () =>
  withDir(async (dir) => {
    const got = await ensureAgeRecipient({ XDG_CONFIG_HOME: dir });
    const file = join(dir, 'sops', 'age', 'keys.txt');
    assert.equal(got.from, file);
    assert.equal(got.created, true);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'sops', 'age')).mode & 0o777, 0o700);
    const identity = readFileSync(file, 'utf8').match(/^AGE-SECRET-KEY-1[0-9A-Z]+$/m)?.[0];
    assert.ok(identity);
    assert.equal(got.recipient, await identityToRecipient(identity));
    assert.ok(!JSON.stringify(got).includes('AGE-SECRET-KEY'), 'the result never carries the secret key');

    const other = join(dir, 'other.txt');
    writeFileSync(other, '# no identity yet', { mode: 0o644 });
    const appended = await ensureAgeRecipient({ SOPS_AGE_KEY_FILE: other });
    assert.equal(appended.created, true);
    assert.match(readFileSync(other, 'utf8'), /^# no identity yet\n# created: .*\n# public key: age1[0-9a-z]+\nAGE-SECRET-KEY-1[0-9A-Z]+\n$/);
    assert.equal(statSync(other).mode & 0o777, 0o600, 'tightened to 0600');
  }));
