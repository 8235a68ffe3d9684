import { defineScalarTag, FAILSAFE_SCHEMA, NOT_RESOLVED } from 'js-yaml';

/**
 * How helm reads a plain scalar into a string field of Chart.yaml or Chart.lock:
 * sigs.k8s.io/yaml decodes it with go-yaml v2 (YAML 1.1 types), then turns the
 * typed value back into text for the Go string field. So `appVersion: 1.10`
 * becomes "1.1" (a float32, formatted the shortest way), `0x1F` "31", `on`
 * "true" and `~` "". Quoted scalars stay exactly as written. The schema keeps
 * every value a string (or null), so the loaders stay typed like helm's structs.
 */

const YAML11_NULL = /^(?:~|null|Null|NULL)$/;
const YAML11_TRUE = /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const YAML11_FALSE = /^(?:n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/;
// go-yaml v2 drops `_` first, then tries strconv.ParseInt/ParseUint with base 0 (0x, 0o, 0b, leading-0 octal).
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/;
const YAML11_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const YAML11_INF = /^[-+]?\.(?:inf|Inf|INF)$/;
const YAML11_NAN = /^\.(?:nan|NaN|NAN)$/;

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

function goInt(text: string): string | undefined {
  const plain = text.replace(/_/g, '');
  if (!GO_INT.test(plain)) return undefined;
  const negative = plain.startsWith('-');
  let digits = plain.replace(/^[-+]/, '');
  // Go's base-0 octal: a leading 0 (or 0o) followed by octal digits.
  if (/^0[oO]/.test(digits)) digits = `0o${digits.slice(2)}`;
  else if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`;
  const magnitude = BigInt(digits.toLowerCase());
  const value = negative ? -magnitude : magnitude;
  if (value < INT64_MIN || value > UINT64_MAX) return undefined;
  return value.toString();
}

/** strconv.FormatFloat(f, 'g', -1, 32): the shortest text that reads back as the same float32. */
export function goFloat32Text(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  const f = Math.fround(value);
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  let digits = '';
  let exponent = 0;
  for (let precision = 1; precision <= 9; precision++) {
    const [mantissa, exp] = f.toExponential(precision - 1).split('e') as [string, string];
    if (Math.fround(Number(`${mantissa}e${exp}`)) === f) {
      digits = mantissa.replace('-', '').replace('.', '');
      exponent = Number(exp);
      break;
    }
  }
  const sign = f < 0 ? '-' : '';
  // Shortest 'g' switches to %e below 1e-4 and from 1e6 on (Go's eprec is 6 then).
  if (exponent < -4 || exponent >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exponent);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return `${sign}${digits}${'0'.repeat(exponent + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

/** The text helm stores in a string field for a plain scalar, or null for YAML null. */
export function helmPlainScalarText(text: string): string | null {
  if (YAML11_NULL.test(text)) return null;
  if (YAML11_TRUE.test(text)) return 'true';
  if (YAML11_FALSE.test(text)) return 'false';
  const int = goInt(text);
  if (int !== undefined) return int;
  const plain = text.replace(/_/g, '');
  if (YAML11_FLOAT.test(plain)) return goFloat32Text(Number(plain));
  if (YAML11_INF.test(text)) return goFloat32Text(text.startsWith('-') ? -Infinity : Infinity);
  if (YAML11_NAN.test(text)) return 'NaN';
  return text;
}

// One implicit tag for every plain scalar that is not simply its own text (an empty `key:` is null too).
const GO_TYPED_SCALAR = defineScalarTag('tag:chartctl.io,2026:go-typed', {
  implicit: true,
  resolve: (source: string) => {
    if (source === '') return null;
    const text = helmPlainScalarText(source);
    return text === source ? NOT_RESOLVED : text;
  },
  identify: () => false,
});

/** Strings (and nulls) as helm's string fields receive them; see the module comment. */
export const HELM_STRING_SCHEMA = FAILSAFE_SCHEMA.withTags(GO_TYPED_SCALAR);
