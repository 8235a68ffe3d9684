import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ChartctlError } from '../../core/errors.js';
import type { Environment } from '../../core/environment.js';
import { helmTemplateArgs } from '../../core/helm-args.js';
import { readChartMetadata } from '../../adapters/chart-directory.js';
import type { Deps } from '../deps.js';
import { resolveValues, type CommandLineValues, type ConfigSource, type ResolvedValues } from './values.js';

export interface RenderOptions extends CommandLineValues {
  /** Render a packaged chart (tarball path) instead of the environment's chart directory. */
  chartOverride?: string;
  isUpgrade?: boolean;
  includeCrds?: boolean;
  /** Values already resolved by the caller (avoids decrypting twice); the caller releases them. */
  values?: ResolvedValues;
  /** Where the environment's values files are read when not given (default: the working tree). */
  config?: ConfigSource;
}

export interface Rendered {
  env: Environment;
  chartPath: string;
  values: ResolvedValues;
  /** helm's output: one YAML stream with `# Source:` comments. */
  manifest: string;
}

/** Checks the chart directory exists and holds a Chart.yaml. */
export function chartDirOf(deps: Deps, env: Environment): string {
  const dir = deps.repo.path(env.chart);
  if (!existsSync(join(dir, 'Chart.yaml'))) {
    throw new ChartctlError(`${env.file}: chart "${env.chart}" not found (no ${env.chart}/Chart.yaml in ${deps.repo.root}).`, {
      code: 'CHART_NOT_FOUND',
      hint: `Fix "chart:" in ${env.file} to point at the umbrella chart directory, relative to the repository root.`,
    });
  }
  return dir;
}

const dependencyBuilds = new Map<string, Promise<boolean>>();

/**
 * Runs `helm dependency build` when the chart's dependencies are missing or a
 * `file://` subchart changed since the last build (fingerprint kept under .chartctl/).
 * Memoised per process so parallel environments share one build. True when helm ran (it wrote into the chart).
 */
export function ensureDependencies(deps: Deps, chartDir: string): Promise<boolean> {
  let pending = dependencyBuilds.get(chartDir);
  if (!pending) {
    pending = buildIfNeeded(deps, chartDir);
    dependencyBuilds.set(chartDir, pending);
    pending.catch(() => dependencyBuilds.delete(chartDir));
  }
  return pending;
}

async function buildIfNeeded(deps: Deps, chartDir: string): Promise<boolean> {
  const chart = await readChartMetadata(chartDir, (p) => deps.repo.display(p));
  const dependencies = (chart.dependencies ?? []) as { name: string; repository?: string }[];
  if (dependencies.length === 0) return false;
  const fingerprint = await dependencyFingerprint(chartDir, dependencies);
  const stamp = join(deps.repo.root, '.chartctl', 'deps', `${createHash('sha256').update(resolve(chartDir)).digest('hex').slice(0, 16)}.txt`);
  const chartsDir = join(chartDir, 'charts');
  const present = existsSync(chartsDir) ? await readdir(chartsDir) : [];
  const allPresent = dependencies.every((d) => present.some((f) => f === d.name || (f.startsWith(`${d.name}-`) && f.endsWith('.tgz'))));
  if (allPresent && existsSync(stamp) && (await readFile(stamp, 'utf8')) === fingerprint) return false;
  deps.reporter.progress(`Building chart dependencies of ${deps.repo.display(chartDir)} (helm dependency build)`);
  const lockFile = join(chartDir, 'Chart.lock');
  const hadLock = existsSync(lockFile);
  await deps.helm().run(['dependency', 'build', chartDir, '--skip-refresh'], { timeoutMs: 5 * 60_000 });
  // Without a Chart.lock helm writes one: chartctl's own build must not leave the working tree dirty.
  if (!hadLock) await rm(lockFile, { force: true });
  await mkdir(join(deps.repo.root, '.chartctl', 'deps'), { recursive: true });
  await writeFile(stamp, fingerprint);
  return true;
}

/** Digest of Chart.yaml, Chart.lock and every file of each `file://` dependency (path, size, mtime). */
async function dependencyFingerprint(chartDir: string, dependencies: { repository?: string }[]): Promise<string> {
  const hash = createHash('sha256');
  for (const f of ['Chart.yaml', 'Chart.lock']) {
    if (existsSync(join(chartDir, f))) hash.update(await readFile(join(chartDir, f)));
  }
  for (const d of dependencies) {
    if (!d.repository?.startsWith('file://')) continue;
    const dir = resolve(chartDir, d.repository.slice('file://'.length));
    if (!existsSync(dir)) continue;
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const p = join(entry.parentPath, entry.name);
      const st = statSync(p);
      hash.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
    }
  }
  return hash.digest('hex');
}

/** Renders one environment with helm template (helm reads the values files; decrypted secrets on stdin, never on disk). */
export async function renderEnvironment(deps: Deps, env: Environment, options: RenderOptions = {}): Promise<Rendered> {
  const chartPath = options.chartOverride ?? chartDirOf(deps, env);
  // Checked while the values are read and decrypted: helm reads the chart only after its stdin, given after both.
  const dependencies = options.chartOverride ? Promise.resolve() : ensureDependencies(deps, chartPath);
  dependencies.catch(() => undefined);
  const templateArgs = (values: { valuesArgs: string[]; setArgs: string[] }) =>
    helmTemplateArgs({
      release: env.release,
      chart: chartPath,
      namespace: env.namespace,
      kubeVersion: env.kubeVersion,
      valuesArgs: values.valuesArgs,
      setArgs: values.setArgs,
      isUpgrade: options.isUpgrade,
      includeCrds: options.includeCrds,
    });
  const timeoutMs = 5 * 60_000;
  // helm takes tens of ms to start before it reads `--values -`: started before the secrets are decrypted, it
  // does that meanwhile (on another core) and waits for them on stdin; it reads the chart only after that.
  let started: { run: Promise<{ stdout: string }>; stdin: Deferred<string> } | undefined;
  const startHelm = (args: { valuesArgs: string[]; setArgs: string[] }) => {
    const stdin = deferred<string>();
    const run = deps.helm().run(templateArgs(args), { stdin: stdin.promise, timeoutMs });
    // Awaited below, unless resolving the values fails (then helm is stopped and that failure is the one reported).
    run.catch(() => undefined);
    started = { run, stdin };
  };
  let values: ResolvedValues | undefined;
  try {
    values = options.values ?? (await resolveValues(deps, env, options, options.config, startHelm));
    await dependencies;
  } catch (err) {
    // A chart whose dependencies cannot be built is reported first, as when it was checked before the values.
    const failure = await dependencies.then(() => err, (dependencyError: unknown) => dependencyError);
    if (started) {
      started.stdin.reject(failure);
      // Stopped, not left to write after chartctl has reported the failure.
      await started.run.catch(() => undefined);
    }
    if (values && !options.values) await values.release();
    throw failure;
  }
  const resolved = values;
  try {
    deps.reporter.progress(`Rendering ${env.name} (${env.release} in ${env.namespace}, Kubernetes ${env.kubeVersion})`);
    if (started) started.stdin.resolve(resolved.stdin ?? '');
    const running = started?.run ?? deps.helm().run(templateArgs(resolved), { stdin: resolved.stdin, timeoutMs });
    const { stdout } = await running.catch((err: unknown) => {
      // helm could not read a file chartctl could not read either: chartctl's message names file:line:col.
      throw resolved.unread[0] ?? err;
    });
    return { env, chartPath, values: resolved, manifest: stdout };
  } finally {
    if (!options.values) await resolved.release();
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rejection stops helm (process-runner); nothing else waits on it.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
