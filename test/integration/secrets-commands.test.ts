import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyExampleApp, runCli } from '../support/project.js';
import { fakeEditor, filesContaining, isolatedSecretsEnv, leftovers } from '../support/secrets.js';

let app: ReturnType<typeof copyExampleApp>;
let iso: ReturnType<typeof isolatedSecretsEnv>;
let editor: string;
before(() => {
  app = copyExampleApp();
  iso = isolatedSecretsEnv();
  editor = fakeEditor(iso.dir);
});
after(() => {
  app.remove();
  iso.remove();
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: app.dir, env: { ...iso.env, EDITOR: editor, ...env }, timeoutMs: 60_000 });
const read = (rel: string) => readFileSync(join(app.dir, rel), 'utf8');
const values = async (rel: string) => {
  const r = await cli(['secrets', 'decrypt', rel, '--output', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  return JSON.parse(r.stdout).values;
};

test('decrypt prints the cleartext (comments too) on stdout, or the values as JSON', async () => {
  const r = await cli(['secrets', 'decrypt', 'environments/secrets/dev.yaml']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^# Database credentials of the dev environment/);
  assert.match(r.stdout, /^database:\n {4}password: dev-Pa55word-\S+$/m);
  const v = await values('environments/secrets/dev.yaml');
  assert.match(v.database.password, /^dev-Pa55word-/);
});

test('edit changes only what was edited: same data key, unchanged values keep their ciphertext', async () => {
  const before = read('environments/secrets/staging.yaml');
  const old = (await values('environments/secrets/staging.yaml')).database.password as string;
  const marker = join(iso.dir, 'edit-marker.json');
  const r = await cli(['secrets', 'edit', 'environments/secrets/staging.yaml'], {
    EDIT_MODE: 'sed',
    EDIT_FROM: 'database:\n',
    EDIT_TO: 'database:\n    user: shop-staging\n',
    EDIT_MARKER: marker,
  });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout, 'Updated environments/secrets/staging.yaml');
  const seen = JSON.parse(readFileSync(marker, 'utf8'));
  assert.equal(seen.mode, 0o600, 'the cleartext temp file is private');
  assert.equal(seen.dirMode, 0o700, 'in a private directory');
  assert.ok(seen.file.startsWith(iso.tmp), 'outside the repository');
  assert.deepEqual(leftovers(iso.tmp), [], 'and removed afterwards');
  const after = read('environments/secrets/staging.yaml');
  const removed = before.split('\n').filter((l) => !after.split('\n').includes(l));
  assert.deepEqual(removed.map((l) => l.trim().split(':')[0]), ['lastmodified', 'mac'], 'the password, comments and the wrapped data key are unchanged');
  assert.deepEqual(await values('environments/secrets/staging.yaml'), { database: { user: 'shop-staging', password: old } });
  // Nothing edited: the file is not rewritten at all.
  const noop = await cli(['secrets', 'edit', 'environments/secrets/staging.yaml'], { EDIT_MODE: 'noop' });
  assert.equal(noop.exitCode, 0, noop.stderr);
  assert.equal(noop.stdout, 'No changes to environments/secrets/staging.yaml');
  assert.equal(read('environments/secrets/staging.yaml'), after);
});

test('edit: invalid YAML or a failing editor leaves the file as it was and no temp file', async () => {
  const before = read('environments/secrets/dev.yaml');
  const bad = await cli(['secrets', 'edit', 'environments/secrets/dev.yaml'], { EDIT_MODE: 'replace', EDIT_CONTENT: 'database:\n  password: [unclosed\n' });
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /error: environments\/secrets\/dev\.yaml \(your edit\):\d+:\d+: invalid YAML: .* Your changes were discarded; environments\/secrets\/dev\.yaml is unchanged\./);
  const failed = await cli(['secrets', 'edit', 'environments/secrets/dev.yaml'], { EDIT_MODE: 'fail' });
  assert.equal(failed.exitCode, 1);
  assert.match(failed.stderr, /exited with code 3; nothing was changed/);
  assert.equal(read('environments/secrets/dev.yaml'), before);
  assert.deepEqual(leftovers(iso.tmp), []);
});

test('edit creates a new secrets file from .sops.yaml without cleartext ever touching the repository', async () => {
  const r = await cli(['secrets', 'edit', 'environments/secrets/qa.yaml'], { EDIT_MODE: 'replace', EDIT_CONTENT: 'api:\n    token: qa-token-0123456789\n' });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout, 'Created environments/secrets/qa.yaml');
  assert.match(read('environments/secrets/qa.yaml'), /recipient: age15c3992ylldev8feaquy5g747qnegsyly07esku9a95rw2g43asyqfj7uxv/);
  assert.deepEqual(filesContaining(app.dir, 'qa-token-0123456789'), []);
  assert.deepEqual(await values('environments/secrets/qa.yaml'), { api: { token: 'qa-token-0123456789' } });
});

test('encrypt: in place, recipients from the matching creation rule; refuses twice and unmatched paths', async () => {
  writeFileSync(join(app.dir, 'environments/secrets/extra.yaml'), 'smtp:\n  password: smtp-pa55-word\n  port: 587\n');
  const r = await cli(['secrets', 'encrypt', 'environments/secrets/extra.yaml', '--output', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    file: 'environments/secrets/extra.yaml',
    format: 'yaml',
    config: '.sops.yaml',
    rule: 1,
    recipients: ['age age15c3992ylldev8feaquy5g747qnegsyly07esku9a95rw2g43asyqfj7uxv'],
  });
  assert.doesNotMatch(read('environments/secrets/extra.yaml'), /smtp-pa55-word/);
  assert.deepEqual(await values('environments/secrets/extra.yaml'), { smtp: { password: 'smtp-pa55-word', port: 587 } });
  const again = await cli(['secrets', 'encrypt', 'environments/secrets/extra.yaml']);
  assert.equal(again.exitCode, 1);
  assert.match(again.stderr, /environments\/secrets\/extra\.yaml is already encrypted/);
  mkdirSync(join(app.dir, 'config'), { recursive: true });
  writeFileSync(join(app.dir, 'config/other.yaml'), 'a: b\n');
  const unmatched = await cli(['secrets', 'encrypt', 'config/other.yaml']);
  assert.equal(unmatched.exitCode, 1);
  assert.match(unmatched.stderr, /error: config\/other\.yaml: no creation rule in \.sops\.yaml matches "config\/other\.yaml"\.\nhint: Add a creation rule whose path_regex matches/);
  assert.equal(read('config/other.yaml'), 'a: b\n');
});

test('rotate re-encrypts every value under a new data key', async () => {
  const before = read('environments/secrets/prod.yaml');
  const old = await values('environments/secrets/prod.yaml');
  const r = await cli(['secrets', 'rotate', 'environments/secrets/prod.yaml']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^Rotated the data key of environments\/secrets\/prod\.yaml \(age age15c3992/);
  const after = read('environments/secrets/prod.yaml');
  const encOf = (t: string) => t.match(/ENC\[[^\]]+\]/g)!;
  assert.equal(encOf(after).length, encOf(before).length);
  assert.ok(encOf(after).every((e) => !before.includes(e)), 'no ciphertext survives');
  assert.notEqual(/-----BEGIN AGE ENCRYPTED FILE-----[\s\S]+?-----END/.exec(after)![0], /-----BEGIN AGE ENCRYPTED FILE-----[\s\S]+?-----END/.exec(before)![0]);
  assert.deepEqual(await values('environments/secrets/prod.yaml'), old);
});

test('check: ok when everything is encrypted; exit 1 for a cleartext file or value, with file:line:col', async () => {
  const ok = await cli(['secrets', 'check']);
  assert.equal(ok.exitCode, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^environments\/secrets\/dev\.yaml: ok$/m);
  assert.match(ok.stdout, /\n\d+ files checked, 0 problems$/);
  const none = await cli(['secrets', 'check', 'environments/values/dev.yaml', 'charts']);
  assert.equal(none.exitCode, 0);
  assert.match(none.stdout, /^0 files checked, 0 problems$/m);

  writeFileSync(join(app.dir, 'environments/secrets/leak.yaml'), 'password: oops-cleartext\n');
  const prod = read('environments/secrets/prod.yaml');
  writeFileSync(join(app.dir, 'environments/secrets/prod.yaml'), prod.replace(/^( {4}password: ).*$/m, '$1pasted-in-cleartext'));
  try {
    const r = await cli(['secrets', 'check', '--output', 'json']);
    assert.equal(r.exitCode, 1);
    const result = JSON.parse(r.stdout);
    assert.equal(result.ok, false);
    const byFile = Object.fromEntries(result.files.map((f: any) => [f.file, f]));
    assert.deepEqual(byFile['environments/secrets/leak.yaml'].problems, [{ path: '', message: 'the file is not encrypted (no sops metadata)' }]);
    assert.match(byFile['environments/secrets/leak.yaml'].requiredBy[0], /^\.sops\.yaml rule 1/);
    assert.deepEqual(byFile['environments/secrets/prod.yaml'].requiredBy, [byFile['environments/secrets/prod.yaml'].requiredBy[0], 'secrets of environments/prod.yaml']);
    const [problem] = byFile['environments/secrets/prod.yaml'].problems;
    assert.equal(problem.path, 'database.password');
    assert.equal(problem.line, prod.split('\n').findIndex((l) => l.startsWith('    password:')) + 1);
    const text = await cli(['secrets', 'check', 'environments/secrets/prod.yaml']);
    assert.equal(text.exitCode, 1);
    assert.match(text.stdout, /^environments\/secrets\/prod\.yaml:\d+:15: database\.password: plaintext string where the file's rules require an encrypted value \(\.sops\.yaml rule 1 .*; secrets of environments\/prod\.yaml\)$/m);
  } finally {
    writeFileSync(join(app.dir, 'environments/secrets/prod.yaml'), prod);
  }
});
