import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { copyExampleApp, runCli } from '../support/project.js';

// `template --show-secrets --output-dir` writes decrypted values: never into the repository, however the path is spelled.
let app: ReturnType<typeof copyExampleApp>;
let scratch: string;
let password: string;
before(async () => {
  app = copyExampleApp();
  scratch = mkdtempSync(join(tmpdir(), 'chartctl-outdir-'));
  const r = await runCli(['secrets', 'decrypt', 'environments/secrets/prod.yaml', '--output', 'json'], { cwd: app.dir });
  assert.equal(r.exitCode, 0, r.stderr);
  password = JSON.parse(r.stdout).values.database.password;
});
after(() => {
  app.remove();
  rmSync(scratch, { recursive: true, force: true });
  // The sibling the ".." spellings would create, if a refusal failed.
  rmSync(`${app.dir}-secrets`, { recursive: true, force: true });
});

const showSecrets = (outputDir: string, cwd = app.dir) => runCli(['--cwd', cwd, 'template', 'prod', '--show-secrets', '--output-dir', outputDir], { cwd: tmpdir() });

/** Every file under dir holding the decrypted password. */
function filesWithPassword(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => readFileSync(f, 'utf8').includes(password));
}

function assertRefusedIntoRepository(r: { exitCode: number; stderr: string }) {
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /error: Refusing to write the unmasked secrets of prod into the repository: --output-dir .* is inside /);
  assert.match(r.stderr, /hint: Choose an --output-dir outside the repository/);
  assert.deepEqual(filesWithPassword(app.dir), [], 'nothing decrypted was written into the repository');
}

test('a name starting with ".." inside the repository is inside it', async () => {
  assertRefusedIntoRepository(await showSecrets(join(app.dir, '..secrets-out')));
  assertRefusedIntoRepository(await showSecrets('..secrets-out'));
  assert.ok(!existsSync(join(app.dir, '..secrets-out')), 'the directory was not even created');
});

test('a directory that is a symbolic link into the repository, or below one, is inside it', async () => {
  mkdirSync(join(app.dir, 'rendered'));
  const link = join(scratch, 'link-into-repo');
  symlinkSync(join(app.dir, 'rendered'), link);
  assertRefusedIntoRepository(await showSecrets(link));
  assertRefusedIntoRepository(await showSecrets(join(link, 'deeper')));
  assert.ok(!existsSync(join(app.dir, 'rendered', 'deeper')));
});

test('a directory inside the git work tree around --cwd is inside the repository', async () => {
  const work = mkdtempSync(join(scratch, 'worktree-'));
  mkdirSync(join(work, '.git'));
  cpSync(app.dir, join(work, 'deploy'), { recursive: true });
  const r = await showSecrets(join(work, 'rendered'), join(work, 'deploy'));
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /Refusing to write the unmasked secrets of prod into the repository: --output-dir .*rendered is inside .*worktree-/);
  assert.ok(!existsSync(join(work, 'rendered')));
});

test('a sibling directory whose name starts with the repository name is outside: files 0600, directory 0700', async () => {
  const sibling = `${app.dir}-secrets`;
  assert.equal(dirname(sibling), dirname(app.dir));
  const r = await showSecrets(join('..', `${basename(app.dir)}-secrets`, 'prod'));
  assert.equal(r.exitCode, 0, r.stderr);
  const dir = join(sibling, 'prod');
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const files = readdirSync(dir);
  assert.ok(files.includes('secret-shop-database.yaml'), files.join(','));
  for (const f of files) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, `${f} is private`);
  assert.ok(readFileSync(join(dir, 'secret-shop-database.yaml'), 'utf8').includes(password), 'the secret really is written unmasked');
});

test('a symbolic link at a destination file is refused, and its target left alone', async () => {
  const out = mkdtempSync(join(scratch, 'out-'));
  const target = join(scratch, 'bashrc');
  writeFileSync(target, 'echo hello\n');
  symlinkSync(target, join(out, 'secret-shop-database.yaml'));
  const r = await showSecrets(out);
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /--output-dir .*: secret-shop-database\.yaml exists and is a symbolic link; refusing to write through it/);
  assert.equal(readFileSync(target, 'utf8'), 'echo hello\n');
  assert.deepEqual(readdirSync(out), ['secret-shop-database.yaml'], 'refused before writing any file');
});
