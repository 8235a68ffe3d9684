/** A `WWW-Authenticate` challenge as the distribution token spec defines it. */
export interface Challenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

export function parseChallenge(header: string | undefined): Challenge | undefined {
  const match = header ? /^\s*(Basic|Bearer)\b(.*)$/i.exec(header) : null;
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const m of match[2]!.matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) params[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  const scheme = match[1]!.toLowerCase() as Challenge['scheme'];
  if (scheme === 'bearer' && !/^https?:\/\//.test(params.realm ?? '')) return undefined;
  return { scheme, params };
}

/** `Retry-After` in seconds or as an HTTP date, as milliseconds from `now`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** The spec's error body `{"errors":[{"code","message"}]}` as `CODE: message; ...` (empty when it is not one). */
export function specErrorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: unknown; message?: unknown }[] };
    return (parsed.errors ?? [])
      .map((e) => [e.code, e.message].filter((x) => typeof x === 'string' && x).join(': ').slice(0, 200))
      .filter(Boolean)
      .join('; ');
  } catch {
    return '';
  }
}
