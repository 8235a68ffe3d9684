import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyExampleApp, runCli } from '../support/project.js';
import { isolatedSecretsEnv } from '../support/secrets.js';

let app: ReturnType<typeof copyExampleApp>;
let iso: ReturnType<typeof isolatedSecretsEnv>;
let original: string;
const file = () => join(app.dir, 'environments/secrets/dev.yaml');
before(() => {
  app = copyExampleApp();
  iso = isolatedSecretsEnv();
  original = readFileSync(file(), 'utf8');
});
after(() => {
  app.remove();
  iso.remove();
});

const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { cwd: app.dir, env: { ...iso.env, ...env }, timeoutMs: 60_000 });
const passwordLine = () => original.split('\n').findIndex((l) => l.startsWith('    password: ')) + 1;

/** Each broken input: exit 1, an error naming the file (and position), a hint. */
async function expectError(args: string[], message: RegExp, hint: RegExp, env: Record<string, string | undefined> = {}) {
  const r = await cli(args, env);
  assert.equal(r.exitCode, 1, r.stdout + r.stderr);
  assert.match(r.stderr, message);
  assert.match(r.stderr, hint);
  return r;
}

async function withDevSecrets(content: string, body: () => Promise<unknown>) {
  writeFileSync(file(), content);
  try {
    await body();
  } finally {
    writeFileSync(file(), original);
  }
}

test('not a sops file', async () => {
  await expectError(['secrets', 'decrypt', 'environments/values/dev.yaml'], /^error: environments\/values\/dev\.yaml: not a sops-encrypted file \(it has no "sops" metadata\)\.$/m, /^hint: Encrypt it first with chartctl secrets encrypt/m);
  await withDevSecrets('database:\n  password: forgot-to-encrypt\n', () =>
    expectError(['template', 'dev'], /^error: environments\/secrets\/dev\.yaml: not a sops-encrypted file/m, /^hint: /m),
  );
});

test('truncated ENC value and bad base64 name file:line:col and the key', async () => {
  const enc = /^ {4}password: (ENC\S+)$/m.exec(original)![1]!;
  await withDevSecrets(original.replace(enc, enc.slice(0, 40)), () =>
    expectError(['template', 'dev'], new RegExp(`^error: environments/secrets/dev\\.yaml:${passwordLine()}:15: cannot decrypt database\\.password: the ENC\\[\\.\\.\\.\\] value is truncated or malformed\\.$`, 'm'), /^hint: The file was damaged/m),
  );
  await withDevSecrets(original.replace(enc, enc.replace(/data:(.{4})/, 'data:$1*')), () =>
    expectError(['secrets', 'decrypt', 'environments/secrets/dev.yaml'], /cannot decrypt database\.password: the data of the ENC\[\.\.\.\] value is not valid base64/, /^hint: The file was damaged/m),
  );
});

test('unknown format version and damaged metadata', async () => {
  await withDevSecrets(original.replace(/version: .*/, 'version: 9.1.0'), () =>
    expectError(['template', 'dev'], /^error: environments\/secrets\/dev\.yaml: unknown sops format version "9\.1\.0"\.$/m, /^hint: chartctl reads files written by sops 2\.x and 3\.x/m),
  );
  await withDevSecrets(original.replace(/ {4}age:\n[\s\S]*?(?= {4}lastmodified)/, ''), () =>
    expectError(['template', 'dev'], /invalid sops metadata: no master keys/, /^hint: /m),
  );
});

test('missing or unreadable age key file, or a key for someone else', async () => {
  await expectError(['template', 'dev'], /cannot decrypt the data key: age age15c3992.*: cannot read SOPS_AGE_KEY_FILE=.*nope\.txt: it does not exist/, /^hint: You need the private key of one of the file's recipients: for age/m, {
    SOPS_AGE_KEY_FILE: join(iso.dir, 'nope.txt'),
  });
  await expectError(['template', 'dev'], /cannot read SOPS_AGE_KEY_FILE=.*: it is a directory/, /^hint: /m, { SOPS_AGE_KEY_FILE: iso.dir });
  await expectError(['secrets', 'decrypt', 'environments/secrets/dev.yaml'], /none of the 1 age identity from SOPS_AGE_KEY can decrypt it/, /^hint: /m, {
    SOPS_AGE_KEY_FILE: undefined,
    SOPS_AGE_KEY: 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX',
  });
});

test('no matching creation rule, and no .sops.yaml at all', async () => {
  writeFileSync(join(app.dir, 'plain.yaml'), 'a: b\n');
  await expectError(['secrets', 'encrypt', 'plain.yaml'], /^error: plain\.yaml: no creation rule in \.sops\.yaml matches "plain\.yaml"\.$/m, /^hint: Add a creation rule whose path_regex matches plain\.yaml/m);
  assert.equal(readFileSync(join(app.dir, 'plain.yaml'), 'utf8'), 'a: b\n', 'a refused command changes nothing');
  writeFileSync(join(iso.dir, 'outside.yaml'), 'a: b\n');
  const r = await runCli(['secrets', 'encrypt', 'outside.yaml'], { cwd: iso.dir, env: { ...iso.env } });
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /^error: outside\.yaml: no \.sops\.yaml found in \S+ or any parent directory \(sops looks from the current directory up\)/m);
});
