import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, copyExampleApp, helmBinaries, runCli } from '../support/project.js';
import { fakeEditor, filesContaining, isolatedSecretsEnv, leftovers } from '../support/secrets.js';

let app: ReturnType<typeof copyExampleApp>;
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: app.dir, env: { ...iso.env, ...env }, timeoutMs: 90_000 });
let iso: ReturnType<typeof isolatedSecretsEnv>;
let password: string;
before(async () => {
  app = copyExampleApp();
  iso = isolatedSecretsEnv();
  const r = await cli(['secrets', 'decrypt', 'environments/secrets/prod.yaml', '--output', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  password = JSON.parse(r.stdout).values.database.password;
  assert.ok(password.length >= 8);
});
after(() => {
  app.remove();
  iso.remove();
});

function assertNoLeak(where: string, ...texts: string[]) {
  for (const t of texts) assert.ok(!t.includes(password), `${where}: the decrypted password was printed`);
  assert.ok(!texts.join('').includes(Buffer.from(password).toString('base64')), `${where}: its base64 was printed`);
}

test('template and lint decrypt in memory: Secret values masked, nothing in --verbose output, files or temp dirs', async () => {
  const shown = await cli(['template', 'prod', '--show-secrets']);
  assert.equal(shown.exitCode, 0, shown.stderr);
  assert.ok(shown.stdout.includes(`DATABASE_PASSWORD: "${password}"`), 'the secret really is rendered (so the checks below can fail)');

  const r = await cli(['template', 'prod', '--verbose']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /DATABASE_PASSWORD: '\*\*\*'/);
  assert.match(r.stderr, /\[verbose\] .*template/);
  assertNoLeak('template --verbose', r.stdout, r.stderr);

  const lint = await cli(['lint', '--verbose']);
  assert.equal(lint.exitCode, 0, lint.stdout + lint.stderr);
  assertNoLeak('lint --verbose', lint.stdout, lint.stderr);

  assert.deepEqual(filesContaining(app.dir, password), [], 'no decrypted value written in the repository');
  assert.deepEqual(leftovers(iso.tmp), [], 'nothing left in the temp dir');
});

for (const [major, helm] of Object.entries(helmBinaries)) {
  test(`helm failures that echo a decrypted value are masked (${major})`, async () => {
    const failing = join(app.dir, 'charts/shop/templates/zz-fail.yaml');
    writeFileSync(failing, '{{ fail (printf "cannot reach the database with password %s" .Values.database.password) }}\n');
    try {
      const r = await cli(['template', 'prod', '--verbose'], { CHARTCTL_HELM: helm });
      assert.equal(r.exitCode, 1, r.stdout);
      assert.match(r.stderr, /cannot reach the database with password \*\*\*/);
      assertNoLeak('helm failure', r.stdout, r.stderr);
      const lint = await cli(['lint', 'prod', '--output', 'json'], { CHARTCTL_HELM: helm });
      assert.notEqual(lint.exitCode, 0);
      assert.match(lint.stdout + lint.stderr, /password \*\*\*/);
      assertNoLeak('lint failure', lint.stdout, lint.stderr);
    } finally {
      rmSync(failing);
    }
    assert.deepEqual(leftovers(iso.tmp), []);
  });
}

test('decryption errors name the file and print nothing of the plaintext', async () => {
  const file = join(app.dir, 'environments/secrets/prod.yaml');
  const original = readFileSync(file, 'utf8');
  try {
    writeFileSync(file, original.replace(/lastmodified: "[^"]+"/, 'lastmodified: "2031-01-01T00:00:00Z"'));
    const mac = await cli(['template', 'prod']);
    assert.equal(mac.exitCode, 1);
    assert.match(mac.stderr, /^error: environments\/secrets\/prod\.yaml: MAC mismatch: /m);
    assert.match(mac.stderr, /^hint: .*Restore the file from version control/m);
    assertNoLeak('MAC mismatch', mac.stdout, mac.stderr);
    const staging = readFileSync(join(app.dir, 'environments/secrets/staging.yaml'), 'utf8');
    const stagingPassword = /^ {4}password: (ENC\S+)$/m.exec(staging)![1]!;
    writeFileSync(file, original.replace(/^( {4}password: )ENC\S+$/m, `$1${stagingPassword}`));
    const moved = await cli(['secrets', 'decrypt', 'environments/secrets/prod.yaml']);
    assert.equal(moved.exitCode, 1);
    assert.match(moved.stderr, /^error: environments\/secrets\/prod\.yaml:\d+:15: cannot decrypt database\.password: authentication failed/m);
    assertNoLeak('tampered value', moved.stdout, moved.stderr);
  } finally {
    writeFileSync(file, original);
  }
});

/** Runs the real CLI, waits until `ready()` is true, sends SIGINT, and returns the exit code. */
async function interrupt(args: string[], env: Record<string, string>, ready: () => boolean): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: app.dir, env: { ...process.env, NO_COLOR: '1', ...iso.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!ready()) {
    assert.ok(Date.now() < deadline, `never became ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGINT');
  return { code: await exited, stderr };
}

test('SIGINT during secrets edit: exit 130, the cleartext temp file is removed, the file unchanged', async () => {
  const marker = join(iso.dir, 'hang-marker.json');
  const file = join(app.dir, 'environments/secrets/prod.yaml');
  const before = readFileSync(file, 'utf8');
  const { code, stderr } = await interrupt(['secrets', 'edit', 'environments/secrets/prod.yaml'], { EDITOR: fakeEditor(iso.dir), EDIT_MODE: 'hang', EDIT_MARKER: marker }, () => existsSync(marker));
  const seen = JSON.parse(readFileSync(marker, 'utf8'));
  assert.ok(seen.content.includes(password), 'the editor did get the cleartext');
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted by SIGINT; cleaned up/);
  assert.equal(existsSync(seen.file), false, 'temp cleartext removed');
  assert.deepEqual(leftovers(iso.tmp), []);
  assert.equal(readFileSync(file, 'utf8'), before);
  assert.deepEqual(filesContaining(app.dir, password), []);
});

test('SIGINT while helm renders with decrypted values: exit 130, nothing left behind', async () => {
  const marker = join(iso.dir, 'helm-args.txt');
  const fakeHelm = join(iso.dir, 'slow-helm.sh');
  writeFileSync(fakeHelm, `#!/bin/sh\necho "$@" >> "${marker}"\nexec sleep 30\n`);
  chmodSync(fakeHelm, 0o755);
  const { code, stderr } = await interrupt(['template', 'prod'], { CHARTCTL_HELM: fakeHelm }, () => existsSync(marker) && /template/.test(readFileSync(marker, 'utf8')));
  assert.equal(code, 130, stderr);
  assertNoLeak('interrupted render', stderr, readFileSync(marker, 'utf8'));
  assert.deepEqual(leftovers(iso.tmp), []);
  assert.deepEqual(filesContaining(app.dir, password), []);
});
