import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretsReader } from '../../src/adapters/secrets-factory.js';
import { isChartctlError } from '../../src/core/errors.js';
import { detectFormat, type OpenedSopsFile } from '../../src/core/sops/open-document.js';
import { emitPlainText, openSopsText, parsePlainText, sealSopsText } from '../../src/core/sops/sops-file.js';
import { treeToValues } from '../../src/core/sops/to-values.js';
import { hasSharedCorpus, projectRoot, SHARED_SKIP_REASON, sharedCorpus } from '../support/project.js';
import { demoAgeKeyFile } from '../support/secrets.js';

/*
 * sops' dotenv and INI stores, against files the real sops wrote
 * (test/fixtures/sops-stores: sops' own example and functional-test files,
 * master key swapped for the demo age key; see its README). Decrypting
 * verifies the MAC sops stored; re-encrypting the same cleartext with the
 * same data key and IVs must give sops' bytes, so a file chartctl writes is
 * laid out exactly as sops writes it.
 */

const fixtures = join(projectRoot, 'test', 'fixtures', 'sops-stores');
const upstream = join(sharedCorpus, 'sops-upstream');
const hasGpg = spawnSync('gpg', ['--version'], { stdio: 'ignore' }).status === 0;

async function open(path: string, env: NodeJS.ProcessEnv): Promise<{ text: string; opened: OpenedSopsFile }> {
  const home = mkdtempSync(join(tmpdir(), 'chartctl-stores-home-'));
  try {
    const reader = createSecretsReader({ PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: home, ...env });
    const text = readFileSync(path, 'utf8');
    const opened = await openSopsText(text, { file: path, format: detectFormat(path, text), keepIvs: true }, (k) => reader.keys.unwrap(k));
    return { text, opened };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const openFixture = (name: string) => open(join(fixtures, name), { SOPS_AGE_KEY_FILE: demoAgeKeyFile });

/** Encrypts `plain` as chartctl does, under the file's data key, IVs and lastmodified. */
function encryptLike(opened: OpenedSopsFile, plain: string, name: string): string {
  const doc = parsePlainText(plain, opened.format, name);
  assert.equal(doc.metadata, undefined, `${name}: the cleartext has no metadata`);
  const { keyGroups, shamirThreshold, rules, version, lastModified } = opened.metadata;
  return sealSopsText(doc.branches, opened.format, { keyGroups, shamirThreshold, rules, version }, opened.dataKey, new Date(lastModified), name, opened.stash);
}

/** The MAC's own ciphertext has a fresh IV each time; everything else must be equal. */
const withoutMac = (text: string) => text.replace(/^(sops_mac=|mac +=).*$/m, '$1…');
const dataPart = (text: string) => text.slice(0, text.indexOf('[sops]\n'));

const EXAMPLE_INI_CLEARTEXT = `; An example file for use with sops!
[name]
firstName = John
lastName  = Smith
age       = 25.4

[address]
city          = New York
postalCode    = 10021-3100
state         = NY
streetAddress = 21 2nd Street

[phoneNumbers]
home   = 212 555-1234
office = 646 555-4567

[not private]
notsecret_unencrypted = hi there!
`;

test('INI written by sops 3.5 (example.ini): MAC verifies, the cleartext is what sops -d prints, comments included', async () => {
  const { text, opened } = await openFixture('example.ini');
  assert.equal(opened.format, 'ini');
  const plain = emitPlainText(opened.branches, 'ini');
  assert.equal(plain, EXAMPLE_INI_CLEARTEXT);
  assert.deepEqual((treeToValues(opened.branches, 'example.ini') as Record<string, Record<string, string>>)['not private'], { notsecret_unencrypted: 'hi there!' });
  // Same ciphertext for every value and the encrypted comment: same additional data (section:key:), same encoding.
  const ours = encryptLike(opened, plain, 'example.ini');
  assert.equal(dataPart(ours), dataPart(text));
  // sops 3.5 wrote [sops] in Go map order; chartctl writes today's sorted order, which sops reads the same.
  assert.match(ours, /\n\[sops\]\nage__list_0__map_enc {7}= -----BEGIN AGE ENCRYPTED FILE-----\\n.*\nage__list_0__map_recipient = age1\w+\nlastmodified {15}= 2019-12-10T22:45:52Z\nmac {24}= ENC\[.*\nunencrypted_suffix {9}= _unencrypted\nversion {20}= 3\.5\.0\n$/);
});

test('INI written by sops 3.13: a file chartctl encrypts is byte-identical to the one sops wrote (apart from the MAC IV)', async () => {
  for (const name of ['format.enc.ini', 'format-2.enc.ini']) {
    const { text, opened } = await openFixture(name);
    const plain = emitPlainText(opened.branches, 'ini');
    assert.equal(plain, '[foo]\nbar = baz\n', name);
    const ours = encryptLike(opened, plain, name);
    if (name === 'format.enc.ini') assert.equal(withoutMac(ours), withoutMac(text), `${name}: whole file`);
    // sops 3.13.1 wrote the multi-line age key in """ (a regression fixed in 3.13.2); chartctl writes \n like 3.13.2.
    else assert.equal(dataPart(ours), dataPart(text), `${name}: data part`);
  }
});

test('dotenv written by sops 3.13: key and value are split at the first "=" untrimmed, and re-encryption gives sops\' bytes', async () => {
  const { text, opened } = await openFixture('format.enc.env');
  assert.equal(opened.format, 'dotenv');
  const plain = emitPlainText(opened.branches, 'dotenv');
  assert.equal(plain, 'foo = bar\n');
  assert.deepEqual(treeToValues(opened.branches, 'format.enc.env'), { 'foo ': ' bar' });
  assert.equal(withoutMac(encryptLike(opened, plain, 'format.enc.env')), withoutMac(text));
});

test("INI reader follows gopkg.in/ini.v1 as sops uses it: comments, quotes, inline comments, continuation, repeated keys", () => {
  const input = [
    'top = 1',
    '# about db',
    '[db]',
    '; the password',
    'password = "s3cr3t"',
    'url = postgres://h:5432/x ; inline',
    'multi = """line1',
    'line2"""',
    'tick = `a;b#c`',
    'cont = part1 \\',
    '   part2',
    'padded = "  two spaces  "',
    'dup = first',
    'dup = second',
    'colon: yes',
    '',
  ].join('\n');
  const doc = parsePlainText(input, 'ini', 'x.ini');
  assert.deepEqual(treeToValues(doc.branches, 'x.ini'), {
    DEFAULT: { top: '1' },
    db: { password: 's3cr3t', url: 'postgres://h:5432/x', multi: 'line1\nline2', tick: 'a;b#c', cont: 'part1 part2', padded: '  two spaces  ', dup: 'second', colon: 'yes' },
  });
  // Written back by ini.v1's rules: keys aligned, values quoted where they must be, comments before their key.
  assert.equal(
    emitPlainText(doc.branches, 'ini'),
    [
      'top = 1',
      '',
      '; about db',
      '[db]',
      '; the password',
      'password = s3cr3t',
      '; inline',
      'url      = postgres://h:5432/x',
      'multi    = """line1\nline2"""',
      'tick     = `a;b#c`',
      'cont     = part1 part2',
      'padded   = "  two spaces  "',
      'dup      = second',
      'colon    = yes',
      '',
    ].join('\n'),
  );
  assert.throws(() => parsePlainText('[db]\nno delimiter here\n', 'ini', 'x.ini'), (e: unknown) => isChartctlError(e) && e.code === 'SOPS_BAD_INI' && /x\.ini:2: a line has no = or :/.test(e.message));
  assert.throws(() => parsePlainText('[db]\nv = """never closed\n', 'ini', 'x.ini'), (e: unknown) => isChartctlError(e) && e.code === 'SOPS_BAD_INI' && /never closed/.test(e.message));
});

test('dotenv reader follows sops: # comments, \\n for newlines, empty lines dropped, a line without "=" refused with its number', () => {
  const doc = parsePlainText('# comment\nA=1\nB=x\\ny\n\nC==d\nexport D = e\n', 'dotenv', 'x.env');
  assert.deepEqual(treeToValues(doc.branches, 'x.env'), { A: '1', B: 'x\ny', C: '=d', 'export D ': ' e' });
  assert.equal(emitPlainText(doc.branches, 'dotenv'), '# comment\nA=1\nB=x\\ny\nC==d\nexport D = e\n');
  assert.throws(() => parsePlainText('A=1\n  # indented is no comment\n', 'dotenv', 'x.env'), (e: unknown) => isChartctlError(e) && e.code === 'SOPS_BAD_DOTENV' && /x\.env:2: not a KEY=VALUE line/.test(e.message));
  assert.equal(detectFormat('environments/secrets/app.env'), 'dotenv');
  assert.equal(detectFormat('config/app.ini'), 'ini');
});

test(
  "the originals sops wrote (shared corpus, functional-test PGP key) decrypt with a valid MAC; format.enc.ini re-encrypts to sops' bytes",
  { skip: hasSharedCorpus ? (hasGpg ? false : 'gpg is not installed') : SHARED_SKIP_REASON },
  async () => {
    const gnupg = mkdtempSync(join(tmpdir(), 'chartctl-gnupg-'));
    const env = { GNUPGHOME: gnupg };
    try {
      execFileSync('gpg', ['--batch', '--quiet', '--import', join(upstream, 'pgp', 'sops_functional_tests_key.asc')], { env: { ...process.env, ...env }, stdio: 'ignore' });
      const expected: Record<string, string> = {
        'example.ini': EXAMPLE_INI_CLEARTEXT,
        'functional-tests/res/format.enc.ini': '[foo]\nbar = baz\n',
        'functional-tests/res/format-2.enc.ini': '[foo]\nbar = baz\n',
        'functional-tests/res/format.enc.env': 'foo = bar\n',
      };
      for (const [name, plain] of Object.entries(expected)) {
        const { text, opened } = await open(join(upstream, name), env);
        assert.equal(emitPlainText(opened.branches, opened.format), plain, name);
        const ours = encryptLike(opened, plain, name);
        if (name.endsWith('format.enc.ini') || name.endsWith('.env')) assert.equal(withoutMac(ours), withoutMac(text), `${name}: whole file`);
        else assert.equal(dataPart(ours), dataPart(text), `${name}: data part`);
      }
    } finally {
      spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, ...env }, stdio: 'ignore' });
      rmSync(gnupg, { recursive: true, force: true });
    }
  },
);

test('dotenv and INI secrets are for the secrets commands only: an environment listing one gets a clear refusal, not helm values', async () => {
  const reader = createSecretsReader({ PATH: process.env.PATH, SOPS_AGE_KEY_FILE: demoAgeKeyFile });
  for (const name of ['format.enc.env', 'format.enc.ini']) {
    await assert.rejects(reader.decryptFile(join(fixtures, name), name), (e: unknown) => isChartctlError(e) && e.code === 'SECRETS_NOT_VALUES' && e.message.includes(`${name}: a sops ${name.endsWith('.env') ? 'dotenv' : 'ini'} file cannot be used as helm values`));
  }
});
