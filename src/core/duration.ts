import { ChartctlError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go-style duration as helm takes it (`90s`, `5m`, `1h30m`, `1.5m`). */
export function durationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new ChartctlError(`"${text}" is not a duration.`, { code: 'BAD_DURATION', hint: 'Use helm durations such as 90s, 5m or 1h30m.' });
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNITS[p[2]!]!, 0);
}
