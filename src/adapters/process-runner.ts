import { spawn } from 'node:child_process';

export interface ProcessOutcome {
  stdout: string;
  stderr: string;
  /** null when the process was killed by a signal or never started. */
  exitCode: number | null;
  timedOut: boolean;
  cancelled: boolean;
  /** `ENOENT` etc. when the binary could not be started. */
  spawnError?: NodeJS.ErrnoException;
}

export interface ProcessOptions {
  input?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  cwd?: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs a binary with an argv array (never a shell) and collects its output.
 * node:child_process rather than execa: execa's import alone costs ~60 ms per
 * chartctl invocation here, more than the `helm template` call it would wrap.
 */
export function runProcess(file: string, args: string[], options: ProcessOptions): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          kill();
        }, options.timeoutMs)
      : undefined;
    const onAbort = () => {
      cancelled = true;
      kill();
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (exitCode: number | null, spawnError?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode,
        timedOut,
        cancelled,
        spawnError,
      });
    };
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    child.on('error', (err: NodeJS.ErrnoException) => finish(null, err));
    child.on('close', (code) => finish(code));
    // helm may exit before reading stdin (e.g. a usage error): ignore EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
