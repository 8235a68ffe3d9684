import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalInt, formatGoFloat, parseGoBool, parseGoFloat, scalarFromDecrypted } from '../../src/core/sops/scalars.js';

test("floats are written like Go's strconv.FormatFloat(v, 'f', -1, 64)", () => {
  const cases: Array<[number, string]> = [
    [1, '1'],
    [1.5, '1.5'],
    [-0.25, '-0.25'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [123456789.125, '123456789.125'],
    [0.1 + 0.2, '0.30000000000000004'],
    [-0, '-0'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ];
  for (const [value, text] of cases) assert.equal(formatGoFloat(value), text, String(value));
});

test('float, int and bool parsing follow Go (what sops accepts when decrypting)', () => {
  assert.equal(parseGoFloat('1e3'), 1000);
  assert.equal(parseGoFloat('+Inf'), Infinity);
  assert.ok(Number.isNaN(parseGoFloat('NaN')!));
  assert.equal(parseGoFloat('1,5'), undefined);
  assert.equal(canonicalInt('+0042'), '42');
  assert.equal(canonicalInt('9223372036854775807'), '9223372036854775807');
  assert.equal(canonicalInt('9223372036854775808'), undefined, 'beyond int64, as Atoi on 64-bit');
  assert.equal(canonicalInt('1_000'), undefined);
  assert.equal(parseGoBool('True'), true);
  assert.equal(parseGoBool('f'), false);
  assert.equal(parseGoBool('yes'), undefined);
});

test('decrypted text is canonicalised per type before it enters the MAC', () => {
  assert.deepEqual(scalarFromDecrypted('int', '007'), { kind: 'scalar', type: 'int', text: '7' });
  assert.deepEqual(scalarFromDecrypted('bool', 'true'), { kind: 'scalar', type: 'bool', text: 'True' });
  assert.deepEqual(scalarFromDecrypted('float', '2.50'), { kind: 'scalar', type: 'float', text: '2.5' });
  assert.equal(scalarFromDecrypted('int', 'seven'), undefined);
});
