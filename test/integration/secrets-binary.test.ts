import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { cliPath, copyExampleApp, hasSharedCorpus, projectRoot, SHARED_SKIP_REASON, sharedCorpus } from '../support/project.js';
import { demoAgeKeyFile, fakeEditor, isolatedSecretsEnv } from '../support/secrets.js';
import { seededRandom } from '../support/seeded-random.js';

/*
 * sops' binary store (stores/json BinaryStore) keeps any file as one Go
 * string of bytes under "data": the encrypted value is the raw bytes
 * (type:str, additional data "data:") and the MAC is SHA-512 over those same
 * bytes. Keystores and DER certificates are not UTF-8, so nothing may decode
 * them as text on the way in or out.
 */

let app: ReturnType<typeof copyExampleApp>;
let iso: ReturnType<typeof isolatedSecretsEnv>;
before(() => {
  app = copyExampleApp();
  iso = isolatedSecretsEnv();
  writeFileSync(join(app.dir, '.sops.yaml'), 'creation_rules:\n  - path_regex: ^files/\n    age: age15c3992ylldev8feaquy5g747qnegsyly07esku9a95rw2g43asyqfj7uxv\n');
  mkdirSync(join(app.dir, 'files'));
});
after(() => {
  app.remove();
  iso.remove();
});

/** The CLI with stdout kept as bytes (runCli decodes it as UTF-8). */
async function cliBytes(args: string[], env: Record<string, string> = {}): Promise<{ exitCode: number; stdout: Buffer; stderr: string }> {
  const r = await execa(process.execPath, [cliPath, ...args], {
    cwd: app.dir,
    env: { PATH: process.env.PATH, NO_COLOR: '1', ...iso.env, ...env },
    extendEnv: false,
    encoding: 'buffer',
    stripFinalNewline: false,
    reject: false,
    timeout: 60_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr).toString('utf8') };
}

/** The same 300 bytes as test/fixtures/sops/random-300.bin.sops holds (mulberry32, seed 300). */
function randomBytes300(): Buffer {
  const rnd = seededRandom(300);
  return Buffer.from(Array.from({ length: 300 }, () => Math.floor(rnd() * 256)));
}

test('--format binary: 300 random (non-UTF-8) bytes come back byte for byte', async () => {
  const bytes = randomBytes300();
  assert.ok(!bytes.equals(Buffer.from(bytes.toString('utf8'), 'utf8')), 'the test data is not valid UTF-8');
  writeFileSync(join(app.dir, 'files', 'keystore.p12'), bytes);
  const enc = await cliBytes(['secrets', 'encrypt', 'files/keystore.p12', '--format', 'binary']);
  assert.equal(enc.exitCode, 0, enc.stderr);
  const envelope = JSON.parse(readFileSync(join(app.dir, 'files', 'keystore.p12'), 'utf8')) as { data: string; sops: unknown };
  assert.deepEqual(Object.keys(envelope), ['data', 'sops']);
  const data = /^ENC\[AES256_GCM,data:([^,]+),iv:[^,]+,tag:[^,]+,type:str\]$/.exec(envelope.data);
  assert.ok(data, 'one str value, as sops writes it');
  assert.equal(Buffer.from(data[1]!, 'base64').length, 300, 'the ciphertext is as long as the raw bytes (AES-GCM), not their UTF-8 re-encoding');

  const dec = await cliBytes(['secrets', 'decrypt', 'files/keystore.p12', '--format', 'binary']);
  assert.equal(dec.exitCode, 0, dec.stderr);
  assert.equal(dec.stdout.length, 300);
  assert.ok(dec.stdout.equals(bytes), 'decrypted bytes are the original bytes');
  // Found as a binary file by its content too (no --format).
  const detected = await cliBytes(['secrets', 'decrypt', 'files/keystore.p12']);
  assert.equal(detected.exitCode, 0, detected.stderr);
  assert.ok(detected.stdout.equals(bytes));
  // A new data key re-encrypts the same bytes.
  const rotated = await cliBytes(['secrets', 'rotate', 'files/keystore.p12']);
  assert.equal(rotated.exitCode, 0, rotated.stderr);
  const after = await cliBytes(['secrets', 'decrypt', 'files/keystore.p12']);
  assert.equal(after.exitCode, 0, after.stderr);
  assert.ok(after.stdout.equals(bytes), 'the bytes survive a rotate');
  // The editor gets the exact bytes: an edit that changes nothing is seen as no change.
  const edit = await cliBytes(['secrets', 'edit', 'files/keystore.p12'], { EDITOR: fakeEditor(iso.dir), EDIT_MODE: 'noop' });
  assert.equal(edit.exitCode, 0, edit.stderr);
  assert.match(edit.stdout.toString('utf8'), /^No changes to files\/keystore\.p12/);
});

test('a binary file in the layout sops writes, holding the same 300 bytes, decrypts and its MAC verifies', async () => {
  // test/fixtures/sops/random-300.bin.sops: a reproduction of what `sops -e --input-type binary` writes for these
  // bytes (built from sops' aes/cipher.go and stores/json, without chartctl's code), for the demo age key.
  copyFileSync(join(projectRoot, 'test', 'fixtures', 'sops', 'random-300.bin.sops'), join(app.dir, 'files', 'sops-written.bin'));
  const dec = await cliBytes(['secrets', 'decrypt', 'files/sops-written.bin'], { SOPS_AGE_KEY_FILE: demoAgeKeyFile });
  assert.equal(dec.exitCode, 0, dec.stderr);
  assert.ok(dec.stdout.equals(randomBytes300()));
});

const hasGpg = spawnSync('gpg', ['--version'], { stdio: 'ignore' }).status === 0;
test("sops' own binary example (sops-upstream/example.txt, PGP) decrypts with its MAC verified", { skip: !hasSharedCorpus ? SHARED_SKIP_REASON : hasGpg ? false : 'gpg is not installed' }, async () => {
  const upstream = join(sharedCorpus, 'sops-upstream');
  const gnupg = mkdtempSync(join(tmpdir(), 'chartctl-gnupg-'));
  try {
    execFileSync('gpg', ['--batch', '--quiet', '--import', join(upstream, 'pgp', 'sops_functional_tests_key.asc')], { env: { ...process.env, GNUPGHOME: gnupg }, stdio: 'ignore' });
    copyFileSync(join(upstream, 'example.txt'), join(app.dir, 'files', 'example.txt'));
    const dec = await cliBytes(['secrets', 'decrypt', 'files/example.txt', '--format', 'binary'], { GNUPGHOME: gnupg });
    assert.equal(dec.exitCode, 0, dec.stderr);
    assert.match(dec.stdout.toString('utf8'), /^Welcome to SOPS!\n\nSOPS is a manager of encrypted files/);
  } finally {
    rmSync(gnupg, { recursive: true, force: true });
  }
});
