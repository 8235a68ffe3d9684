import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { rm, writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ChartctlError } from '../../core/errors.js';
import type { Environment } from '../../core/environment.js';
import { helmTemplateArgs } from '../../core/helm-args.js';
import { readChartMetadata } from '../../adapters/chart-directory.js';
import type { Deps } from '../deps.js';
import { startValues, type CommandLineValues, type ConfigSource, type ResolvedValues, type StartedValues } from './values.js';

export interface RenderOptions extends CommandLineValues {
  /** Render a packaged chart (tarball path) instead of the environment's chart directory. */
  chartOverride?: string;
  isUpgrade?: boolean;
  includeCrds?: boolean;
  /** Values already resolved by the caller (avoids decrypting twice), or still decrypting (helm starts meanwhile); the caller releases them. */
  values?: ResolvedValues | StartedValues;
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
  const fingerprint = dependencyFingerprint(chartDir, dependencies);
  const stamp = join(deps.repo.root, '.chartctl', 'deps', `${createHash('sha256').update(resolve(chartDir)).digest('hex').slice(0, 16)}.txt`);
  const chartsDir = join(chartDir, 'charts');
  // The check every render and package makes reads synchronously, as readChartDirectory does: a few small files.
  const present = existsSync(chartsDir) ? readdirSync(chartsDir) : [];
  const allPresent = dependencies.every((d) => present.some((f) => f === d.name || (f.startsWith(`${d.name}-`) && f.endsWith('.tgz'))));
  if (allPresent && existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint) return false;
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
function dependencyFingerprint(chartDir: string, dependencies: { repository?: string }[]): string {
  const hash = createHash('sha256');
  for (const f of ['Chart.yaml', 'Chart.lock']) {
    if (existsSync(join(chartDir, f))) hash.update(readFileSync(join(chartDir, f)));
  }
  for (const d of dependencies) {
    if (!d.repository?.startsWith('file://')) continue;
    const dir = resolve(chartDir, d.repository.slice('file://'.length));
    if (!existsSync(dir)) continue;
    for (const p of filesInReaddirOrder(dir)) {
      const st = statSync(p);
      hash.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
    }
  }
  return hash.digest('hex');
}

/**
 * The files under `dir` in the order fs.promises.readdir(dir, { recursive: true }) lists them (each directory's
 * entries, then the last subdirectory found first), which the stamps already written hold; readdirSync's own
 * recursive order differs (breadth first), and would rebuild every chart's dependencies once.
 */
function filesInReaddirOrder(dir: string): string[] {
  const files: string[] = [];
  const pending: [string, Dirent[]][] = [[dir, readdirSync(dir, { withFileTypes: true })]];
  while (pending.length > 0) {
    const [path, entries] = pending.pop()!;
    for (const entry of entries) {
      const p = join(path, entry.name);
      if (entry.isFile()) files.push(p);
      else if (entry.isDirectory()) pending.push([p, readdirSync(p, { withFileTypes: true })]);
    }
  }
  return files;
}

/** Renders one environment with helm template (helm reads the values files; decrypted secrets on stdin, never on disk). */
export async function renderEnvironment(deps: Deps, env: Environment, options: RenderOptions = {}): Promise<Rendered> {
  const chartPath = options.chartOverride ?? chartDirOf(deps, env);
  // Checked while the values are read and decrypted: helm reads the chart only after its stdin, which waits for both.
  const dependencies = options.chartOverride ? Promise.resolve(false) : ensureDependencies(deps, chartPath);
  dependencies.catch(() => undefined);
  // A chart whose dependencies cannot be built is the failure reported first, as when it was checked before the values.
  const dependenciesFirst = (err: unknown) => dependencies.then(() => Promise.reject(err));
  const values = options.values ?? (await startValues(deps, env, options, options.config).catch(dependenciesFirst));
  try {
    const args = helmTemplateArgs({
      release: env.release,
      chart: chartPath,
      namespace: env.namespace,
      kubeVersion: env.kubeVersion,
      valuesArgs: values.valuesArgs,
      setArgs: values.setArgs,
      isUpgrade: options.isUpgrade,
      includeCrds: options.includeCrds,
    });
    // helm takes tens of ms to start before it reads `--values -`: started before the secrets are decrypted, it does
    // that meanwhile and waits for them on stdin. Without `--values -` it reads the chart at once, so it waits here.
    const readsStdin = values.valuesArgs.some((a, i) => a === '-' && values.valuesArgs[i - 1] === '--values');
    if (!readsStdin) await dependencies.catch(dependenciesFirst);
    const stdin = Promise.all([values.stdin, dependencies]).then(([text]) => text);
    deps.reporter.progress(`Rendering ${env.name} (${env.release} in ${env.namespace}, Kubernetes ${env.kubeVersion})`);
    const [run, input] = await Promise.allSettled([deps.helm().run(args, { stdin, timeoutMs: 5 * 60_000 }), stdin]);
    // Building the dependencies or decrypting failed (helm was stopped for it): that is the error, not helm's.
    if (input.status === 'rejected') await dependenciesFirst(input.reason);
    // helm could not read a file chartctl could not read either: chartctl's message names file:line:col.
    if (run.status === 'rejected') throw values.unread[0] ?? run.reason;
    return { env, chartPath, values: 'resolved' in values ? await values.resolved : values, manifest: run.value.stdout };
  } finally {
    if (!options.values) await values.release();
  }
}
