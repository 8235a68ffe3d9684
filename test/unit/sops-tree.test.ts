import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isChartctlError } from '../../src/core/errors.js';
import { newDataKey } from '../../src/core/sops/data-key.js';
import { WRITTEN_SOPS_VERSION, withDefaultRule } from '../../src/core/sops/metadata.js';
import { emitPlainText, openSopsText, parsePlainText, sealSopsText } from '../../src/core/sops/sops-file.js';
import { treeToValues } from '../../src/core/sops/to-values.js';
import type { EncryptionRules, FileFormat } from '../../src/core/sops/types.js';

const NOW = new Date('2024-05-06T07:08:09.123Z');

function seal(plain: string, format: FileFormat = 'yaml', rules: EncryptionRules = {}) {
  const dataKey = newDataKey();
  const doc = parsePlainText(plain, format, 'f');
  const text = sealSopsText(
    doc.branches,
    format,
    { keyGroups: [[{ type: 'age', recipient: 'age1test', enc: 'unused' }]], version: WRITTEN_SOPS_VERSION, rules: withDefaultRule(rules) },
    dataKey,
    NOW,
    'f',
  );
  return { text, dataKey };
}

const open = (text: string, dataKey: Uint8Array, format: FileFormat = 'yaml', keepIvs = false) =>
  openSopsText(text, { file: 'secrets.yaml', format, keepIvs }, async () => dataKey);

async function rejects(p: Promise<unknown>, code: string, forbidden: string[] = []): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(isChartctlError(err), String(err));
    assert.equal(err.code, code, err.message);
    for (const f of forbidden) assert.ok(!err.message.includes(f) && !(err.hint ?? '').includes(f), `error leaks ${f}: ${err.message}`);
    return err.message;
  }
  assert.fail(`expected ${code}`);
}

const PLAIN = `# database settings
database:
    password: s3cr3t-Pa55 # rotate yearly
    port: 5432
    ratio: 0.75
    whole: 2.0
    tls: true
    nothing: null
    empty: ""
    hosts:
        - db-1.internal
        - 10
    pem: |
        -----BEGIN KEY-----
        MIIEvQIBADANBgkq
        -----END KEY-----
token_unencrypted: visible-token
`;

test('every value type, lists, multi-line strings and comments survive a round trip', async () => {
  const { text, dataKey } = seal(PLAIN);
  for (const secret of ['s3cr3t-Pa55', '5432', 'db-1.internal', 'MIIEvQIBADANBgkq', 'rotate yearly', 'database settings']) assert.ok(!text.includes(secret), `${secret} is in cleartext`);
  assert.match(text, /^token_unencrypted: visible-token$/m, 'the _unencrypted suffix keeps a value readable');
  assert.match(text, /port: ENC\[AES256_GCM,[^\]]+type:int\]/);
  assert.match(text, /ratio: ENC\[AES256_GCM,[^\]]+type:float\]/);
  assert.match(text, /tls: ENC\[AES256_GCM,[^\]]+type:bool\]/);
  assert.match(text, /^#ENC\[AES256_GCM,[^\]]+type:comment\]$/m);
  assert.match(text, /^ {4}empty: ""$/m, 'empty strings stay as they are, like sops');
  assert.match(text, /^ {4}nothing: null$/m);

  const opened = await open(text, dataKey);
  assert.equal(
    emitPlainText(opened.branches, 'yaml'),
    `# database settings
database:
    password: s3cr3t-Pa55
    # rotate yearly
    port: 5432
    ratio: 0.75
    whole: 2
    tls: true
    nothing: null
    empty: ""
    hosts:
        - db-1.internal
        - 10
    pem: |
        -----BEGIN KEY-----
        MIIEvQIBADANBgkq
        -----END KEY-----
token_unencrypted: visible-token
`,
    'a whole float is written `2`, as yaml.v3 (sops -d) writes it',
  );
  assert.deepEqual(treeToValues(opened.branches, 'f'), {
    database: { password: 's3cr3t-Pa55', port: 5432, ratio: 0.75, whole: 2, tls: true, nothing: null, empty: '', hosts: ['db-1.internal', 10], pem: '-----BEGIN KEY-----\nMIIEvQIBADANBgkq\n-----END KEY-----\n' },
    token_unencrypted: 'visible-token',
  });
});

test('encrypted_regex, unencrypted_regex and encrypted_suffix select what is encrypted', async () => {
  const plain = 'data:\n    password: p4ssword-1\nmetadata:\n    name: app\nkey_secret: k3y-value\n';
  const byRegex = seal(plain, 'yaml', { encryptedRegex: '^(data|stringData)$' });
  assert.match(byRegex.text, /name: app/);
  assert.doesNotMatch(byRegex.text, /p4ssword-1/);
  assert.match(byRegex.text, /key_secret: k3y-value/);
  assert.match(byRegex.text, /encrypted_regex: \^\(data\|stringData\)\$/);
  const unRegex = seal(plain, 'yaml', { unencryptedRegex: '^metadata$' });
  assert.match(unRegex.text, /name: app/);
  assert.doesNotMatch(unRegex.text, /k3y-value/);
  const suffix = seal(plain, 'yaml', { encryptedSuffix: '_secret' });
  assert.match(suffix.text, /p4ssword-1/);
  assert.doesNotMatch(suffix.text, /k3y-value/);
  for (const s of [byRegex, unRegex, suffix]) assert.deepEqual(treeToValues((await open(s.text, s.dataKey)).branches, 'f'), { data: { password: 'p4ssword-1' }, metadata: { name: 'app' }, key_secret: 'k3y-value' });
});

test('encrypted_comment_regex encrypts what follows a marker comment, not the marker', async () => {
  const { text, dataKey } = seal('# sops:enc\npassword: hidden-value\nuser: visible-user\n', 'yaml', { encryptedCommentRegex: 'sops:enc' });
  assert.match(text, /^# sops:enc$/m);
  assert.doesNotMatch(text, /hidden-value/);
  assert.match(text, /user: visible-user/);
  assert.deepEqual(treeToValues((await open(text, dataKey)).branches, 'f'), { password: 'hidden-value', user: 'visible-user' });
});

test('the MAC catches removed, reordered and altered values; mac_only_encrypted ignores cleartext values', async () => {
  const { text, dataKey } = seal('a: alpha-value\nb: beta-value\nc_unencrypted: gamma\n');
  await open(text, dataKey);
  const lines = text.split('\n');
  const [a, b] = [lines[0]!, lines[1]!];
  await rejects(open(lines.slice(1).join('\n'), dataKey), 'SOPS_MAC_MISMATCH', ['alpha-value', 'beta-value']);
  await rejects(open([b, a, ...lines.slice(2)].join('\n'), dataKey), 'SOPS_MAC_MISMATCH');
  await rejects(open(text.replace('gamma', 'delta'), dataKey), 'SOPS_MAC_MISMATCH');
  await rejects(open(text.replace(/lastmodified: "[^"]+"/, 'lastmodified: "2030-01-01T00:00:00Z"'), dataKey), 'SOPS_MAC_MISMATCH');
  // A value moved to another key fails authentication: it is bound to its path.
  const moved = [`a: ${b.slice(3)}`, `b: ${a.slice(3)}`, ...lines.slice(2)].join('\n');
  const message = await rejects(open(moved, dataKey), 'SOPS_VALUE_TAMPERED', ['alpha-value', 'beta-value']);
  assert.match(message, /^secrets\.yaml:1:4: cannot decrypt a: /);
  await rejects(open(text.replace(a, 'a: typed-in-cleartext'), dataKey), 'SOPS_PLAINTEXT_VALUE', ['typed-in-cleartext']);
  await rejects(open(text.replace(a, 'a: 42'), dataKey), 'SOPS_PLAINTEXT_VALUE');

  const macOnly = seal('a: alpha-value\nc_unencrypted: gamma\n', 'yaml', { macOnlyEncrypted: true });
  assert.match(macOnly.text, /mac_only_encrypted: true/);
  await open(macOnly.text.replace('gamma', 'delta'), macOnly.dataKey);
  const full = await open(text, dataKey);
  const onlyMac = await open(macOnly.text, macOnly.dataKey);
  assert.notEqual(full.metadata.mac, onlyMac.metadata.mac);
});

test('re-sealing with the IV stash keeps unchanged ciphertexts identical', async () => {
  const { text, dataKey } = seal('a: alpha-value\nb: beta-value\n# note\nlist:\n    - one\n    - two\n');
  const opened = await open(text, dataKey, 'yaml', true);
  const edited = opened.branches.map((b) => ({ ...b, items: b.items.map((i) => ('key' in i && i.key === 'b' ? { ...i, value: { kind: 'scalar' as const, type: 'str' as const, text: 'beta-changed' } } : i)) }));
  const again = sealSopsText(edited, 'yaml', { keyGroups: opened.metadata.keyGroups, rules: opened.metadata.rules, version: opened.metadata.version }, dataKey, new Date('2024-06-01T00:00:00Z'), 'f', opened.stash);
  const before = text.split('\n');
  const after = again.split('\n');
  const changed = after.filter((l) => !before.includes(l)).map((l) => l.split(':')[0]);
  assert.deepEqual(changed, ['b', '    lastmodified', '    mac']);
  assert.equal(treeToValues((await open(again, dataKey)).branches, 'f').b, 'beta-changed');
});

test('JSON files keep key order, integer/float types and the tab layout', async () => {
  const plain = '{"z": "last-first", "n": 3, "f": 1.5, "ok": false, "list": [1, "two"], "nested": {"k": "v<&>"}, "none": null}';
  const { text, dataKey } = seal(plain, 'json');
  assert.match(text, /^\{\n\t"z": "ENC\[AES256_GCM,/);
  assert.match(text, /\n\t"sops": \{\n\t\t"age": \[/);
  assert.match(text, /"none": null/);
  const opened = await open(text, dataKey, 'json');
  assert.equal(
    emitPlainText(opened.branches, 'json'),
    '{\n\t"z": "last-first",\n\t"n": 3,\n\t"f": 1.5,\n\t"ok": false,\n\t"list": [\n\t\t1,\n\t\t"two"\n\t],\n\t"nested": {\n\t\t"k": "v\\u003c\\u0026\\u003e"\n\t},\n\t"none": null\n}\n',
  );
});

test('binary files are one encrypted "data" string', async () => {
  const content = 'KEY=value\nOTHER=1\n';
  const { text, dataKey } = seal(content, 'binary');
  assert.match(text, /^\{\n\t"data": "ENC\[AES256_GCM,/);
  assert.equal(emitPlainText((await open(text, dataKey, 'binary')).branches, 'binary'), content);
});

test('several YAML documents are encrypted together under one MAC; aliases become copies', async () => {
  const { text, dataKey } = seal('base: &b\n    user: shared-user\ncopy: *b\n---\nsecond: doc-two\n');
  assert.equal(text.match(/^sops:$/gm)?.length, 2);
  assert.doesNotMatch(text, /&b|\*b/);
  const opened = await open(text, dataKey);
  assert.equal(emitPlainText(opened.branches, 'yaml'), 'base:\n    user: shared-user\ncopy:\n    user: shared-user\n---\nsecond: doc-two\n');
});

test('files without sops metadata, or from another format version, are refused by name', async () => {
  await rejects(open('a: b\n', newDataKey()), 'SOPS_NOT_ENCRYPTED');
  const { text, dataKey } = seal('a: b\n');
  const message = await rejects(open(text.replace(/version: .*/, 'version: 4.0.0'), dataKey), 'SOPS_UNKNOWN_VERSION');
  assert.match(message, /^secrets\.yaml: unknown sops format version "4\.0\.0"/);
});
