import { existsSync, statSync, readFileSync, writeFileSync, mkdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { packageRoot } from './package-root.js';
import { ChartctlError } from '../core/errors.js';
import type { Reporter } from './reporter.js';
import { runProcess } from './process-runner.js';

export interface HelmVersion {
  major: number;
  minor: number;
  patch: number;
  /** As helm prints it, e.g. `v4.1.4`. */
  text: string;
}

export interface HelmRunOptions {
  /** Bytes for helm's stdin (used for `--values -`, so decrypted values never touch disk). */
  stdin?: string;
  timeoutMs?: number;
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Exit codes that are not failures for this call (e.g. `helm diff --detailed-exitcode`). */
  okExitCodes?: number[];
}

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

  constructor(
    readonly binary: string,
    private readonly deps: {
      reporter: Reporter;
      mask: (text: string) => string;
      signal?: AbortSignal;
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
      const result = await this.exec(['version', '--template', '{{.Version}}'], { timeoutMs: 30_000 });
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

  private async exec(args: string[], options: HelmRunOptions): Promise<HelmResult> {
    const { mask, reporter } = this.deps;
    const shown = `helm ${maskArgv(args, mask)}`;
    reporter.verbose(shown);
    const result = await runProcess(this.binary, args, {
      input: options.stdin,
      timeoutMs: options.timeoutMs,
      signal: this.deps.signal,
      cwd: options.cwd,
      env: { ...this.deps.env, ...options.env },
    });
    const exitCode = result.exitCode ?? -1;
    if (result.spawnError) {
      throw new ChartctlError(`helm binary ${this.binary} could not be started (${result.spawnError.code ?? result.spawnError.message}).`, {
        code: 'HELM_NOT_FOUND',
        hint: 'Install helm 3.x or 4.x or set CHARTCTL_HELM=/path/to/helm.',
      });
    }
    if (result.cancelled) {
      throw new ChartctlError(`${shown} was cancelled.`, { code: 'CANCELLED' });
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

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
