/**
 * sops' `time` values: yaml.v3 reads an unquoted timestamp into a Go
 * time.Time, and sops encrypts (and MACs) it as `time.MarshalText()`, i.e.
 * RFC 3339 with nanoseconds (`2006-01-02T15:04:05.999999999Z07:00`: the
 * fraction without trailing zeros, `Z` for a zero offset). Times are kept as
 * that text, never as a JavaScript Date (which would lose nanoseconds and the
 * offset).
 */

interface TimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Up to nine fraction digits, as Go keeps them. */
  fraction: string;
  /** `Z` or ±hh:mm. */
  zone: string;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function marshalText(p: TimeParts): string | undefined {
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.day > daysIn(p.month, p.year) || p.hour > 23 || p.minute > 59 || p.second > 59) return undefined;
  const zone = /^[+-](\d\d):(\d\d)$/.exec(p.zone);
  if (zone && (Number(zone[1]) > 24 || Number(zone[2]) > 60)) return undefined;
  const two = (n: number) => String(n).padStart(2, '0');
  const fraction = p.fraction.slice(0, 9).replace(/0+$/, '');
  const offset = zone && Number(zone[1]) === 0 && Number(zone[2]) === 0 ? 'Z' : p.zone;
  return `${String(p.year).padStart(4, '0')}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}:${two(p.second)}${fraction ? `.${fraction}` : ''}${offset}`;
}

/**
 * yaml.v3's parseTimestamp for an unquoted scalar (layouts
 * `2006-1-2T15:4:5.999999999Z07:00`, the same with `t`, `2006-1-2 15:4:5.999999999`
 * and `2006-1-2`, no zone meaning UTC), as sops would encrypt it; undefined
 * when yaml.v3 would not read a time.
 */
export function yamlTimestampText(text: string): string | undefined {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,](\d+))?(Z|[+-]\d\d:\d\d)?)?$/.exec(text);
  if (!m) return undefined;
  const [, year, month, day, separator, hour, minute, second, fraction = '', zone] = m;
  // A zone goes only with the T/t layouts, which require one; the space layout takes none.
  if (separator !== undefined && (separator === ' ') !== (zone === undefined)) return undefined;
  return marshalText({
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour ?? 0),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0),
    fraction,
    zone: zone ?? 'Z',
  });
}

/** Decrypted `type:time` bytes as sops re-marshals them (time.UnmarshalText, then MarshalText); undefined if Go would fail. */
export function canonicalTimeText(text: string): string | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zone] = m;
  return marshalText({ year: Number(year), month: Number(month), day: Number(day), hour: Number(hour), minute: Number(minute), second: Number(second), fraction, zone: zone!.toUpperCase() });
}
