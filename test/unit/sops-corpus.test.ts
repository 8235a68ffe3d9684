import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretsReader } from '../../src/adapters/secrets-factory.js';
import type { OpenedSopsFile } from '../../src/core/sops/open-document.js';
import { emitPlainText, openSopsText, sealSopsText } from '../../src/core/sops/sops-file.js';
import { treeToValues } from '../../src/core/sops/to-values.js';
import type { FileFormat } from '../../src/core/sops/types.js';
import { decryptValue } from '../../src/core/sops/value-cipher.js';
import { canonicalTimestamp } from '../../src/core/sops/metadata.js';
import { hasSharedCorpus, SHARED_SKIP_REASON, sharedCorpus } from '../support/project.js';

/*
 * Conformance with the real sops, checked against files sops itself wrote
 * (../shared/corpus/sops, from helm-secrets' test assets):
 *
 * 1. Decrypting them verifies their MAC: our walk order, value encoding
 *    (Go's ToBytes: canonical ints, 'f'-format floats, True/False) and SHA-512
 *    over the cleartext values match sops', and the MAC is opened with the
 *    data key and `lastmodified` as additional data, like sops does.
 * 2. The cleartext equals the decrypted twins sops produced (types, key order,
 *    multi-line strings, binary files byte for byte).
 * 3. Re-encrypting the decrypted tree with the same data key and IVs gives
 *    byte-identical ENC[...] values: same additional data (key path joined by
 *    ':' plus ':'), same type tags, same base64 layout. Our MAC over that tree
 *    equals the MAC sops stored. Our `sops:` block has sops' fields in sops'
 *    order (minus the empty key lists sops 3.10+ also omits), and for files
 *    written by yaml.v3-era sops the whole encrypted file is byte-identical
 *    apart from those omitted lines and the MAC's own ciphertext (fresh IV).
 *
 * Since the real sops reads a file by exactly these rules, a file chartctl
 * writes is one sops accepts.
 */

const assets = join(sharedCorpus, 'sops', 'tests', 'assets');
const values = join(assets, 'values', 'sops');
const skip = hasSharedCorpus ? false : SHARED_SKIP_REASON;
const hasGpg = spawnSync('gpg', ['--version'], { stdio: 'ignore' }).status === 0;

function reader(env: NodeJS.ProcessEnv) {
  // HOME/XDG_CONFIG_HOME point at an empty dir so no personal age key file is picked up.
  const home = mkdtempSync(join(tmpdir(), 'chartctl-corpus-home-'));
  return { reader: createSecretsReader({ PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: home, ...env }), done: () => rmSync(home, { recursive: true, force: true }) };
}

async function openCorpus(name: string, env: NodeJS.ProcessEnv, format: FileFormat = 'yaml'): Promise<{ text: string; opened: OpenedSopsFile }> {
  const text = readFileSync(join(values, name), 'utf8');
  const r = reader(env);
  try {
    const opened = await openSopsText(text, { file: name, format, keepIvs: true }, (k) => r.reader.keys.unwrap(k));
    return { text, opened };
  } finally {
    r.done();
  }
}

function metadataKeys(text: string): string[] {
  const block = text.slice(text.indexOf('\nsops:\n') + 7);
  return [...block.matchAll(/^ {4}(\w+):(.*)$/gm)].filter((m) => m[2]!.trim() !== '[]').map((m) => m[1]!);
}

/** Re-encrypts the decrypted tree like an edit that changed nothing, at the file's own lastmodified. */
function reseal(name: string, text: string, opened: OpenedSopsFile): string {
  const { keyGroups, shamirThreshold, rules, version, lastModified } = opened.metadata;
  const out = sealSopsText(opened.branches, opened.format, { keyGroups, shamirThreshold, rules, version }, opened.dataKey, new Date(lastModified), name, opened.stash);
  const macOf = (t: string) => decryptValue(/^ {4}mac: (.*)$/m.exec(t)![1]!, opened.dataKey, canonicalTimestamp(lastModified)!).plain.toString();
  assert.equal(macOf(out), macOf(text), `${name}: our MAC equals the MAC sops stored`);
  const data = (t: string) => t.slice(0, t.indexOf('\nsops:\n'));
  assert.equal(data(out), data(text), `${name}: same ENC values byte for byte (same additional data and encoding)`);
  assert.deepEqual(metadataKeys(out), metadataKeys(text), `${name}: sops metadata fields in sops' order`);
  return out;
}

test('age: a file sops encrypted decrypts, verifies its MAC, and re-encrypts to the same bytes', { skip }, async () => {
  const { text, opened } = await openCorpus('secrets.age.yaml', { SOPS_AGE_KEY_FILE: join(assets, 'age', 'key.txt') });
  const got = treeToValues(opened.branches, 'secrets.age.yaml') as { global_secret: string; key: string; service: { port: number } };
  assert.deepEqual(Object.keys(got), ['global_secret', 'key', 'service']);
  assert.equal(got.global_secret, 'global_age');
  assert.equal(got.service.port, 92);
  // The multi-line value equals the one in sops' decrypted twin of the PGP-encrypted variant.
  const twin = readFileSync(join(values, 'secrets.dec.yaml'), 'utf8');
  assert.ok(twin.includes(emitPlainText(opened.branches, 'yaml').split('\nservice:')[0]!.split('key: |-\n')[1]!));
  assert.match(got.key, /^-----BEGIN PGP MESSAGE-----\n\n[\s\S]+-----END PGP MESSAGE-----$/);
  const out = reseal('secrets.age.yaml', text, opened);
  const withoutEmptyListsAndMac = (t: string) => t.split('\n').filter((l) => !/^ {4}\w+: \[\]$/.test(l) && !/^ {4}mac: /.test(l)).join('\n');
  assert.equal(withoutEmptyListsAndMac(out), withoutEmptyListsAndMac(text), 'the whole file, sops block included, matches sops 3.7 output');
});

test('age: the same file with a wrong key is refused without printing anything of the plaintext', { skip }, async () => {
  const text = readFileSync(join(values, 'secrets.age.yaml'), 'utf8');
  const r = reader({ SOPS_AGE_KEY: 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX' });
  try {
    await assert.rejects(openSopsText(text, { file: 'secrets.age.yaml', format: 'yaml' }, (k) => r.reader.keys.unwrap(k)), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SOPS_NO_DATA_KEY');
      assert.match(err.message, /secrets\.age\.yaml: cannot decrypt the data key: age age1rh2xsjg8.*none of the 1 age identity from SOPS_AGE_KEY can decrypt it/);
      assert.doesNotMatch(err.message, /global_age|AGE-SECRET-KEY/);
      return true;
    });
  } finally {
    r.done();
  }
});

test('pgp (through gpg): files sops encrypted decrypt to their decrypted twins exactly', { skip: skip || (hasGpg ? false : 'gpg is not installed') }, async () => {
  const gnupg = mkdtempSync(join(tmpdir(), 'chartctl-gnupg-'));
  const env = { GNUPGHOME: gnupg };
  try {
    execFileSync('gpg', ['--batch', '--quiet', '--import', join(assets, 'gpg', 'private.gpg')], { env: { ...process.env, ...env }, stdio: 'ignore' });
    // sops' twins of YAML files end with one extra blank line (how they were saved); the content is ours byte for byte.
    for (const [name, twin] of [
      ['secrets.yaml', 'secrets.dec.yaml'],
      ['some-secrets.yaml', 'some-secrets.dec.yaml'],
      ['some-secrets.windows.yaml', 'some-secrets.dec.yaml'],
    ]) {
      const { opened } = await openCorpus(name!, env);
      assert.equal(`${emitPlainText(opened.branches, 'yaml')}\n`, readFileSync(join(values, twin!), 'utf8'), name);
      const port = (treeToValues(opened.branches, name!) as { service: { port: unknown } }).service.port;
      assert.equal(typeof port, 'number', `${name}: the int stays an int`);
    }
    for (const [name, twin] of [
      ['secrets.trailing-newline.raw', 'secrets.trailing-newline.dec.raw'],
      ['files/file.properties', 'files/file.txt'],
    ]) {
      const { opened } = await openCorpus(name!, env, 'binary');
      assert.equal(emitPlainText(opened.branches, 'binary'), readFileSync(join(values, twin!), 'utf8'), name);
    }
    const { opened: json } = await openCorpus('files/file.json', env, 'json');
    assert.equal(emitPlainText(json.branches, 'json'), '{\n\t"hello": "fromextrafile"\n}\n');
    // Written by sops 3.13: multi-line strings with trailing newlines, and the current metadata layout.
    const trailing = await openCorpus('secrets.trailing-newline.yaml', env);
    const annotations = (treeToValues(trailing.opened.branches, 'x') as { podAnnotations: Record<string, string> }).podAnnotations;
    assert.deepEqual(Object.keys(annotations), ['value1', 'value2', 'value3', 'finalnewline']);
    assert.ok(Object.values(annotations).every((v) => v.endsWith('\n')));
    reseal('secrets.trailing-newline.yaml', trailing.text, trailing.opened);
  } finally {
    spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    rmSync(gnupg, { recursive: true, force: true });
  }
});
