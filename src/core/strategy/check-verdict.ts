import type { HttpCheck, PrometheusCheck } from './strategy-config.js';

/** What one check found: passed or not, the value it compared, and a sentence saying so. */
export interface CheckResult {
  name: string;
  kind: 'prometheus' | 'http' | 'command';
  passed: boolean;
  /** The number compared (prometheus), the status code (http) or the exit code (command); absent when there was none. */
  value?: number;
  detail: string;
}

type Verdict = Omit<CheckResult, 'name' | 'kind'>;

/**
 * Judges Prometheus' answer to an instant query (`/api/v1/query`): a scalar, or
 * a vector whose every sample must be within `min`/`max` (the worst one is
 * reported). No data — an empty vector, or NaN as `0/0` gives when nothing was
 * counted — fails unless `allowNoData`.
 */
export function prometheusVerdict(check: PrometheusCheck, response: unknown): Verdict {
  const body = response as { status?: string; error?: string; errorType?: string; data?: { resultType?: string; result?: unknown } };
  if (body?.status !== 'success') return { passed: false, detail: `Prometheus refused the query: ${body?.errorType ?? 'error'}: ${body?.error ?? 'no error message'}` };
  const { resultType, result } = body.data ?? {};
  let samples: number[];
  if (resultType === 'scalar') samples = [Number((result as [number, string])[1])];
  else if (resultType === 'vector') samples = (result as Array<{ value: [number, string] }>).map((s) => Number(s.value[1]));
  else return { passed: false, detail: `the query returned a ${resultType ?? 'malformed'} result; a check needs a scalar or an instant vector` };
  const numbers = samples.filter((n) => !Number.isNaN(n));
  if (numbers.length === 0) {
    return check.allowNoData ? { passed: true, detail: 'no data (allowed by allowNoData)' } : { passed: false, detail: 'no data: the query returned no samples (set allowNoData: true to accept that)' };
  }
  const breach = numbers.find((n) => (check.max !== undefined && n > check.max) || (check.min !== undefined && n < check.min));
  const bounds = [check.min !== undefined ? `min ${check.min}` : '', check.max !== undefined ? `max ${check.max}` : ''].filter(Boolean).join(', ');
  if (breach !== undefined) return { passed: false, value: breach, detail: `value ${breach} is outside ${bounds}` };
  const worst = check.max !== undefined ? Math.max(...numbers) : Math.min(...numbers);
  return { passed: true, value: worst, detail: `value ${worst} is within ${bounds}` };
}

export function httpVerdict(check: HttpCheck, outcome: { status: number } | { error: string }): Verdict {
  if ('error' in outcome) return { passed: false, detail: `GET ${check.url} failed: ${outcome.error}` };
  return outcome.status === check.expect
    ? { passed: true, value: outcome.status, detail: `GET ${check.url} answered ${outcome.status}` }
    : { passed: false, value: outcome.status, detail: `GET ${check.url} answered ${outcome.status}, expected ${check.expect}` };
}

export function commandVerdict(argv: string[], outcome: { exitCode: number | null; timedOut: boolean; spawnError?: string; stderrTail: string }): Verdict {
  const shown = argv.join(' ');
  if (outcome.spawnError) return { passed: false, detail: `${shown} could not be started: ${outcome.spawnError}` };
  if (outcome.timedOut) return { passed: false, detail: `${shown} did not finish in time` };
  if (outcome.exitCode === 0) return { passed: true, value: 0, detail: `${shown} exited 0` };
  return { passed: false, value: outcome.exitCode ?? undefined, detail: `${shown} exited ${outcome.exitCode ?? 'on a signal'}${outcome.stderrTail ? `: ${outcome.stderrTail}` : ''}` };
}
