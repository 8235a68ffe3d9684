import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isChartctlError } from '../../src/core/errors.js';
import { newDataKey, wrapDataKey, type WrapKey } from '../../src/core/sops/data-key.js';
import { combineShares, splitSecret } from '../../src/core/sops/shamir.js';
import type { MasterKeySpec } from '../../src/core/sops/types.js';
import { seededRandom } from '../support/seeded-random.js';

/*
 * The byte layout of sops' Shamir parts (getsops/sops shamir/shamir.go, from
 * HashiCorp Vault): Split(secret, parts, threshold) returns `parts` shares of
 * len(secret)+1 bytes, {y1, ..., yN, x}, where share i is the point at
 * x = i + 1 of one random polynomial per secret byte whose intercept is that
 * byte, over GF(2^8) with the AES polynomial. Key group i holds share i.
 *
 * The field arithmetic below is an independent implementation (log/exp tables
 * over the generator 3), so these tests check chartctl's shares against the
 * definition rather than against itself.
 */
const EXP = new Array<number>(510);
const LOG = new Array<number>(256);
{
  let v = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = v;
    LOG[v] = i;
    // v * 3 = v * 2 + v, reduced by x^8 + x^4 + x^3 + x + 1.
    v ^= (v << 1) ^ (v & 0x80 ? 0x11b : 0);
  }
  for (let i = 255; i < 510; i++) EXP[i] = EXP[i - 255]!;
}
const gfMul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!);
const gfDiv = (a: number, b: number) => (a === 0 ? 0 : EXP[LOG[a]! + 255 - LOG[b]!]!);

/** The value at x of the polynomial with these coefficients (lowest degree first). */
function evaluate(coefficients: number[], x: number): number {
  return coefficients.reduceRight((acc, c) => gfMul(acc, x) ^ c, 0);
}

/** Lagrange interpolation at 0 of the points (xs[i], ys[i]). */
function atZero(xs: number[], ys: number[]): number {
  let out = 0;
  for (let i = 0; i < xs.length; i++) {
    let basis = 1;
    for (let j = 0; j < xs.length; j++) if (i !== j) basis = gfMul(basis, gfDiv(xs[j]!, xs[i]! ^ xs[j]!));
    out ^= gfMul(ys[i]!, basis);
  }
  return out;
}

function seededBytes(n: number, seed: number): Uint8Array {
  const rnd = seededRandom(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
}

test("the independent field agrees with sops' own test vector (3 * 7 = 9)", () => {
  assert.equal(gfMul(3, 7), 9);
});

test("splitSecret writes sops' layout: one share per key group, the y values then x = group index + 1, on a polynomial through the secret", () => {
  const secret = seededBytes(32, 16);
  for (const [parts, threshold] of [
    [3, 2],
    [5, 3],
  ] as const) {
    const shares = splitSecret(secret, parts, threshold);
    assert.equal(shares.length, parts);
    shares.forEach((share, i) => {
      assert.equal(share.length, 33, 'the 32-byte data key plus one x byte');
      assert.equal(share[32], i + 1, `share ${i} is the point at x = ${i + 1}, as sops' Split numbers them`);
    });
    // Any `threshold` shares interpolate (with the independent field) to the secret byte by byte.
    const xs = shares.slice(0, threshold).map((s) => s[32]!);
    const lastXs = shares.slice(-threshold).map((s) => s[32]!);
    for (let b = 0; b < 32; b++) {
      assert.equal(atZero(xs, shares.slice(0, threshold).map((s) => s[b]!)), secret[b]);
      assert.equal(atZero(lastXs, shares.slice(-threshold).map((s) => s[b]!)), secret[b]);
    }
  }
});

test('combineShares recovers the data key from any 2 of 3 shares built exactly as sops builds them', () => {
  const secret = seededBytes(32, 7);
  const rnd = seededRandom(99);
  // One degree-1 polynomial per byte: intercept = the secret byte, a random coefficient (sops' makePolynomial).
  const polynomials = Array.from(secret, (byte) => [byte, Math.floor(rnd() * 256)]);
  const shares = [1, 2, 3].map((x) => Uint8Array.from([...polynomials.map((p) => evaluate(p, x)), x]));
  for (const [a, b] of [
    [0, 1],
    [0, 2],
    [1, 2],
    [2, 0],
  ] as const) {
    assert.deepEqual(combineShares([shares[a]!, shares[b]!]), secret, `shares ${a} and ${b}`);
  }
  assert.throws(() => combineShares([shares[0]!]), /less than two parts/);
  assert.throws(() => combineShares([shares[1]!, shares[1]!]), /duplicate part/);
});

test('a shamir_threshold sops could not split with is refused before anything is encrypted', async () => {
  const groups: MasterKeySpec[][] = [[{ type: 'age', recipient: 'age1a' }], [{ type: 'age', recipient: 'age1b' }]];
  const wrap: WrapKey = async () => assert.fail('no key may be wrapped');
  for (const threshold of [1, 3]) {
    await assert.rejects(wrapDataKey(groups, threshold, newDataKey(), wrap, 'secrets/prod.yaml'), (err: unknown) => {
      assert.ok(isChartctlError(err));
      assert.equal(err.code, 'SOPS_BAD_THRESHOLD');
      assert.match(err.message, new RegExp(`^secrets/prod\\.yaml: shamir_threshold ${threshold} cannot split the data key over 2 key groups \\(it must be from 2 to 2\\)`));
      return true;
    });
  }
});
