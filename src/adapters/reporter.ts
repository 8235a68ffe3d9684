/** Progress and diagnostics go to stderr so stdout stays machine-readable. */
export interface Reporter {
  /**
   * A step of work that may take more than a second; hidden by `--quiet`.
   * With `event`, `--output json` writes that object as one JSON line instead of the text.
   */
  progress(message: string, event?: object): void;
  /** Only with `--verbose` (e.g. the helm argv, secrets masked). */
  verbose(message: string): void;
  warn(message: string): void;
}

export class StderrReporter implements Reporter {
  constructor(
    private readonly opts: { quiet: boolean; verbose: boolean; json?: boolean; mask: (text: string) => string },
    private readonly write: (text: string) => void = (t) => process.stderr.write(t),
  ) {}

  progress(message: string, event?: object): void {
    if (this.opts.quiet) return;
    this.write(`${this.opts.mask(event && this.opts.json ? JSON.stringify(event) : message)}\n`);
  }

  verbose(message: string): void {
    if (this.opts.verbose) this.write(`[verbose] ${this.opts.mask(message)}\n`);
  }

  warn(message: string): void {
    this.write(`warning: ${this.opts.mask(message)}\n`);
  }
}

/** For unit tests: keeps every line (and every progress event). */
export class MemoryReporter implements Reporter {
  readonly lines: string[] = [];
  readonly events: object[] = [];
  progress(message: string, event?: object): void {
    this.lines.push(message);
    if (event) this.events.push(event);
  }
  verbose(message: string): void {
    this.lines.push(`[verbose] ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warning: ${message}`);
  }
}
