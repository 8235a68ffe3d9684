import { ChartctlError } from './errors.js';
import type { KubeObject } from './manifests.js';

/** Helm hook names `helm test` runs: helm-diff leaves them out unless --include-tests. */
const TEST_HOOKS = new Set(['test', 'test-success']);

export function isTestHook(obj: KubeObject): boolean {
  const hooks = String(obj.metadata?.annotations?.['helm.sh/hook'] ?? '');
  return hooks.split(',').some((h) => TEST_HOOKS.has(h.trim()));
}

/**
 * Which hooks take part in a diff. As in helm-diff, `hooks: false` drops every hook,
 * tests included (helm-diff renders with `helm template --no-hooks` and skips `helm get hooks`).
 */
export function keepInDiff(obj: KubeObject, hook: boolean, options: { hooks?: boolean; tests?: boolean }): boolean {
  if (!hook) return true;
  if (options.hooks === false) return false;
  return options.tests !== false || !isTestHook(obj);
}

/** Drops a carriage return before each line end in string values (helm-diff's --strip-trailing-cr). */
export function stripTrailingCR(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\r+(?=\n|$)/g, '');
  if (Array.isArray(value)) return value.map(stripTrailingCR);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripTrailingCR(v)]));
  return value;
}

/**
 * A Secret as helm-diff's --show-secrets-decoded shows it: `stringData` folded into
 * `data` (as the API server does) and every `data` value base64-decoded.
 */
export function decodeSecret(obj: KubeObject): KubeObject {
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, unknown>)) data[k] = typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v;
  for (const [k, v] of Object.entries((obj.stringData ?? {}) as Record<string, unknown>)) data[k] = v;
  const { stringData: _stringData, ...rest } = obj;
  return { ...rest, data };
}

/** Serialised lines kept after --suppress-output-line-regex (a line matching any pattern is dropped from both sides). */
export function dropSuppressedLines(text: string, patterns: RegExp[]): string {
  if (patterns.length === 0) return text;
  return text
    .split('\n')
    .filter((line) => !patterns.some((p) => p.test(line)))
    .join('\n');
}

/**
 * A --suppress-output-line-regex pattern. helm-diff takes Go regular expressions; the
 * common Go-only spelling, a leading `(?i)`, is taken as JavaScript's `i` flag.
 */
export function compileLineRegex(source: string): RegExp {
  const insensitive = source.startsWith('(?i)');
  const body = insensitive ? source.slice(4) : source;
  try {
    return new RegExp(body, insensitive ? 'i' : '');
  } catch (err) {
    throw new ChartctlError(`--suppress-output-line-regex "${source}" is not a valid regular expression: ${(err as Error).message}.`, {
      code: 'BAD_LINE_REGEX',
      hint: 'Give a regular expression matched against each line of the shown YAML, e.g. --suppress-output-line-regex "helm.sh/chart".',
    });
  }
}
