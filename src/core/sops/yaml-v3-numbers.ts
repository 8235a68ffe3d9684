/**
 * How yaml.v3 (sops' YAML reader, go.yaml.in/yaml/v3 3.0.4 `resolve`) types a
 * plain scalar that starts like a number: underscores are dropped, then Go's
 * `strconv.ParseInt(s, 0, 64)` (so `0x1F`, `0o17`, `0b101` and legacy octal
 * `017` are integers), then `ParseUint` (2^63 to 2^64-1), then a float when
 * the text looks like one. Anything else is a string. Returns undefined for
 * scalars this does not decide (other first characters, `.inf`/`.nan`
 * forms), which the YAML 1.2 core schema reads the same way.
 */
export type YamlV3Number =
  | { kind: 'int'; value: bigint }
  | { kind: 'uint64'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'str' };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** yaml.v3's yamlStyleFloat. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** The `.inf`/`.nan` spellings yaml.v3 looks up before anything else (the core schema has the same). */
const SPECIAL_FLOATS = /^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;

/** Go's base-0 integer syntax (after underscores are removed): digits and the magnitude's sign. */
function goInteger(text: string, signed: boolean): bigint | undefined {
  const m = (signed ? /^([+-]?)(.*)$/ : /^()(.*)$/).exec(text)!;
  const body = m[2]!;
  let magnitude: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) magnitude = BigInt(`0x${body.slice(2)}`);
  else if (/^0[oO][0-7]+$/.test(body)) magnitude = BigInt(`0o${body.slice(2)}`);
  else if (/^0[bB][01]+$/.test(body)) magnitude = BigInt(`0b${body.slice(2)}`);
  else if (/^0[0-7]+$/.test(body)) magnitude = BigInt(`0o${body.slice(1)}`);
  else if (/^(0|[1-9][0-9]*)$/.test(body)) magnitude = BigInt(body);
  else return undefined;
  return m[1] === '-' ? -magnitude : magnitude;
}

export function resolveYamlV3Number(text: string): YamlV3Number | undefined {
  const first = text.charAt(0);
  if (!/[0-9+\-.]/.test(first) || SPECIAL_FLOATS.test(text)) return undefined;
  if (first === '.') {
    if (!YAML_STYLE_FLOAT.test(text)) return { kind: 'str' };
    const value = Number(text);
    return Number.isFinite(value) ? { kind: 'float', value } : { kind: 'str' };
  }
  const plain = text.replace(/_/g, '');
  const signed = goInteger(plain, true);
  if (signed !== undefined && signed >= INT64_MIN && signed <= INT64_MAX) return { kind: 'int', value: signed };
  // ParseUint takes no sign at all.
  const unsigned = goInteger(plain, false);
  if (unsigned !== undefined && unsigned <= UINT64_MAX) return { kind: 'uint64', value: unsigned };
  if (YAML_STYLE_FLOAT.test(plain)) {
    // Go's ParseFloat fails beyond float64 (1e400), and yaml.v3 then keeps the string.
    const value = Number(plain);
    if (Number.isFinite(value)) return { kind: 'float', value };
  }
  return { kind: 'str' };
}
