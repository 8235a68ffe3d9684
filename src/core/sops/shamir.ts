import { randomBytes } from 'node:crypto';

/**
 * Shamir secret sharing over GF(2^8) as sops uses it for several key groups
 * (sops' shamir package, from HashiCorp Vault): each share is the y values of
 * one point per secret byte followed by the point's x coordinate (1..255).
 * Field: the AES polynomial x^8 + x^4 + x^3 + x + 1.
 */
function mult(a: number, b: number): number {
  let r = 0;
  let x = a;
  let y = b;
  while (y > 0) {
    if (y & 1) r ^= x;
    x = (x << 1) ^ (x & 0x80 ? 0x11b : 0);
    y >>= 1;
  }
  return r & 0xff;
}

function inverse(a: number): number {
  // a^254 = a^-1 in GF(2^8).
  let result = 1;
  let base = a;
  let e = 254;
  while (e > 0) {
    if (e & 1) result = mult(result, base);
    base = mult(base, base);
    e >>= 1;
  }
  return result;
}

function div(a: number, b: number): number {
  if (b === 0) throw new Error('divide by zero');
  return a === 0 ? 0 : mult(a, inverse(b));
}

function interpolateAtZero(xs: number[], ys: number[]): number {
  let result = 0;
  for (let i = 0; i < xs.length; i++) {
    let basis = 1;
    for (let j = 0; j < xs.length; j++) {
      if (i === j) continue;
      basis = mult(basis, div(xs[j]!, xs[i]! ^ xs[j]!));
    }
    result ^= mult(ys[i]!, basis);
  }
  return result;
}

export function combineShares(shares: Uint8Array[]): Uint8Array {
  if (shares.length < 2) throw new Error('less than two parts cannot be used to reconstruct the secret');
  const length = shares[0]!.length;
  if (length < 2 || shares.some((s) => s.length !== length)) throw new Error('all parts must be the same length and at least two bytes');
  const xs = shares.map((s) => s[length - 1]!);
  if (new Set(xs).size !== xs.length) throw new Error('duplicate part detected');
  const secret = new Uint8Array(length - 1);
  for (let i = 0; i < secret.length; i++) secret[i] = interpolateAtZero(xs, shares.map((s) => s[i]!));
  return secret;
}

export function splitSecret(secret: Uint8Array, parts: number, threshold: number): Uint8Array[] {
  if (parts < threshold) throw new Error('parts cannot be less than threshold');
  if (parts > 255 || threshold > 255) throw new Error('parts and threshold cannot exceed 255');
  if (threshold < 2) throw new Error('threshold must be at least 2');
  if (secret.length === 0) throw new Error('cannot split an empty secret');
  const xs = Array.from({ length: parts }, (_, i) => i + 1);
  const out = xs.map((x) => {
    const share = new Uint8Array(secret.length + 1);
    share[secret.length] = x;
    return share;
  });
  for (let idx = 0; idx < secret.length; idx++) {
    const coefficients = [secret[idx]!, ...randomBytes(threshold - 1)];
    xs.forEach((x, i) => {
      // Horner's method, highest degree first.
      let y = coefficients[coefficients.length - 1]!;
      for (let c = coefficients.length - 2; c >= 0; c--) y = mult(y, x) ^ coefficients[c]!;
      out[i]![idx] = y;
    });
  }
  return out;
}
