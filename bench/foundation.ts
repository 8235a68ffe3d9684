// chartctl template/lint against the bare helm steps they replace, measured in one run.
//   npm run bench:foundation            (uses helm 4 from .tools unless CHARTCTL_HELM is set)
import { dump } from 'js-yaml';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppRepo } from '../src/adapters/app-repo.js';
import { MemoryReporter } from '../src/adapters/reporter.js';
import { Cleanup } from '../src/adapters/cleanup.js';
import { HelmCli } from '../src/adapters/helm.js';
import { HelmReleases } from '../src/adapters/helm-releases.js';
import { createSecretsReader } from '../src/adapters/secrets-factory.js';
import { S3ChartRepositories } from '../src/adapters/s3-chart-repositories.js';
import { GitCli } from '../src/adapters/git.js';
import { SecretMasker } from '../src/core/secret-masker.js';
import { helmLintArgs, helmTemplateArgs } from '../src/core/helm-args.js';
import { resolveValues } from '../src/actions/steps/values.js';
import { ensureDependencies } from '../src/actions/steps/render.js';
import type { Deps } from '../src/actions/deps.js';
import { MemoryReleaseStorage } from '../src/adapters/memory-release-storage.js';
import { MemoryOciRegistries } from '../src/adapters/memory-oci-registry.js';
import { FakeChecks } from '../src/adapters/fake-checks.js';
import { MemoryTrafficRouters } from '../src/adapters/memory-traffic-routers.js';
import { MemoryCanaryTraffic } from '../src/adapters/memory-canary-traffic.js';
import { MemoryCanaryRecords } from '../src/adapters/memory-canary-records.js';
import { MemoryReleaseLocks } from '../src/adapters/memory-release-locks.js';
import { projectRoot, cliPath, helmBinaries } from '../test/support/project.js';
import { compare, report, timeProcess } from './support.js';
import { sleep } from '../src/adapters/sleep.js';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const helm = process.env.CHARTCTL_HELM ?? helmBinaries.helm4;
const env = { ...process.env, CHARTCTL_HELM: helm, SOPS_AGE_KEY_FILE: process.env.SOPS_AGE_KEY_FILE ?? join(projectRoot, 'examples', 'demo-age-key.txt') };
const scratchCache = mkdtempSync(join(tmpdir(), 'chartctl-bench-cache-'));
const reporter = new MemoryReporter();
const masker = new SecretMasker();
const cleanup = new Cleanup();
const deps: Deps = {
  repo: new AppRepo(projectRoot),
  env,
  reporter,
  masker,
  cleanup,
  signal: new AbortController().signal,
  drain: new AbortController().signal,
  helm: () => new HelmCli(helm, { reporter, mask: (t) => masker.mask(t), env }),
  releases: new HelmReleases(() => new HelmCli(helm, { reporter, mask: (t) => masker.mask(t), env })),
  secrets: createSecretsReader(env),
  now: () => new Date(),
  sleep,
  random: Math.random,
  repositories: new S3ChartRepositories(env, join(scratchCache, 'cache'), () => new Date()),
  registries: new MemoryOciRegistries(),
  git: new GitCli(env),
  releaseStorage: () => new MemoryReleaseStorage(),
  checks: new FakeChecks(),
  routers: new MemoryTrafficRouters(),
  canaryTraffic: new MemoryCanaryTraffic(),
  canaryRecords: new MemoryCanaryRecords(),
  locks: new MemoryReleaseLocks(),
  host: { name: 'bench', pid: process.pid },
};

const scratch = mkdtempSync(join(tmpdir(), 'chartctl-bench-'));
try {
  const envs = await deps.repo.loadEnvironments([]);
  await ensureDependencies(deps, deps.repo.path(envs[0]!.chart));
  // The peer gets exactly the values chartctl computes, as a private file (what a script would do).
  const steps: string[][] = [];
  const valuesFiles = new Map<string, string>();
  for (const e of envs) {
    const values = await resolveValues(deps, e);
    const file = join(scratch, `${e.name}.yaml`);
    // helm itself reads the values files; the peer gets their merged result as one file.
    writeFileSync(file, dump(values.merged, { lineWidth: -1, noRefs: true }), { mode: 0o600 });
    valuesFiles.set(e.name, file);
    const chart = deps.repo.path(e.chart);
    const withFile = (args: string[]) => args.map((a, i) => (a === '-' && args[i - 1] === '--values' ? file : a));
    steps.push(withFile(helmLintArgs({ chart, namespace: e.namespace, kubeVersion: e.kubeVersion })));
    steps.push(withFile(helmTemplateArgs({ release: e.release, chart, namespace: e.namespace, kubeVersion: e.kubeVersion })));
  }
  const prod = envs.find((e) => e.name === 'prod')!;
  const prodTemplate = helmTemplateArgs({ release: prod.release, chart: deps.repo.path(prod.chart), namespace: prod.namespace, kubeVersion: prod.kubeVersion }).map((a) =>
    a === '-' ? valuesFiles.get('prod')! : a,
  );
  const script = join(scratch, 'lint-sequential.sh');
  writeFileSync(script, `#!/bin/sh\nset -e\n${steps.map((s) => `'${helm}' ${s.map((a) => `'${a}'`).join(' ')} >/dev/null`).join('\n')}\n`);
  chmodSync(script, 0o700);
  // What no tool can beat on this machine: the same helm calls all started at once.
  const parallelScript = join(scratch, 'lint-parallel.sh');
  writeFileSync(parallelScript, `#!/bin/sh\n${steps.map((s) => `'${helm}' ${s.map((a) => `'${a}'`).join(' ')} >/dev/null &`).join('\n')}\nwait\n`);
  chmodSync(parallelScript, 0o700);

  console.log(`chartctl benchmark: template and lint vs bare helm (${helm}), ${runs} runs each, alternating`);
  const template = compare(
    runs,
    { label: 'chartctl template prod', run: () => timeProcess(process.execPath, [cliPath, 'template', 'prod', '--quiet'], { cwd: projectRoot, env }) },
    { label: 'helm template (same chart, same values)', run: () => timeProcess(helm, prodTemplate, { cwd: projectRoot, env }) },
  );
  report('template prod', template, '<= 1.25');
  const nodeFloor = compare(
    runs,
    { label: 'node -e 0 (the runtime alone)', run: () => timeProcess(process.execPath, ['-e', '0']) },
    { label: 'helm template', run: () => timeProcess(helm, prodTemplate, { cwd: projectRoot, env }) },
  );
  report('floor: starting Node.js itself, against the same helm call', nodeFloor);
  console.log(`  chartctl's own work beyond starting Node and running helm: ${(template.a.median - nodeFloor.a.median - template.b.median).toFixed(1)} ms`);
  const lint = compare(
    runs,
    { label: `chartctl lint (${envs.length} environments in parallel)`, run: () => timeProcess(process.execPath, [cliPath, 'lint', '--quiet'], { cwd: projectRoot, env }) },
    { label: `helm lint + helm template per environment, one after another (${steps.length} helm calls)`, run: () => timeProcess('/bin/sh', [script], { cwd: projectRoot, env }) },
  );
  report('lint, all environments', lint, '<= 0.8');
  const parallelFloor = compare(
    runs,
    { label: `the same ${steps.length} helm calls all started at once (no Node, no checks)`, run: () => timeProcess('/bin/sh', [parallelScript], { cwd: projectRoot, env }) },
    { label: 'one after another', run: () => timeProcess('/bin/sh', [script], { cwd: projectRoot, env }) },
  );
  report(`floor: helm alone in parallel on ${availableParallelism()} cores, against the sequential script`, parallelFloor);
} finally {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(scratchCache, { recursive: true, force: true });
  cleanup.runAll();
}
