import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/project.js';
import { PgpKeySource } from '../../src/adapters/sops-keys/pgp-keys.js';
import { ASSUMED_ACCESS_KEY_ID, startKmsStub, type KmsStub } from '../support/kms-stub.js';
import { isolatedSecretsEnv } from '../support/secrets.js';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ROLE_ARN = 'arn:aws:iam::111122223333:role/sops-ci';

let stub: KmsStub;
let iso: ReturnType<typeof isolatedSecretsEnv>;
let repo: string;
before(async () => {
  stub = await startKmsStub();
  iso = isolatedSecretsEnv();
  repo = join(iso.dir, 'repo');
  mkdirSync(repo);
});
after(async () => {
  await stub.close();
  iso.remove();
});

const awsEnv = () => ({
  AWS_ENDPOINT_URL_KMS: stub.url,
  AWS_ENDPOINT_URL_STS: stub.url,
  AWS_ACCESS_KEY_ID: 'AKIASTUBCALLER',
  AWS_SECRET_ACCESS_KEY: 'stub-caller-secret',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: join(iso.dir, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(iso.dir, 'no-aws-credentials'),
});
const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCli(['--cwd', repo, ...args], { env: { ...iso.env, ...awsEnv(), ...env }, timeoutMs: 60_000 });

test('AWS KMS through the SDK: role assumed with STS, encryption context bound, access denied reported', async () => {
  writeFileSync(
    join(repo, '.sops.yaml'),
    `creation_rules:\n  - path_regex: kms\\.yaml$\n    key_groups:\n      - kms:\n          - arn: ${KEY_ARN}\n            role: ${ROLE_ARN}\n            context: {app: shop, env: prod}\n`,
  );
  writeFileSync(join(repo, 'kms.yaml'), 'database:\n    password: kms-protected-pa55\n');
  const enc = await cli(['secrets', 'encrypt', 'kms.yaml']);
  assert.equal(enc.exitCode, 0, enc.stderr);
  const text = readFileSync(join(repo, 'kms.yaml'), 'utf8');
  assert.doesNotMatch(text, /kms-protected-pa55/);
  assert.match(text, new RegExp(`    kms:\\n        - arn: ${KEY_ARN}\\n          role: ${ROLE_ARN}\\n          context:\\n            app: shop\\n            env: prod\\n          created_at: "[^"]+"\\n          enc: [A-Za-z0-9+/=]+\\n          aws_profile: ""\\n`));
  const [assume, encrypt] = stub.requests;
  assert.equal(assume!.action, 'sts:AssumeRole');
  assert.match(String(assume!.body), new RegExp(`RoleArn=${encodeURIComponent(ROLE_ARN)}.*RoleSessionName=sops%40`));
  assert.equal(assume!.accessKeyId, 'AKIASTUBCALLER');
  assert.equal(encrypt!.action, 'Encrypt');
  assert.equal(encrypt!.accessKeyId, ASSUMED_ACCESS_KEY_ID, 'KMS is called with the assumed role');
  assert.deepEqual((encrypt!.body as any).EncryptionContext, { app: 'shop', env: 'prod' });

  stub.requests.length = 0;
  const dec = await cli(['secrets', 'decrypt', 'kms.yaml', '--output', 'json']);
  assert.equal(dec.exitCode, 0, dec.stderr);
  assert.deepEqual(JSON.parse(dec.stdout).values, { database: { password: 'kms-protected-pa55' } });
  const decrypt = stub.requests.find((r) => r.action === 'Decrypt')!;
  assert.deepEqual((decrypt.body as any).EncryptionContext, { app: 'shop', env: 'prod' });
  assert.equal((decrypt.body as any).KeyId, KEY_ARN);
  assert.equal(decrypt.accessKeyId, ASSUMED_ACCESS_KEY_ID);

  stub.mode = 'deny';
  try {
    const denied = await cli(['secrets', 'decrypt', 'kms.yaml']);
    assert.equal(denied.exitCode, 1);
    assert.match(denied.stderr, /^error: kms\.yaml: cannot decrypt the data key: kms arn:aws:kms:eu-west-1:111122223333:key\/1234abcd-12ab-34cd-56ef-1234567890ab \(role arn:aws:iam::111122223333:role\/sops-ci\): AWS kms:Decrypt failed \(HTTP 400\): AccessDeniedException: User: .* is not authorized to perform: kms:Decrypt/m);
    assert.match(denied.stderr, /^hint: .*for AWS KMS, use credentials allowed to kms:Decrypt/m);
    assert.doesNotMatch(denied.stderr + denied.stdout, /kms-protected-pa55/);
  } finally {
    stub.mode = 'allow';
  }
});

const hasGpg = spawnSync('gpg', ['--version'], { stdio: 'ignore' }).status === 0;

test('PGP through gpg: encrypt for a fingerprint, decrypt with the keyring; a missing gpg is named', { skip: hasGpg ? false : 'gpg is not installed' }, async () => {
  const gnupg = mkdtempSync(join(tmpdir(), 'chartctl-gnupg-'));
  const env = { ...process.env, GNUPGHOME: gnupg };
  try {
    const gpg = (...args: string[]) => execFileSync('gpg', ['--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { env, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    gpg('--quick-gen-key', 'chartctl test <test@chartctl.invalid>', 'ed25519', 'sign', 'never');
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(gpg('--list-keys', '--with-colons'))![1]!;
    gpg('--quick-add-key', fpr, 'cv25519', 'encr', 'never');
    writeFileSync(join(repo, '.sops.yaml'), `creation_rules:\n  - path_regex: pgp\\.yaml$\n    pgp: ${fpr}\n`);
    writeFileSync(join(repo, 'pgp.yaml'), 'token: pgp-protected-t0ken\n');
    const enc = await cli(['secrets', 'encrypt', 'pgp.yaml'], { GNUPGHOME: gnupg });
    assert.equal(enc.exitCode, 0, enc.stderr);
    const text = readFileSync(join(repo, 'pgp.yaml'), 'utf8');
    assert.match(text, new RegExp(`    pgp:\\n        - created_at: "[^"]+"\\n          enc: \\|-\\n            -----BEGIN PGP MESSAGE-----\\n[\\s\\S]+-----END PGP MESSAGE-----\\n          fp: ${fpr}\\n`), 'the armor trimmed as sops stores it: `enc: |-`');
    const dec = await cli(['secrets', 'decrypt', 'pgp.yaml', '--output', 'json'], { GNUPGHOME: gnupg });
    assert.equal(dec.exitCode, 0, dec.stderr);
    assert.deepEqual(JSON.parse(dec.stdout).values, { token: 'pgp-protected-t0ken' });
    // A data key whose last byte is a newline must survive gpg's stdout untouched.
    const source = new PgpKeySource({ ...process.env, GNUPGHOME: gnupg });
    const dataKey = new Uint8Array(Buffer.concat([Buffer.alloc(31, 7), Buffer.from('\n')]));
    assert.deepEqual(await source.unwrap(await source.wrap({ type: 'pgp', fingerprint: fpr }, dataKey, new Date())), dataKey);
    const noGpg = await cli(['secrets', 'decrypt', 'pgp.yaml'], { GNUPGHOME: gnupg, PATH: join(iso.dir, 'empty-path') });
    assert.equal(noGpg.exitCode, 1);
    assert.match(noGpg.stderr, /^error: pgp\.yaml: cannot decrypt the data key: pgp [0-9A-F]{40}: gpg is not installed: "gpg" was not found on PATH \(install GnuPG, or set SOPS_GPG_EXEC to its path\)/m);
  } finally {
    spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env, stdio: 'ignore' });
    rmSync(gnupg, { recursive: true, force: true });
  }
});
