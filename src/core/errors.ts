/** Exit codes published in the README; every command maps its outcome onto these. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  changes: 2,
  noMatch: 3,
  sigint: 130,
  sigterm: 143,
} as const;

export interface ChartctlErrorOptions {
  /** Stable machine-readable identifier, e.g. `ENV_NOT_FOUND`; shown in `--output json`. */
  code: string;
  exitCode?: number;
  /** What the user should do next. */
  hint?: string;
  cause?: unknown;
}

/**
 * The one error type chartctl throws for expected failures. `main` prints
 * `message` and `hint` (never a stack trace) and exits with `exitCode`.
 */
export class ChartctlError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly hint?: string;

  constructor(message: string, options: ChartctlErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'ChartctlError';
    this.code = options.code;
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.hint = options.hint;
  }
}

/**
 * A person answered no at a prompt: exit 1 like a refusal, but not reported as an
 * error and without a hint to pass --yes (they chose not to go on).
 */
export function cancelled(message: string): ChartctlError {
  return new ChartctlError(message, { code: 'CANCELLED' });
}

export function isChartctlError(err: unknown): err is ChartctlError {
  return err instanceof ChartctlError;
}
