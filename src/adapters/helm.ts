import { existsSync, statSync, readFileSync, writeFileSync, mkdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { packageRoot } from './package-root.js';
import { ChartctlError } from '../core/errors.js';
import type { Reporter } from './reporter.js';
import { runProcess } from './process-runner.js';
import type { RunningProcesses } from './running-processes.js';
import { Interrupted, type StopSignal } from '../core/interruption.js';
import { helmGoGc, helmGoMaxProcs } from '../core/helm-go-procs.js';
import { availableParallelism } from 'node:os';

export interface HelmVersion {
  major: number;
  minor: number;
  patch: number;
  /** As helm prints it, e.g. `v4.1.4`. */
  text: string;
}

export interface HelmRunOptions {
  /**
   * Bytes for helm's stdin (used for `--values -`, so decrypted values never touch disk). A promise
   * starts helm before they are ready (see ProcessOptions.input); helm is stopped if it rejects.
   */
  stdin?: string | Promise<string | undefined>;
  timeoutMs?: number;
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Exit codes that are not failures for this call (e.g. `helm diff --detailed-exitcode`). */
  okExitCodes?: number[];
  /**
   * A read-only query (history, status) that may still start after SIGINT/SIGTERM,
   * so chartctl can report the state helm left a release in. Every other call is
   * refused once interrupted, and a call in flight gets the signal forwarded.
   */
  afterInterrupt?: boolean;
  /**
   * How long helm may take to stop after a forwarded signal before chartctl stops
   * waiting for it (default 60 s). An interrupted upgrade rolls back, waiting up to its --timeout.
   */
  stopGraceMs?: number;
  /** The call changes a release: helm must be able to finish it even if chartctl is gone (see runProcess). */
  outlivesParent?: boolean;
}

/** How long a helm call may take to stop after a forwarded SIGINT/SIGTERM unless the call says otherwise. */
export const DEFAULT_STOP_GRACE_MS = 60_000;

export interface HelmResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The real helm binary, driven with argv arrays only (never through a shell). */
export interface Helm {
  readonly binary: string;
  version(): Promise<HelmVersion>;
  run(args: string[], options?: HelmRunOptions): Promise<HelmResult>;
}

export class HelmError extends ChartctlError {
  constructor(
    message: string,
    readonly argv: string[],
    readonly status: number | undefined,
    readonly stderr: string,
    hint?: string,
  ) {
    super(message, { code: 'HELM_FAILED', hint });
    this.name = 'HelmError';
  }
}

const MINIMUM_MAJOR = 3;

/** Where helm comes from: `CHARTCTL_HELM`, else `helm` on PATH, else the copy `npm ci` extracted. */
export function locateHelm(env: NodeJS.ProcessEnv): string {
  if (env.CHARTCTL_HELM) {
    if (!existsSync(env.CHARTCTL_HELM)) {
      throw new ChartctlError(`CHARTCTL_HELM points to ${env.CHARTCTL_HELM}, which does not exist.`, {
        code: 'HELM_NOT_FOUND',
        hint: 'Set CHARTCTL_HELM to the path of a helm 3.x or 4.x binary, or unset it to use helm from PATH.',
      });
    }
    return env.CHARTCTL_HELM;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'helm');
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  const bundled = join(packageRoot(), '.tools', 'helm4', 'helm');
  if (existsSync(bundled)) return bundled;
  throw new ChartctlError('helm was not found: CHARTCTL_HELM is unset, there is no helm on PATH, and no development copy in .tools/.', {
    code: 'HELM_NOT_FOUND',
    hint: 'Install helm 3.x or 4.x (https://helm.sh/docs/intro/install/) or set CHARTCTL_HELM=/path/to/helm.',
  });
}

export function parseHelmVersion(text: string): HelmVersion | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: text.trim() };
}

export function maskArgv(argv: string[], mask: (t: string) => string): string {
  return argv.map((a) => mask(/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

export class HelmCli implements Helm {
  private detected?: Promise<HelmVersion>;
  /** helm processes running now, started by this instance (sizes each one's Go runtime). */
  private inFlight = 0;

  constructor(
    readonly binary: string,
    private readonly deps: {
      reporter: Reporter;
      mask: (text: string) => string;
      /** Aborted (with an `Interrupted` reason) on SIGINT/SIGTERM. */
      signal?: AbortSignal;
      /** Where running helm processes are tracked, so a second signal can name them. */
      running?: RunningProcesses;
      env: NodeJS.ProcessEnv;
      /** Where the detected version is remembered between runs (keyed by the binary's identity). */
      cacheDir?: string;
    },
  ) {}

  version(): Promise<HelmVersion> {
    this.detected ??= this.detectVersion();
    return this.detected;
  }

  private async detectVersion(): Promise<HelmVersion> {
    const cacheFile = this.deps.cacheDir ? join(this.deps.cacheDir, 'helm-versions.json') : undefined;
    let identity = this.binary;
    try {
      const st = statSync(this.binary);
      identity = `${realpathSync(this.binary)}:${st.size}:${st.mtimeMs}`;
    } catch {
      // Not a path we can stat; detect every time.
    }
    let cache: Record<string, string> = {};
    if (cacheFile) {
      try {
        cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, string>;
      } catch {
        cache = {};
      }
    }
    let text = cache[identity];
    if (!text) {
      // Read-only and quick: still allowed after a signal, so the state of a release can be read then.
      const result = await this.exec(['version', '--template', '{{.Version}}'], { timeoutMs: 30_000, afterInterrupt: true });
      text = result.stdout.trim();
    }
    const version = parseHelmVersion(text);
    if (!version) {
      throw new ChartctlError(`Could not read the version of ${this.binary} (it printed "${text}").`, {
        code: 'HELM_UNKNOWN_VERSION',
        hint: 'Check that CHARTCTL_HELM or PATH points to a helm binary.',
      });
    }
    if (version.major < MINIMUM_MAJOR) {
      throw new ChartctlError(`${this.binary} is helm ${version.text}; chartctl needs helm 3.x or 4.x.`, {
        code: 'HELM_TOO_OLD',
        hint: 'Upgrade helm (https://helm.sh/docs/intro/install/) or point CHARTCTL_HELM at a newer binary.',
      });
    }
    if (cacheFile && cache[identity] !== text) {
      try {
        mkdirSync(dirname(cacheFile), { recursive: true });
        writeFileSync(cacheFile, JSON.stringify({ ...cache, [identity]: text }));
      } catch {
        // A read-only cache only costs one extra `helm version` next time.
      }
    }
    return version;
  }

  async run(args: string[], options: HelmRunOptions = {}): Promise<HelmResult> {
    await this.version();
    return this.exec(args, options);
  }

  private stopSignal(): StopSignal {
    const reason: unknown = this.deps.signal?.reason;
    return reason instanceof Interrupted ? reason.signal : 'SIGTERM';
  }

  private async exec(args: string[], options: HelmRunOptions): Promise<HelmResult> {
    const { mask, reporter } = this.deps;
    const shown = `helm ${maskArgv(args, mask)}`;
    const described = describeHelmCall(args);
    if (this.deps.signal?.aborted && !options.afterInterrupt) {
      // Nothing new starts once the user asked chartctl to stop.
      const signal = this.stopSignal();
      throw new Interrupted(signal, `Interrupted by ${signal} before ${described} started.`, { during: described, started: false });
    }
    reporter.verbose(shown);
    const env = { ...this.deps.env, ...options.env };
    const goMaxProcs = helmGoMaxProcs({ cores: availableParallelism(), inFlight: this.inFlight + 1, userSet: env.GOMAXPROCS !== undefined });
    if (goMaxProcs) env.GOMAXPROCS = goMaxProcs;
    const goGc = helmGoGc({ inFlight: this.inFlight + 1, userSet: env.GOGC !== undefined || env.GOMEMLIMIT !== undefined });
    if (goGc) env.GOGC = goGc;
    this.inFlight++;
    const result = await runProcess(this.binary, args, {
      input: options.stdin,
      timeoutMs: options.timeoutMs,
      signal: options.afterInterrupt ? undefined : this.deps.signal,
      stopGraceMs: options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS,
      outlivesParent: options.outlivesParent,
      onSpawn: (child) => this.deps.running?.add(child, described),
      cwd: options.cwd,
      env,
    }).finally(() => this.inFlight--);
    const exitCode = result.exitCode ?? -1;
    if (result.spawnError) {
      throw new ChartctlError(`helm binary ${this.binary} could not be started (${result.spawnError.code ?? result.spawnError.message}).`, {
        code: 'HELM_NOT_FOUND',
        hint: 'Install helm 3.x or 4.x or set CHARTCTL_HELM=/path/to/helm.',
      });
    }
    if (result.cancelled) {
      const signal = this.stopSignal();
      const stillRunning = result.abandoned ? { pid: result.abandoned.pid, description: described } : undefined;
      const state = stillRunning ? `had not stopped after ${Math.round((options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS) / 1000)}s and is still running (pid ${stillRunning.pid})` : 'stopped';
      throw new Interrupted(signal, `Interrupted by ${signal}: ${described} ${state}.`, { during: described, stillRunning });
    }
    if (result.timedOut) {
      throw new HelmError(`${shown} did not finish within ${Math.round((options.timeoutMs ?? 0) / 1000)}s and was stopped.`, args, undefined, mask(result.stderr), 'Raise the timeout or check what helm is waiting on (cluster, network).');
    }
    if (exitCode === 0 || (options.okExitCodes?.includes(exitCode) ?? false)) {
      return { stdout: result.stdout, stderr: result.stderr, exitCode };
    }
    const stderr = mask(result.stderr.trim());
    throw new HelmError(`${shown} failed with exit status ${exitCode}:\n${indent(stderr || mask(result.stdout.trim()) || '(no output)')}`, args, exitCode, stderr);
  }
}

/** `helm upgrade shop -n shop-dev`: enough to recognise a helm call in a message, without values or secrets. */
export function describeHelmCall(args: string[]): string {
  const [verb, name] = args;
  const withRelease = ['upgrade', 'install', 'rollback', 'test', 'status', 'history', 'uninstall', 'get'];
  const i = args.findIndex((a) => a === '--namespace' || a === '-n');
  const namespace = i >= 0 && args[i + 1] ? ` -n ${args[i + 1]}` : '';
  return verb && withRelease.includes(verb) && name ? `helm ${verb} ${name}${namespace}` : `helm ${verb ?? ''}`.trim();
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
