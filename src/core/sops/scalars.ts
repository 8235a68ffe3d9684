import { canonicalTimeText } from './go-time.js';
import type { Scalar, ScalarType } from './types.js';

/**
 * Go's `strconv.FormatFloat(v, 'f', -1, 64)`, which sops uses both for the
 * encrypted bytes of a float and for its MAC: the shortest digits that read
 * back as the same double, never in exponent form.
 */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Object.is(value, -0)) return '-0';
  const shortest = String(value);
  const e = shortest.indexOf('e');
  if (e < 0) return shortest;
  const negative = shortest.startsWith('-');
  const mantissa = shortest.slice(negative ? 1 : 0, e);
  const exponent = Number(shortest.slice(e + 1));
  const [intPart, fracPart = ''] = mantissa.split('.');
  const digits = `${intPart}${fracPart}`;
  const point = intPart!.length + exponent;
  let plain: string;
  if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) plain = `${digits}${'0'.repeat(point - digits.length)}`;
  else plain = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${plain}` : plain;
}

/**
 * A float as yaml.v3 writes it (sops' YAML store): Go's
 * `strconv.FormatFloat(v, 'g', -1, 64)` (shortest digits, exponent form from
 * 1e+06 up and below 1e-04, at least two exponent digits), with `.inf`,
 * `-.inf` and `.nan` for the non-finite values.
 */
export function formatYamlFloat(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (value === Infinity) return '.inf';
  if (value === -Infinity) return '-.inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // toExponential() without an argument gives the shortest round-trip digits, like Go's -1 precision.
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(value.toExponential())!;
  const [, sign, first, rest = '', expText] = m;
  const digits = `${first}${rest}`;
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return `${sign}${first}${rest ? `.${rest}` : ''}e${exp < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
  }
  const point = exp + 1;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Go's `strconv.ParseFloat(s, 64)` for the forms sops and YAML produce; undefined when it would fail. */
export function parseGoFloat(text: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Go's `strconv.Atoi`, kept exact (BigInt) and canonical; undefined when it would fail. */
export function canonicalInt(text: string): string | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = BigInt(text);
  // Atoi is int64 on the platforms sops ships for.
  if (value > 9223372036854775807n || value < -9223372036854775808n) return undefined;
  return value.toString();
}

/** Go's `strconv.ParseBool`. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** sops encodes booleans like Python did: `True` / `False`. */
export function goBoolText(value: boolean): string {
  return value ? 'True' : 'False';
}

/**
 * Turns decrypted bytes of the given type back into a leaf, canonicalising
 * the text the way sops does when it computes the MAC (decode, then ToBytes).
 * Returns undefined when Go's parser would reject the text.
 */
export function scalarFromDecrypted(type: ScalarType, text: string): Scalar | undefined {
  switch (type) {
    case 'str':
    case 'bytes':
      return { kind: 'scalar', type, text };
    case 'int': {
      const canonical = canonicalInt(text);
      return canonical === undefined ? undefined : { kind: 'scalar', type, text: canonical };
    }
    case 'float': {
      const value = parseGoFloat(text);
      return value === undefined ? undefined : { kind: 'scalar', type, text: formatGoFloat(value) };
    }
    case 'bool': {
      const value = parseGoBool(text);
      return value === undefined ? undefined : { kind: 'scalar', type, text: goBoolText(value) };
    }
    case 'time': {
      const canonical = canonicalTimeText(text);
      return canonical === undefined ? undefined : { kind: 'scalar', type, text: canonical };
    }
  }
}

/** The JavaScript value of a leaf, as helm should see it in the values. */
export function scalarToJs(scalar: Scalar): string | number | boolean {
  switch (scalar.type) {
    case 'str':
    case 'bytes':
    case 'time':
      // helm reads a YAML timestamp as its text.
      return scalar.text;
    case 'int':
      return Number(scalar.text);
    case 'float':
      return parseGoFloat(scalar.text) ?? NaN;
    case 'bool':
      return scalar.text === 'True';
  }
}

export const SCALAR_TYPES: ReadonlySet<string> = new Set(['str', 'int', 'float', 'bool', 'bytes', 'time']);
