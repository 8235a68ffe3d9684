import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Interrupted } from '../core/interruption.js';

export interface ProcessOutcome {
  stdout: string;
  stderr: string;
  /** null when the process was killed by a signal, never started, or was abandoned. */
  exitCode: number | null;
  timedOut: boolean;
  cancelled: boolean;
  /** Cancelled, and still running `stopGraceMs` after the signal was forwarded: no longer waited for. */
  abandoned?: { pid: number };
  /** `ENOENT` etc. when the binary could not be started. */
  spawnError?: NodeJS.ErrnoException;
}

export interface ProcessOptions {
  /**
   * The child's stdin. A promise lets the child start while its input is still being made
   * (decrypted secrets): stdin is written and closed once it settles, and the child is
   * stopped (SIGTERM) if making it fails. Without input, the child reads /dev/null.
   */
  input?: string | Promise<string | undefined>;
  timeoutMs?: number;
  /**
   * Aborting forwards the signal named by an `Interrupted` reason (else SIGTERM)
   * to the child, which may take its time to stop (helm rolls back an upgrade).
   */
  signal?: AbortSignal;
  /** How long to wait for the child once `signal` aborted; unbounded when absent. */
  stopGraceMs?: number;
  /**
   * stdout and stderr go to unlinked files instead of pipes, so the child can
   * outlive chartctl (a second signal) without dying of SIGPIPE on its next
   * write: a helm killed mid-upgrade leaves the release pending.
   */
  outlivesParent?: boolean;
  /** Called once the child is started (to track it while it runs). */
  onSpawn?: (child: ChildProcess) => void;
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
    let abandoned: { pid: number } | undefined;
    let settled = false;
    let stopTimer: NodeJS.Timeout | undefined;
    const files = options.outlivesParent ? unlinkedOutputFiles() : undefined;
    // /dev/null is the end of input an empty pipe gave, without a pipe and its stream to set up per child.
    const stdin = options.input === undefined ? 'ignore' : 'pipe';
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: [stdin, files?.stdout ?? 'pipe', files?.stderr ?? 'pipe'] });
    if (child.pid !== undefined) options.onSpawn?.(child);
    const kill = (signal: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          kill('SIGTERM');
        }, options.timeoutMs)
      : undefined;
    const onAbort = () => {
      cancelled = true;
      const reason: unknown = options.signal?.reason;
      kill(reason instanceof Interrupted ? reason.signal : 'SIGTERM');
      if (options.stopGraceMs !== undefined && child.pid !== undefined) {
        const pid = child.pid;
        stopTimer = setTimeout(() => {
          abandoned = { pid };
          finish(null);
        }, options.stopGraceMs);
      }
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (exitCode: number | null, spawnError?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (stopTimer) clearTimeout(stopTimer);
      options.signal?.removeEventListener('abort', onAbort);
      // An abandoned child keeps writing to its files; chartctl reads them only once it has exited.
      const output = files && !abandoned ? files.read() : undefined;
      resolve({
        stdout: output?.stdout ?? Buffer.concat(stdout).toString('utf8'),
        stderr: output?.stderr ?? Buffer.concat(stderr).toString('utf8'),
        exitCode,
        timedOut,
        cancelled,
        abandoned,
        spawnError,
      });
    };
    child.stdout?.on('data', (b: Buffer) => stdout.push(b));
    child.stderr?.on('data', (b: Buffer) => stderr.push(b));
    child.on('error', (err: NodeJS.ErrnoException) => finish(null, err));
    child.on('close', (code) => finish(code));
    // helm may exit before reading stdin (e.g. a usage error): ignore EPIPE.
    child.stdin?.on('error', () => undefined);
    if (typeof options.input === 'object') {
      options.input.then(
        (text) => child.stdin?.end(text ?? ''),
        () => {
          kill('SIGTERM');
          child.stdin?.end();
        },
      );
    } else child.stdin?.end(options.input);
  });
}

/**
 * Two 0600 files in a fresh 0700 dir, unlinked (and the dir removed) at once:
 * nothing is left by name whatever happens, and the open descriptors stay
 * writable for the child after chartctl exits.
 */
function unlinkedOutputFiles(): { stdout: number; stderr: number; read: () => { stdout: string; stderr: string } } {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-out-'));
  const open = (name: string) => {
    const path = join(dir, name);
    const fd = openSync(path, 'w+', 0o600);
    unlinkSync(path);
    return fd;
  };
  const fds = { stdout: open('stdout'), stderr: open('stderr') };
  rmdirSync(dir);
  const readAll = (fd: number) => {
    const buffer = Buffer.alloc(fstatSync(fd).size);
    let at = 0;
    while (at < buffer.length) {
      const n = readSync(fd, buffer, at, buffer.length - at, at);
      if (n === 0) break;
      at += n;
    }
    closeSync(fd);
    return buffer.subarray(0, at).toString('utf8');
  };
  return { ...fds, read: () => ({ stdout: readAll(fds.stdout), stderr: readAll(fds.stderr) }) };
}
