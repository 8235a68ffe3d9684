import type { ChartctlError } from '../core/errors.js';

/** What main prints for an expected failure: stderr lines, and the JSON object under --output json. */
export function errorReport(err: ChartctlError, mask: (t: string) => string): { stderr: string; json: { error: { code: string; message: string; hint?: string } } } {
  const message = mask(err.message);
  // The person answered no: say what happened, not an error with a hint to fix it.
  if (err.code === 'CANCELLED') return { stderr: `chartctl: ${message}\n`, json: { error: { code: err.code, message } } };
  const hint = err.hint ? mask(err.hint) : undefined;
  return { stderr: `error: ${message}\n${hint ? `hint: ${hint}\n` : ''}`, json: { error: { code: err.code, message, hint } } };
}
