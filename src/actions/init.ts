import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import { ChartctlError } from '../core/errors.js';
import { ENVIRONMENT_NAME } from '../core/environment-file.js';
import { chartNameProblem, parseChartMetadata } from '../core/chart-metadata.js';
import { parsePlainText } from '../core/sops/sops-file.js';
import { planInit, SOPS_CONFIG, type InitPlan, type PlannedFile } from '../core/init/init-plan.js';
import type { CiSystem } from '../core/init/ci-workflows.js';
import { ensureAgeRecipient, type AgeRecipientSource } from '../adapters/sops-keys/age-key-file.js';
import { MAX_CONFIG_FILE_BYTES, readUserText } from '../adapters/user-files.js';
import type { Deps } from './deps.js';
import { sealNewFile } from './secrets-encrypt.js';
import { sopsFileRef } from './steps/sops-file-io.js';
import { readLiveRelease, type LiveRelease } from './steps/live-release.js';
import type { MissingSubchart } from '../core/init/release-chart.js';

const DEFAULT_ENVS = ['dev', 'staging', 'prod'];

export interface InitOptions {
  envs?: string[];
  /** Chart directory, relative to the repository root (or absolute inside it). */
  chart?: string;
  /** A live helm release to adopt: its values become the first environment's. */
  fromHelmRelease?: string;
  namespace?: string;
  kubeContext?: string;
  /** `s3://bucket/prefix` for the chart repositories (each environment gets `/<env>`). */
  repository?: string;
  ci?: CiSystem;
}

export interface InitResult {
  root: string;
  release: string;
  chart: string;
  envs: string[];
  written: string[];
  appended: { path: string; added: string[] }[];
  kept: { path: string; reason: string }[];
  /** The age identity the secrets are encrypted for; null when an existing .sops.yaml was kept. */
  ageKey: AgeRecipientSource | null;
  adopted: AdoptedRelease | null;
}

/** What was adopted of a live release (its values and chart files went to the files listed in written/kept). */
export interface AdoptedRelease {
  release: string;
  namespace: string;
  revision: number;
  chart: string;
  chartVersion: string;
  /** Where the release's chart was written; null when --chart named one. */
  chartDir: string | null;
  /** Subcharts helm does not keep in the release record: fetched by helm dependency build, or to be copied in when repository is ''. */
  subcharts: MissingSubchart[];
}

/** Starts an application repository in the current directory; files that exist are kept as they are. */
export async function init(deps: Deps, options: InitOptions): Promise<InitResult> {
  const root = deps.repo.root;
  if (options.namespace && !options.fromHelmRelease) {
    throw new ChartctlError('--namespace only says where the --from-helm-release release lives.', {
      code: 'INIT_BAD_OPTIONS',
      hint: 'Each environment\'s namespace is in its environment file (default <release>-<env>): edit it after init, or adopt a release with --from-helm-release NAME --namespace NS.',
    });
  }
  if (options.repository !== undefined && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(options.repository)) {
    throw new ChartctlError(`--repository ${options.repository} is not an s3://bucket/prefix URL.`, {
      code: 'INIT_BAD_OPTIONS',
      hint: 'Name the bucket (and an optional prefix) of the chart repositories, e.g. --repository s3://acme-charts/shop; each environment gets /<env> under it.',
    });
  }
  const envs = checkEnvNames(options.envs?.length ? options.envs : DEFAULT_ENVS);
  const chart = options.chart ? await readChartDir(deps, options.chart) : undefined;
  const adopted = options.fromHelmRelease ? await readLiveRelease(deps, options.fromHelmRelease, options.namespace, options.kubeContext) : null;
  const keepsSopsConfig = existsSync(deps.repo.path(SOPS_CONFIG));
  const ageKey = keepsSopsConfig ? null : await ensureAgeRecipient(deps.env).catch((err: NodeJS.ErrnoException) => {
    throw new ChartctlError(`Cannot read or create the sops age key file (${err.code ?? err.message}).`, {
      code: 'INIT_AGE_KEY',
      hint: 'Set SOPS_AGE_KEY_FILE to a file you can write, or create an identity with age-keygen and run chartctl init again.',
    });
  });
  const gitignorePath = deps.repo.path('.gitignore');
  const gitignore = existsSync(gitignorePath)
    ? await readUserText(gitignorePath, { shown: '.gitignore', what: '.gitignore', maxBytes: MAX_CONFIG_FILE_BYTES, hint: 'Check .gitignore.' })
    : undefined;
  const appName = adopted?.release ?? chart?.name ?? appNameOf(root);
  const inputs = {
    envs,
    chart,
    appName,
    repositoryBase: options.repository ?? `s3://${appName}-charts`,
    kubeContext: options.kubeContext,
    ageRecipient: ageKey?.recipient ?? '',
    ci: options.ci,
    releaseChart: chart ? undefined : adopted?.releaseChart,
    releaseValues: adopted?.values,
    releaseNamespace: adopted?.namespace,
    gitignore,
    gitDir: isDirectory(deps.repo.path('.git')),
  };
  // Plan once to learn which paths matter, then plan against what exists of them.
  const candidates = planInit({ ...inputs, existing: new Set() }).files.map((f) => f.path);
  const plan = planInit({ ...inputs, existing: new Set(candidates.filter((p) => existsSync(deps.repo.path(p)))) });
  await applyPlan(deps, plan);
  return {
    root,
    release: plan.release,
    chart: plan.chart,
    envs,
    written: plan.files.filter((f) => f.action === 'write').map((f) => f.path),
    appended: plan.files.flatMap((f) => (f.action === 'append' ? [{ path: f.path, added: f.added }] : [])),
    kept: plan.files.flatMap((f) => (f.action === 'keep' ? [{ path: f.path, reason: f.reason }] : [])),
    ageKey,
    adopted: adopted && adoptedRelease(adopted, chart ? null : plan.chart),
  };
}

function adoptedRelease(live: LiveRelease, chartDir: string | null): AdoptedRelease {
  const { release, namespace, revision, chart, chartVersion } = live;
  return { release, namespace, revision, chart, chartVersion, chartDir, subcharts: chartDir ? live.releaseChart.subcharts : [] };
}

async function applyPlan(deps: Deps, plan: InitPlan): Promise<void> {
  for (const file of plan.files) await applyFile(deps, file);
}

async function applyFile(deps: Deps, file: PlannedFile): Promise<void> {
  if (file.action === 'keep') return;
  const path = deps.repo.path(file.path);
  await mkdir(dirname(path), { recursive: true });
  if (file.action === 'append') return writeFile(path, file.content);
  let content = file.content;
  if (file.encrypt) {
    // Sealed in memory: the cleartext never reaches the disk.
    const ref = sopsFileRef(deps, file.path);
    content = (await sealNewFile(deps, ref, parsePlainText(content.toString('utf8'), 'yaml', ref.shown).branches, 'yaml')).text;
  }
  // 'wx': a file that appeared since the plan was made is not replaced either.
  await writeFile(path, content, { flag: 'wx', mode: file.mode ?? 0o644 });
}

function checkEnvNames(envs: string[]): string[] {
  const seen = new Set<string>();
  for (const env of envs) {
    if (!ENVIRONMENT_NAME.test(env) || seen.has(env)) {
      throw new ChartctlError(`--envs: "${env}" ${seen.has(env) ? 'is named twice' : 'is not an environment name (lowercase letters, digits, - and _)'}.`, {
        code: 'INIT_BAD_ENVS',
        hint: 'List the environments in promotion order, e.g. --envs dev,staging,prod.',
      });
    }
    seen.add(env);
  }
  return envs;
}

async function readChartDir(deps: Deps, dir: string): Promise<{ dir: string; name: string }> {
  const abs = resolve(deps.repo.root, dir);
  const rel = relative(deps.repo.root, abs);
  if (rel.startsWith('..') || rel === '') {
    throw new ChartctlError(`--chart ${dir} is not inside the repository ${deps.repo.root}.`, {
      code: 'INIT_BAD_CHART',
      hint: 'Environment files name the chart by a path relative to the repository root: move or copy the chart under it (e.g. charts/NAME).',
    });
  }
  const chartYaml = resolve(abs, 'Chart.yaml');
  const text = await readUserText(chartYaml, { shown: `${rel}/Chart.yaml`, what: 'Chart.yaml', maxBytes: MAX_CONFIG_FILE_BYTES, hint: `--chart names a chart directory: ${rel} needs a Chart.yaml.` });
  const name = parseChartMetadata(text, `${rel}/Chart.yaml`).name;
  const problem = typeof name === 'string' ? chartNameProblem(name) : 'it has no name';
  if (problem) throw new ChartctlError(`${rel}/Chart.yaml: the chart name ${problem}.`, { code: 'INIT_BAD_CHART', hint: 'Fix the name in Chart.yaml.' });
  return { dir: rel.split('\\').join('/'), name: name as string };
}

/** A release/chart name from the directory name: lowercase letters, digits and dashes. */
function appNameOf(root: string): string {
  const name = basename(root).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return /^[a-z]/.test(name) ? name : `app${name ? `-${name}` : ''}`;
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
