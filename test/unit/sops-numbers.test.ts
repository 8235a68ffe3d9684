import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretsReader } from '../../src/adapters/secrets-factory.js';
import { isChartctlError } from '../../src/core/errors.js';
import { newDataKey } from '../../src/core/sops/data-key.js';
import { WRITTEN_SOPS_VERSION, withDefaultRule } from '../../src/core/sops/metadata.js';
import { formatYamlFloat } from '../../src/core/sops/scalars.js';
import { emitPlainText, openSopsText, parsePlainText, sealSopsText } from '../../src/core/sops/sops-file.js';
import type { FileFormat } from '../../src/core/sops/types.js';
import { decryptValue, encryptValue } from '../../src/core/sops/value-cipher.js';
import { hasSharedCorpus, SHARED_SKIP_REASON, sharedCorpus } from '../support/project.js';

/*
 * How sops types and writes numbers (getsops/sops at 15e36f97):
 * - YAML values are decoded by yaml.v3 into interface{}: an int when it fits
 *   int64, a uint64 from 2^63 to 2^64-1 (which sops' tree walk refuses:
 *   "unknown type: uint64"), and beyond that a float64.
 * - JSON numbers go through json.Number: an int when Int64() works, else a
 *   float64; a number beyond float64 fails.
 * - The encrypted bytes of a float are strconv.FormatFloat(f, 'f', -1, 64)
 *   (aes/cipher.go); yaml.v3 writes the cleartext float with 'g' and -1
 *   (`1.234568e+09`), and `.inf`, `-.inf`, `.nan`.
 */

const NOW = new Date('2026-12-02T07:00:00Z');

function seal(plain: string, format: FileFormat = 'yaml') {
  const dataKey = newDataKey();
  const doc = parsePlainText(plain, format, 'f');
  const text = sealSopsText(doc.branches, format, { keyGroups: [[{ type: 'age', recipient: 'age1test', enc: 'unused' }]], version: WRITTEN_SOPS_VERSION, rules: withDefaultRule({}) }, dataKey, NOW, 'f');
  return { text, dataKey };
}

const open = (text: string, dataKey: Uint8Array, format: FileFormat = 'yaml') => openSopsText(text, { file: 'f', format }, async () => dataKey);

/** The type tag and the decrypted bytes of the ENC[...] value at `key` (top level). */
function encrypted(text: string, key: string, dataKey: Uint8Array): { type: string; plain: string } {
  const blob = new RegExp(`"?${key}"?: "?(ENC\\[[^\\]]+\\])`).exec(text)?.[1];
  assert.ok(blob, `${key} is encrypted`);
  const opened = decryptValue(blob, dataKey, `${key}:`);
  return { type: opened.type, plain: opened.plain.toString('utf8') };
}

test("cleartext floats are written the way yaml.v3 (sops -d) writes them: Go's shortest 'g' format", () => {
  const cases: Array<[number, string]> = [
    [1234568000, '1.234568e+09'],
    [1234567890.5, '1.2345678905e+09'],
    [1e6, '1e+06'],
    [123456.5, '123456.5'],
    [999999, '999999'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-2.5e-7, '-2.5e-07'],
    [1e100, '1e+100'],
    [6.02214076e23, '6.02214076e+23'],
    [2, '2'],
    [0.75, '0.75'],
    [-0, '-0'],
    [Infinity, '.inf'],
    [-Infinity, '-.inf'],
    [NaN, '.nan'],
  ];
  for (const [value, expected] of cases) assert.equal(formatYamlFloat(value), expected, String(value));
});

test('.inf, -.inf and .nan stay themselves through encrypt and decrypt; floats decrypt in sops -d layout', async () => {
  const { text, dataKey } = seal('up: .inf\ndown: -.inf\nunknown: .nan\nnumber: 1234568000.0\ntiny: 0.00001\n');
  assert.deepEqual(encrypted(text, 'up', dataKey), { type: 'float', plain: '+Inf' }, "Go's FormatFloat(+Inf, 'f', -1, 64)");
  assert.deepEqual(encrypted(text, 'number', dataKey), { type: 'float', plain: '1234568000' });
  assert.deepEqual(encrypted(text, 'tiny', dataKey), { type: 'float', plain: '0.00001' });
  const opened = await open(text, dataKey);
  assert.equal(emitPlainText(opened.branches, 'yaml'), 'up: .inf\ndown: -.inf\nunknown: .nan\nnumber: 1.234568e+09\ntiny: 1e-05\n');
});

test("YAML integers beyond int64 are typed as sops' YAML store types them, so the file reads back (and reads in sops)", async () => {
  const { text, dataKey } = seal('max: 9223372036854775807\nmin: -9223372036854775808\nhuge: 18446744073709551616\nnegative: -9223372036854775809\n');
  assert.deepEqual(encrypted(text, 'max', dataKey), { type: 'int', plain: '9223372036854775807' });
  assert.deepEqual(encrypted(text, 'min', dataKey), { type: 'int', plain: '-9223372036854775808' });
  assert.deepEqual(encrypted(text, 'huge', dataKey), { type: 'float', plain: '18446744073709552000' }, 'a float64, as yaml.v3 decodes it');
  assert.deepEqual(encrypted(text, 'negative', dataKey), { type: 'float', plain: '-9223372036854776000' }, "Go's shortest digits, zero-padded");
  const opened = await open(text, dataKey);
  assert.equal(emitPlainText(opened.branches, 'yaml'), 'max: 9223372036854775807\nmin: -9223372036854775808\nhuge: 1.8446744073709552e+19\nnegative: -9.223372036854776e+18\n');
});

test('a YAML integer from 2^63 to 2^64-1 is refused with its position, as sops refuses it (a Go uint64)', () => {
  assert.throws(
    () => seal('ok: 1\nid: 9223372036854775808\n'),
    (err: unknown) => {
      assert.ok(isChartctlError(err));
      assert.equal(err.code, 'SOPS_UNSUPPORTED_YAML');
      assert.match(err.message, /^f:2:5: the integer 9223372036854775808 cannot be stored by sops/);
      assert.match(err.hint!, /Quote it/);
      return true;
    },
  );
});

test("JSON integers beyond int64 become floats, as sops' json.Number handling does; beyond float64 is refused", async () => {
  const { text, dataKey } = seal('{"max": 9223372036854775807, "big": 9223372036854775808, "huge": 18446744073709551616}', 'json');
  assert.deepEqual(encrypted(text, 'max', dataKey), { type: 'int', plain: '9223372036854775807' });
  assert.deepEqual(encrypted(text, 'big', dataKey), { type: 'float', plain: '9223372036854776000' });
  assert.deepEqual(encrypted(text, 'huge', dataKey), { type: 'float', plain: '18446744073709552000' });
  const opened = await open(text, dataKey, 'json');
  assert.equal(emitPlainText(opened.branches, 'json'), '{\n\t"max": 9223372036854775807,\n\t"big": 9223372036854776000,\n\t"huge": 18446744073709552000\n}\n');
  assert.throws(() => seal('{"x": 1e400}', 'json'), (err: unknown) => isChartctlError(err) && err.code === 'SOPS_UNSUPPORTED_JSON' && /1e400 is out of the float64 range/.test(err.message));
});

test('a YAML number beyond float64 (1e400) stays the string yaml.v3 reads it as', async () => {
  const { text, dataKey } = seal('x: 1e400\n');
  assert.deepEqual(encrypted(text, 'x', dataKey), { type: 'str', plain: '1e400' });
});

const hasGpg = spawnSync('gpg', ['--version'], { stdio: 'ignore' }).status === 0;
test("sops' own example.yaml (sops-upstream, PGP) decrypts with its float written as sops -d writes it", { skip: !hasSharedCorpus ? SHARED_SKIP_REASON : hasGpg ? false : 'gpg is not installed' }, async () => {
  const upstream = join(sharedCorpus, 'sops-upstream');
  const home = mkdtempSync(join(tmpdir(), 'chartctl-gnupg-'));
  try {
    execFileSync('gpg', ['--batch', '--quiet', '--import', join(upstream, 'pgp', 'sops_functional_tests_key.asc')], { env: { ...process.env, GNUPGHOME: home }, stdio: 'ignore' });
    const reader = createSecretsReader({ PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: home, GNUPGHOME: home });
    const text = readFileSync(join(upstream, 'example.yaml'), 'utf8');
    assert.match(text, /^number: ENC\[AES256_GCM,[^\]]+type:float\]$/m);
    const opened = await openSopsText(text, { file: 'example.yaml', format: 'yaml' }, (k) => reader.keys.unwrap(k));
    const plain = emitPlainText(opened.branches, 'yaml');
    assert.match(plain, /^number: 1\.234568e\+09$/m);
    assert.match(plain, /^somebooleans:\n {4}- true\n {4}- false$/m);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('plain YAML numbers are typed as yaml.v3 types them (underscores, 0x/0o/0b, legacy octal), quoted ones stay strings', async () => {
  const { text, dataKey } = seal('a: 1_000\nb: 0x1F\nc: 0o17\nd: 017\ne: 0b101\nf: 08\ng: +12\nh: "1_000"\ni: 1e3\nj: .5\nk: 2024-01-01\n');
  const expected: Record<string, { type: string; plain: string }> = {
    a: { type: 'int', plain: '1000' },
    b: { type: 'int', plain: '31' },
    c: { type: 'int', plain: '15' },
    d: { type: 'int', plain: '15' },
    e: { type: 'int', plain: '5' },
    f: { type: 'float', plain: '8' },
    g: { type: 'int', plain: '12' },
    h: { type: 'str', plain: '1_000' },
    i: { type: 'float', plain: '1000' },
    j: { type: 'float', plain: '0.5' },
    k: { type: 'time', plain: '2024-01-01T00:00:00Z' },
  };
  for (const [key, want] of Object.entries(expected)) assert.deepEqual(encrypted(text, key, dataKey), want, key);
  const opened = await open(text, dataKey);
  assert.equal(emitPlainText(opened.branches, 'yaml'), 'a: 1000\nb: 31\nc: 15\nd: 15\ne: 5\nf: 8\ng: 12\nh: "1_000"\ni: 1000\nj: 0.5\nk: 2024-01-01T00:00:00Z\n');
});

test('unquoted YAML timestamps are sops `time` values: encrypted as Go\'s MarshalText, written back unquoted', async () => {
  const { text, dataKey } = seal(
    'day: 2024-2-29\nutc: 2001-12-14T21:59:43.10Z\noffset: 2001-12-14t21:59:43.123456789123-05:00\nzero: 2001-12-14T21:59:43+00:00\nspaced: 2001-12-14 21:59:43.5\nquoted: "2024-01-01"\nnozone: 2001-12-14T21:59:43\nbadday: 2023-02-29\n',
  );
  const expected: Record<string, { type: string; plain: string }> = {
    day: { type: 'time', plain: '2024-02-29T00:00:00Z' },
    utc: { type: 'time', plain: '2001-12-14T21:59:43.1Z' },
    offset: { type: 'time', plain: '2001-12-14T21:59:43.123456789-05:00' },
    zero: { type: 'time', plain: '2001-12-14T21:59:43Z' },
    spaced: { type: 'time', plain: '2001-12-14T21:59:43.5Z' },
    quoted: { type: 'str', plain: '2024-01-01' },
    nozone: { type: 'str', plain: '2001-12-14T21:59:43' },
    badday: { type: 'str', plain: '2023-02-29' },
  };
  for (const [key, want] of Object.entries(expected)) assert.deepEqual(encrypted(text, key, dataKey), want, key);
  const opened = await open(text, dataKey);
  const plain = emitPlainText(opened.branches, 'yaml');
  assert.equal(
    plain,
    'day: 2024-02-29T00:00:00Z\nutc: 2001-12-14T21:59:43.1Z\noffset: 2001-12-14T21:59:43.123456789-05:00\nzero: 2001-12-14T21:59:43Z\nspaced: 2001-12-14T21:59:43.5Z\nquoted: "2024-01-01"\nnozone: "2001-12-14T21:59:43"\nbadday: "2023-02-29"\n',
  );
  // Read back, the times stay times (an edit that changes nothing keeps the types).
  const again = seal(plain);
  assert.equal(encrypted(again.text, 'utc', again.dataKey).type, 'time');
  assert.equal(encrypted(again.text, 'quoted', again.dataKey).type, 'str');
});

test('a `type:time` value sops wrote decrypts, verifies its MAC, and is a quoted string in JSON', async () => {
  // The value and MAC as sops writes them: ENC[...,type:time] over MarshalText, the MAC over the same bytes.
  const dataKey = newDataKey();
  const lastModified = '2026-12-02T07:00:00Z';
  const when = encryptValue('2025-06-30T12:00:00Z', 'time', dataKey, 'expires:');
  const mac = encryptValue(createHash('sha512').update('2025-06-30T12:00:00Z').digest('hex').toUpperCase(), 'str', dataKey, lastModified);
  const text = `{\n\t"expires": "${when}",\n\t"sops": {\n\t\t"age": [{"recipient": "age1test", "enc": "unused"}],\n\t\t"lastmodified": "${lastModified}",\n\t\t"mac": "${mac}",\n\t\t"version": "3.10.2"\n\t}\n}\n`;
  const opened = await open(text, dataKey, 'json');
  assert.equal(emitPlainText(opened.branches, 'json'), '{\n\t"expires": "2025-06-30T12:00:00Z"\n}\n');
  assert.equal(emitPlainText(opened.branches, 'yaml'), 'expires: 2025-06-30T12:00:00Z\n');
});
