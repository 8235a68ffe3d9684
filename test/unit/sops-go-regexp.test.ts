import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretsReader } from '../../src/adapters/secrets-factory.js';
import { isChartctlError } from '../../src/core/errors.js';
import { matchCreationRule, parseSopsConfig } from '../../src/core/sops/creation-rules.js';
import { newDataKey } from '../../src/core/sops/data-key.js';
import { compileRules, shouldBeEncrypted } from '../../src/core/sops/rules.js';
import { openSopsText } from '../../src/core/sops/sops-file.js';
import { treeToValues } from '../../src/core/sops/to-values.js';
import type { EncryptionRules } from '../../src/core/sops/types.js';
import { encryptValue } from '../../src/core/sops/value-cipher.js';
import { hasSharedCorpus, SHARED_SKIP_REASON, sharedCorpus } from '../support/project.js';

/*
 * sops decides what to encrypt with Go's regexp package (RE2 syntax) and
 * regexp.Match on each key of the path: a match anywhere in the key, never a
 * JavaScript RegExp. Each row says what sops does with these keys (Go's
 * semantics: POSIX classes, \A and \z anchors, Unicode classes, inline flag
 * groups); on a JavaScript RegExp most of them silently match nothing.
 */
interface Row {
  field: 'encryptedRegex' | 'unencryptedRegex';
  pattern: string;
  encrypted: string[];
  cleartext: string[];
}

const ROWS: Row[] = [
  { field: 'encryptedRegex', pattern: '^[[:alpha:]]+_key$', encrypted: ['api_key'], cleartext: ['api2_key', 'name'] },
  { field: 'encryptedRegex', pattern: '\\Apassword\\z', encrypted: ['password'], cleartext: ['password_old', 'old_password'] },
  { field: 'encryptedRegex', pattern: '^\\pL+$', encrypted: ['contraseña', 'pass'], cleartext: ['pass1', 'db-url'] },
  { field: 'encryptedRegex', pattern: '(?i:pass)', encrypted: ['DB_PASSWORD', 'passphrase'], cleartext: ['user'] },
  { field: 'encryptedRegex', pattern: '(?i)^secret', encrypted: ['Secret_x'], cleartext: ['x_secret'] },
  { field: 'encryptedRegex', pattern: 'pass', encrypted: ['db_password'], cleartext: ['user'] },
  { field: 'unencryptedRegex', pattern: '\\Apublic_', encrypted: ['token', 'my_public_x'], cleartext: ['public_url'] },
  { field: 'unencryptedRegex', pattern: '[[:digit:]]\\z', encrypted: ['port8x'], cleartext: ['port8'] },
];

const rulesOf = (row: Row): EncryptionRules => ({ [row.field]: row.pattern });

test('Go regexp rules select the keys sops selects (POSIX classes, \\A/\\z, \\pL, (?i:...), unanchored match)', () => {
  for (const row of ROWS) {
    const compiled = compileRules(rulesOf(row), 'secrets.yaml');
    for (const key of row.encrypted) assert.equal(shouldBeEncrypted(compiled, [key], [], false), true, `${row.pattern}: ${key} is encrypted by sops`);
    for (const key of row.cleartext) assert.equal(shouldBeEncrypted(compiled, [key], [], false), false, `${row.pattern}: ${key} stays cleartext in sops`);
  }
  // Any key on the path counts, as in sops.
  const nested = compileRules({ encryptedRegex: '\\A(?i:stringdata)\\z' }, 'secret.yaml');
  assert.equal(shouldBeEncrypted(nested, ['stringData', 'tls.crt'], [], false), true);
  assert.equal(shouldBeEncrypted(nested, ['metadata', 'name'], [], false), false);
  const comments = compileRules({ unencryptedCommentRegex: '(?i:PUBLIC)' }, 'secret.yaml');
  assert.equal(shouldBeEncrypted(comments, ['url'], [[' public value']], false), false);
  assert.equal(shouldBeEncrypted(comments, ['url'], [[' private']], false), true);
});

test('patterns Go refuses (backreferences, lookaround, \\Z) are refused, naming the file and field', () => {
  for (const [pattern, reason] of [
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
    ['a(?=b)', 'invalid or unsupported Perl syntax: `(?=`'],
    ['(?<=a)b', 'invalid named capture'],
    ['\\Z', 'invalid escape sequence: `\\Z`'],
  ] as const) {
    assert.throws(
      () => compileRules({ encryptedRegex: pattern }, 'secrets.yaml'),
      (err: unknown) =>
        isChartctlError(err) &&
        err.code === 'SOPS_BAD_REGEX' &&
        err.message.startsWith(`secrets.yaml: sops.encrypted_regex: invalid regular expression ${JSON.stringify(pattern)}: `) &&
        err.message.includes(reason),
    );
  }
});

const AGE = 'age1rh2xsjg8avja92j3jhtttuczgmqkz89lezxt4e3mmp5ukl5j4f9smvteju';

test('.sops.yaml: Go path_regex and value regexes are used as sops does; invalid ones are refused at their key', () => {
  const rules = parseSopsConfig(
    `creation_rules:\n  - path_regex: '\\Aenvironments/secrets/[[:alnum:]-]+\\.ya?ml\\z'\n    encrypted_regex: '^(?i:password|token)$'\n    age: ${AGE}\n  - path_regex: '(?i:\\.SECRET)$'\n    age: ${AGE}\n`,
    '.sops.yaml',
  );
  assert.equal(matchCreationRule(rules, 'environments/secrets/prod-eu.yaml')?.index, 1);
  assert.equal(matchCreationRule(rules, 'environments/secrets/prod.yaml.bak'), undefined);
  assert.equal(matchCreationRule(rules, 'config/app.Secret')?.index, 2);
  const refused = (text: string, where: string) =>
    assert.throws(
      () => parseSopsConfig(text, '.sops.yaml'),
      (err: unknown) => isChartctlError(err) && err.code === 'SOPS_BAD_REGEX' && err.message.startsWith(`${where}: invalid regular expression`),
    );
  refused(`creation_rules:\n  - path_regex: '(a)\\1'\n    age: ${AGE}\n`, '.sops.yaml:2:5');
  refused(`creation_rules:\n  - age: ${AGE}\n    encrypted_regex: 'pass(?!word)'\n`, '.sops.yaml:3:5');
});

/**
 * A file as sops writes it for `rules`: the values of the keys sops encrypts
 * (row.encrypted, from Go's semantics above) encrypted with the key path as
 * additional data, the others as they are, and the MAC (SHA-512 over every
 * cleartext value in order) encrypted under `lastmodified`. Written here
 * independently of chartctl's rule engine.
 */
function sopsWrittenFile(row: Row, dataKey: Uint8Array): { text: string; cleartext: Record<string, string> } {
  const lastModified = '2024-05-06T07:08:09Z';
  const hash = createHash('sha512');
  const cleartext: Record<string, string> = {};
  const lines: string[] = [];
  for (const [i, key] of [...row.encrypted, ...row.cleartext].entries()) {
    const value = `value-${i}`;
    cleartext[key] = value;
    hash.update(value);
    lines.push(`${key}: ${row.encrypted.includes(key) ? encryptValue(value, 'str', dataKey, `${key}:`) : value}`);
  }
  const mac = encryptValue(hash.digest('hex').toUpperCase(), 'str', dataKey, lastModified);
  const field = row.field === 'encryptedRegex' ? 'encrypted_regex' : 'unencrypted_regex';
  lines.push(
    'sops:',
    '    age:',
    `        - recipient: ${AGE}`,
    '          enc: unused',
    `    lastmodified: "${lastModified}"`,
    `    mac: ${mac}`,
    `    ${field}: '${row.pattern}'`,
    '    version: 3.9.4',
  );
  return { text: `${lines.join('\n')}\n`, cleartext };
}

test('files sops wrote under Go-only regexes decrypt with a valid MAC', async () => {
  for (const row of ROWS) {
    const dataKey = newDataKey();
    const { text, cleartext } = sopsWrittenFile(row, dataKey);
    const opened = await openSopsText(text, { file: 'secrets.yaml', format: 'yaml' }, async () => dataKey);
    assert.deepEqual(treeToValues(opened.branches, 'secrets.yaml'), cleartext, row.pattern);
  }
});

/*
 * A file the real sops wrote (helm-secrets' test assets, all values encrypted
 * under `unencrypted_suffix: _unencrypted`) with its rule replaced by a Go
 * pattern that matches every key of the file: sops would encrypt exactly the
 * same values, and the MAC does not cover the metadata, so sops decrypts the
 * result with a valid MAC. A JavaScript RegExp reads \A as "A" and
 * [[:alpha:]_] as a set of characters, matches no key, and reports a MAC mismatch.
 */
test('a real sops file whose encrypted_regex is Go-only decrypts with a valid MAC', { skip: hasSharedCorpus ? false : SHARED_SKIP_REASON }, async () => {
  const assets = join(sharedCorpus, 'sops', 'tests', 'assets');
  const original = readFileSync(join(assets, 'values', 'sops', 'secrets.age.yaml'), 'utf8');
  const text = original.replace('    unencrypted_suffix: _unencrypted\n', "    encrypted_regex: '\\A[[:alpha:]_]+\\z'\n");
  assert.notEqual(text, original);
  const home = mkdtempSync(join(tmpdir(), 'chartctl-go-regexp-home-'));
  try {
    const reader = createSecretsReader({ PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: home, SOPS_AGE_KEY_FILE: join(assets, 'age', 'key.txt') });
    const opened = await openSopsText(text, { file: 'secrets.age.yaml', format: 'yaml' }, (k) => reader.keys.unwrap(k));
    const values = treeToValues(opened.branches, 'secrets.age.yaml') as Record<string, unknown>;
    assert.equal(values.global_secret, 'global_age');
    assert.deepEqual(values.service, { port: 92 });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
