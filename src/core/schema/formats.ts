import { createRequire } from 'node:module';

/**
 * The `format`s kubeconform asserts, as patterns. kubeconform compiles every schema
 * as draft 4 with santhosh-tekuri/jsonschema v6, which asserts formats for drafts
 * before 2019-09, with its own validators (format.go) and kubeconform's `duration`
 * (a Go duration, else ISO 8601). Patterns keep the walked and the compiled
 * validators the same without format plugins; each one follows the validator's
 * rules (the comment says where it only approximates). Formats not listed here
 * (int32, int64, double, password, …) are annotations, as in jsonschema v6.
 */

const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
/** Four decimals 0-255, no leading zeros (validateIPV4). */
const IPV4 = `(${IPV4_OCTET}\\.){3}${IPV4_OCTET}`;

const H = '[0-9a-fA-F]{1,4}';
/** What Go's netip.ParseAddr takes as IPv6, without a zone (validateIPV6), the last 32 bits also as IPv4. */
const IPV6 = [
  `(${H}:){7}${H}`,
  `(${H}:){1,7}:`,
  `(${H}:){1,6}:${H}`,
  `(${H}:){1,5}(:${H}){1,2}`,
  `(${H}:){1,4}(:${H}){1,3}`,
  `(${H}:){1,3}(:${H}){1,4}`,
  `(${H}:){1,2}(:${H}){1,5}`,
  `${H}:(:${H}){1,6}`,
  `:((:${H}){1,7}|:)`,
  `(${H}:){6}${IPV4}`,
  `::(${H}:){0,5}${IPV4}`,
  `${H}::(${H}:){0,4}${IPV4}`,
  `(${H}:){1}${H}::(${H}:){0,3}${IPV4}`,
  `(${H}:){2}${H}::(${H}:){0,2}${IPV4}`,
  `(${H}:){3}${H}::(${H}:){0,1}${IPV4}`,
  `(${H}:){4}${H}::${IPV4}`,
]
  .map((alt) => `(${alt})`)
  .join('|');

const LABEL = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** Labels of 1-63 letters, digits and inner hyphens; at most 253 characters without a trailing dot (validateHostname). */
const HOSTNAME = `(?=[^@]{1,253}\\.?$)${LABEL}(\\.${LABEL})*\\.?`;

const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
/** validateEmail: at most 254 characters; a quoted or dot-atom local part of at most 64; a hostname or a bracketed IP. */
const EMAIL = `(?=[^]{0,254}$)(?=[^]{0,64}@[^@]*$)("[^"\\\\]*"|(${ATOM}+(\\.${ATOM}+)*)?)@(\\[${IPV4}\\]|\\[IPv6:(${IPV6})\\]|${HOSTNAME})`;

/** time.Parse("2006-01-02"): the day must exist in that month, leap years included (validateDate). */
const DATE = [
  '[0-9]{4}-(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])',
  '[0-9]{4}-(0[469]|11)-(0[1-9]|[12][0-9]|30)',
  '[0-9]{4}-02-(0[1-9]|1[0-9]|2[0-8])',
  '([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29',
]
  .map((alt) => `(${alt})`)
  .join('|');

/** validateTime: hh:mm:ss, optional fraction, Z or ±hh:mm; second 60 accepted (its leap-second rule needs the offset arithmetic: approximated). */
const TIME = '([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])';

/** kubeconform's validateDuration: Go's time.ParseDuration, else ISO 8601 (PnW, PnYnMnDTnHnMnS, in order). */
const GO_DURATION = '[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)';
const ISO_DURATION = 'P([0-9]+W|(?!$)([0-9]+Y)?([0-9]+M)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+S)?)?)';

/**
 * validateURI: Go's url.Parse and an absolute URL. Approximated: a scheme, no spaces or
 * control characters, `%` only before two hex digits (url.Parse's host rules are not repeated).
 */
const URI_REST = '([^\\s%\\u0000-\\u001f\\u007f]|%[0-9a-fA-F]{2})*';
const URI = `[A-Za-z][A-Za-z0-9+.-]*:${URI_REST}`;
/** validateURIReference: url.Parse, relative allowed, no backslash (approximated as above). */
const URI_REFERENCE = '([^\\s%\\\\\\u0000-\\u001f\\u007f]|%[0-9a-fA-F]{2})*';

/** validateJSONPointer: empty, or `/` tokens with `~` only as `~0` or `~1`. */
const JSON_POINTER = '(/([^~/]|~[01])*)*';

/** validateUUID: 8-4-4-4-12 hex digits. */
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export interface FormatCheck {
  pattern: string;
  /** What the value should look like, for the problem message. */
  expected: string;
}

const anchored = (body: string) => `^(${body})$`;

export const FORMAT_CHECKS: Readonly<Record<string, FormatCheck>> = {
  ipv4: { pattern: anchored(IPV4), expected: 'an IPv4 address such as 10.0.0.1 (format: ipv4)' },
  ipv6: { pattern: anchored(IPV6), expected: 'an IPv6 address such as fd00::1 (format: ipv6)' },
  hostname: { pattern: anchored(HOSTNAME), expected: 'a host name such as api.example.com (format: hostname)' },
  email: { pattern: anchored(EMAIL), expected: 'an email address such as ops@example.com (format: email)' },
  date: { pattern: anchored(DATE), expected: 'a date such as 2026-01-02 (format: date)' },
  time: { pattern: anchored(TIME), expected: 'a time such as 15:04:05Z (format: time)' },
  duration: { pattern: `^(${GO_DURATION}|${ISO_DURATION})$`, expected: 'a duration such as 1h30m or PT1H30M (format: duration)' },
  uri: { pattern: anchored(URI), expected: 'an absolute URI such as https://example.com/path (format: uri)' },
  'uri-reference': { pattern: anchored(URI_REFERENCE), expected: 'a URI reference (format: uri-reference)' },
  'json-pointer': { pattern: anchored(JSON_POINTER), expected: 'a JSON pointer such as /spec/replicas (format: json-pointer)' },
  uuid: { pattern: anchored(UUID), expected: 'a UUID such as 123e4567-e89b-12d3-a456-426614174000 (format: uuid)' },
};

/**
 * `format: regex`: jsonschema v6 compiles the value with Go's regexp package (RE2 syntax),
 * which no pattern can express, so the transformation marks the schema with this keyword
 * and the schema walker checks it (schemas that have it are always walked, never compiled).
 */
export const REGEX_FORMAT_KEYWORD = 'x-chartctl-format-regex';

type Re2Package = typeof import('re2js');
let re2: Re2Package | undefined;

/** Go's compile error for `value` (`error parsing regexp: missing closing ): \`(\``), undefined when it compiles; re2js loads on the first value checked. */
export function goRegexpError(value: string): string | undefined {
  re2 ??= createRequire(import.meta.url)('re2js') as Re2Package;
  try {
    re2.RE2JS.compile(value);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
