import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hasSharedCorpus, runCli, SHARED_SKIP_REASON, sharedCorpus } from '../support/project.js';
import { fakeEditor, isolatedSecretsEnv } from '../support/secrets.js';

/*
 * How sops itself finds and applies `.sops.yaml` (getsops/sops config.LookupConfigFile,
 * parseCreationRuleForFile): the nearest one from the current directory upwards,
 * path_regex and encrypted_regex in Go syntax; and `--ignore-mac` for recovery.
 */

/** Public half of examples/demo-age-key.txt (the key isolatedSecretsEnv points SOPS_AGE_KEY_FILE at). */
const DEMO_AGE = 'age15c3992ylldev8feaquy5g747qnegsyly07esku9a95rw2g43asyqfj7uxv';
/** Another valid recipient, whose identity these tests do not have. */
const OTHER_AGE = 'age1rh2xsjg8avja92j3jhtttuczgmqkz89lezxt4e3mmp5ukl5j4f9smvteju';

let iso: ReturnType<typeof isolatedSecretsEnv>;
let editor: string;
const dirs: string[] = [];
before(() => {
  iso = isolatedSecretsEnv();
  editor = fakeEditor(iso.dir);
});
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  iso.remove();
});

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-sops-config-'));
  dirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    // A name ending in "/" is an empty directory.
    mkdirSync(rel.endsWith('/') ? join(dir, rel) : dirname(join(dir, rel)), { recursive: true });
    if (!rel.endsWith('/')) writeFileSync(join(dir, rel), content);
  }
  return dir;
}

const cli = (cwd: string, args: string[], env: Record<string, string> = {}) => runCli(['--cwd', cwd, ...args], { env: { ...iso.env, EDITOR: editor, ...env }, timeoutMs: 60_000 });

test('check works from .sops.yaml alone, with an empty environments/ directory', async () => {
  const dir = repo({
    '.sops.yaml': `creation_rules:\n  - path_regex: ^secrets/.*\\.yaml$\n    age: ${DEMO_AGE}\n`,
    'environments/': '',
    'secrets/leak.yaml': 'password: oops-cleartext\n',
  });
  const r = await cli(dir, ['secrets', 'check']);
  assert.equal(r.exitCode, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /No environment files/);
  assert.match(r.stdout, /^secrets\/leak\.yaml: the file is not encrypted \(no sops metadata\) \(\.sops\.yaml rule 1 \(path_regex \^secrets\/\.\*\\\.yaml\$\)\)$/m);
  assert.match(r.stdout, /^1 file checked, 1 problem$/m);
});

test('Go regexps in .sops.yaml: encrypt selects what sops selects, check catches cleartext pasted under them', async () => {
  const dir = repo({
    '.sops.yaml': `creation_rules:\n  - path_regex: '\\Asecrets/[[:alnum:]-]+\\.yaml\\z'\n    encrypted_regex: '^(?i:password|token)$'\n    age: ${DEMO_AGE}\n`,
    'secrets/app-eu.yaml': 'user: app\nPassword: s3cret-value\n',
  });
  const enc = await cli(dir, ['secrets', 'encrypt', 'secrets/app-eu.yaml']);
  assert.equal(enc.exitCode, 0, enc.stderr);
  const text = readFileSync(join(dir, 'secrets/app-eu.yaml'), 'utf8');
  assert.match(text, /^user: app$/m);
  assert.match(text, /^Password: ENC\[AES256_GCM,/m);
  assert.match(text, /^ {4}encrypted_regex: \^\(\?i:password\|token\)\$$/m);
  const ok = await cli(dir, ['secrets', 'check']);
  assert.equal(ok.exitCode, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^secrets\/app-eu\.yaml: ok\n1 file checked, 0 problems$/m);

  writeFileSync(join(dir, 'secrets/app-eu.yaml'), text.replace('sops:\n', 'TOKEN: pasted-cleartext\nsops:\n'));
  const leak = await cli(dir, ['secrets', 'check']);
  assert.equal(leak.exitCode, 1, leak.stdout + leak.stderr);
  assert.match(leak.stdout, /^secrets\/app-eu\.yaml:3:8: TOKEN: plaintext string where the file's rules require an encrypted value/m);
});

test('.sops.yaml is the nearest one from the current directory up, as sops looks it up; .sops.yml is ignored with a warning', async () => {
  const dir = repo({
    '.sops.yaml': `creation_rules:\n  - path_regex: ^secrets/\n    age: ${DEMO_AGE}\n`,
    // sops run from the repository root never reads this one, however close it is to the file.
    'secrets/.sops.yaml': `creation_rules:\n  - age: ${OTHER_AGE}\n`,
    'secrets/a.yaml': 'token: a-value\n',
    'secrets/b.yaml': 'token: b-value\n',
    'tools/.sops.yml': `creation_rules:\n  - age: ${OTHER_AGE}\n`,
  });
  const fromRoot = await cli(dir, ['secrets', 'encrypt', 'secrets/a.yaml']);
  assert.equal(fromRoot.exitCode, 0, fromRoot.stderr);
  assert.equal(fromRoot.stdout, `Encrypted secrets/a.yaml for age ${DEMO_AGE} (rule 1 of .sops.yaml)`);
  // From a subdirectory the walk goes up to the root's .sops.yaml; path_regex still sees the path relative to it.
  const fromSub = await cli(join(dir, 'tools'), ['secrets', 'encrypt', '../secrets/b.yaml']);
  assert.equal(fromSub.exitCode, 0, fromSub.stderr);
  assert.match(fromSub.stdout, new RegExp(`^Encrypted .*secrets/b\\.yaml for age ${DEMO_AGE} \\(rule 1 of .*/\\.sops\\.yaml\\)$`));
  assert.match(fromSub.stderr, /warning: ignoring \.sops\.yml: the sops config file must be called \.sops\.yaml; using .*\/\.sops\.yaml instead/);
  const decrypted = await cli(dir, ['secrets', 'decrypt', 'secrets/b.yaml']);
  assert.equal(decrypted.exitCode, 0, decrypted.stderr);
  assert.equal(decrypted.stdout, 'token: b-value');
});

test('a file outside the .sops.yaml directory is matched by its absolute path, as sops does', async () => {
  const dir = repo({
    'app/.sops.yaml': `creation_rules:\n  - path_regex: ^shared/\n    age: ${OTHER_AGE}\n  - path_regex: ^/.*/shared/db\\.yaml$\n    age: ${DEMO_AGE}\n`,
    'shared/db.yaml': 'password: db-value\n',
  });
  const r = await cli(join(dir, 'app'), ['secrets', 'encrypt', '../shared/db.yaml']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Encrypted .*/shared/db\\.yaml for age ${DEMO_AGE} \\(rule 2 of \\.sops\\.yaml\\)$`));
});

test('--ignore-mac decrypts and edits a file whose MAC does not match, warning loudly', async () => {
  const dir = repo({
    '.sops.yaml': `creation_rules:\n  - encrypted_regex: ^password$\n    age: ${DEMO_AGE}\n`,
    'app.yaml': 'user: app\npassword: s3cret-value\n',
  });
  assert.equal((await cli(dir, ['secrets', 'encrypt', 'app.yaml'])).exitCode, 0);
  // A cleartext value changed by hand: every value still decrypts, the MAC no longer matches.
  const file = join(dir, 'app.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('user: app', 'user: changed'));
  const refused = await cli(dir, ['secrets', 'decrypt', 'app.yaml']);
  assert.equal(refused.exitCode, 1);
  assert.match(refused.stderr, /app\.yaml: MAC mismatch/);

  const recovered = await cli(dir, ['secrets', 'decrypt', '--ignore-mac', 'app.yaml']);
  assert.equal(recovered.exitCode, 0, recovered.stderr);
  assert.equal(recovered.stdout, 'user: changed\npassword: s3cret-value');
  assert.match(recovered.stderr, /^warning: app\.yaml: MAC mismatch: .* IGNORED because of --ignore-mac: the values may have been altered/m);

  const edited = await cli(dir, ['secrets', 'edit', '--ignore-mac', 'app.yaml'], { EDIT_MODE: 'sed', EDIT_FROM: 'user: changed', EDIT_TO: 'user: app' });
  assert.equal(edited.exitCode, 0, edited.stderr);
  assert.match(edited.stderr, /IGNORED because of --ignore-mac/);
  // Saving wrote a new MAC: the file decrypts normally again.
  const clean = await cli(dir, ['secrets', 'decrypt', 'app.yaml']);
  assert.equal(clean.exitCode, 0, clean.stderr);
  assert.equal(clean.stdout, 'user: app\npassword: s3cret-value');
  assert.equal(clean.stderr, '');
});

const hasGpg = spawnSync('gpg', ['--version'], { stdio: 'ignore' }).status === 0;

/** sops' own functional test decrypt_file_no_mac, on its res/no_mac.yaml (PGP, the functional tests' key). */
test('--ignore-mac decrypts sops\' no_mac.yaml, which plain decrypt refuses (sops functional test decrypt_file_no_mac)', { skip: !hasSharedCorpus ? SHARED_SKIP_REASON : hasGpg ? false : 'gpg is not installed' }, async () => {
  const upstream = join(sharedCorpus, 'sops-upstream');
  const dir = repo({});
  copyFileSync(join(upstream, 'functional-tests', 'res', 'no_mac.yaml'), join(dir, 'no_mac.yaml'));
  const gnupg = mkdtempSync(join(tmpdir(), 'chartctl-gnupg-'));
  const env = { GNUPGHOME: gnupg };
  try {
    execFileSync('gpg', ['--batch', '--quiet', '--import', join(upstream, 'pgp', 'sops_functional_tests_key.asc')], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const refused = await cli(dir, ['secrets', 'decrypt', 'no_mac.yaml'], env);
    assert.equal(refused.exitCode, 1);
    assert.match(refused.stderr, /^error: no_mac\.yaml: MAC mismatch: the file has no MAC\.$/m);
    const recovered = await cli(dir, ['secrets', 'decrypt', '--ignore-mac', 'no_mac.yaml'], env);
    assert.equal(recovered.exitCode, 0, recovered.stderr);
    assert.match(recovered.stdout, /^myapp1: \S+/m);
    assert.match(recovered.stderr, /^warning: no_mac\.yaml: MAC mismatch: the file has no MAC\. IGNORED because of --ignore-mac/m);
  } finally {
    spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    rmSync(gnupg, { recursive: true, force: true });
  }
});
