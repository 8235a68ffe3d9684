/**
 * The CLI bundle evaluates age's post-quantum KEMs only when an identity needs them
 * (scripts/defer-age-recipient-types.mjs): a file whose data key is wrapped for a post-quantum
 * hybrid recipient (age1pq1..., as age 1.3 and sops write) opens with its AGE-SECRET-KEY-PQ-1
 * identity through the bundle, the identity's recipient derived to try it first in its group.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateHybridIdentity, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { runCli } from '../support/project.js';
import { isolatedSecretsEnv } from '../support/secrets.js';
import { createSecretsReader } from '../../src/adapters/secrets-factory.js';
import { newDataKey, wrapDataKey } from '../../src/core/sops/data-key.js';
import { WRITTEN_SOPS_VERSION, withDefaultRule } from '../../src/core/sops/metadata.js';
import { parsePlainText, sealSopsText } from '../../src/core/sops/sops-file.js';

let iso: ReturnType<typeof isolatedSecretsEnv>;
before(() => {
  iso = isolatedSecretsEnv();
});
after(() => iso.remove());

test('a file wrapped for a post-quantum hybrid recipient decrypts with its AGE-SECRET-KEY-PQ-1 identity, tried first in its group', async () => {
  const identity = await generateHybridIdentity();
  const someoneElse = await identityToRecipient(await generateX25519Identity());
  const recipient = await identityToRecipient(identity);
  assert.match(recipient, /^age1pq1/);
  const reader = createSecretsReader({ HOME: iso.env.HOME });
  const dataKey = newDataKey();
  const now = new Date();
  const { keyGroups } = await wrapDataKey([[{ type: 'age', recipient: someoneElse }, { type: 'age', recipient }]], undefined, dataKey, (spec, key) => reader.keys.wrap(spec, key, now), 'pq.yaml');
  const file = join(iso.dir, 'pq.yaml');
  writeFileSync(file, sealSopsText(parsePlainText('database:\n    password: post-quantum-pa55\n', 'yaml', 'pq.yaml').branches, 'yaml', { keyGroups, version: WRITTEN_SOPS_VERSION, rules: withDefaultRule({}) }, dataKey, now, 'pq.yaml'));

  const env = { ...iso.env, SOPS_AGE_KEY_FILE: undefined, SOPS_AGE_KEY: identity };
  const decrypted = await runCli(['secrets', 'decrypt', file, '--output', 'json'], { env, timeoutMs: 60_000 });
  assert.equal(decrypted.exitCode, 0, decrypted.stderr);
  assert.deepEqual(JSON.parse(decrypted.stdout).values, { database: { password: 'post-quantum-pa55' } });

  const otherIdentity = await generateHybridIdentity();
  const notHeld = await runCli(['secrets', 'decrypt', file], { env: { ...env, SOPS_AGE_KEY: otherIdentity }, timeoutMs: 60_000 });
  assert.equal(notHeld.exitCode, 1);
  assert.match(notHeld.stderr, /none of the 1 age identity from SOPS_AGE_KEY can decrypt it/);
  const printed = notHeld.stderr + notHeld.stdout;
  assert.ok(!printed.includes('post-quantum-pa55') && !printed.includes(otherIdentity), 'neither the value nor the identity is printed');
});

test('secrets encrypt wraps the data key for an age1pq1 recipient named in .sops.yaml, and its PQ identity opens the file', async () => {
  const identity = await generateHybridIdentity();
  const recipient = await identityToRecipient(identity);
  writeFileSync(join(iso.dir, '.sops.yaml'), `creation_rules:\n  - path_regex: pq-encrypt\\.yaml$\n    age: ${recipient}\n`);
  const file = join(iso.dir, 'pq-encrypt.yaml');
  writeFileSync(file, 'token: pq-encrypted-t0ken\n');
  const env = { ...iso.env, SOPS_AGE_KEY_FILE: undefined, SOPS_AGE_KEY: identity };
  const encrypted = await runCli(['--cwd', iso.dir, 'secrets', 'encrypt', 'pq-encrypt.yaml'], { env, timeoutMs: 60_000 });
  assert.equal(encrypted.exitCode, 0, encrypted.stderr);
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes('pq-encrypted-t0ken') && text.includes(recipient), 'encrypted in place, for the post-quantum recipient');
  const decrypted = await runCli(['--cwd', iso.dir, 'secrets', 'decrypt', 'pq-encrypt.yaml', '--output', 'json'], { env, timeoutMs: 60_000 });
  assert.equal(decrypted.exitCode, 0, decrypted.stderr);
  assert.deepEqual(JSON.parse(decrypted.stdout).values, { token: 'pq-encrypted-t0ken' });
});
