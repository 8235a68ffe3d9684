// Many environments in one process: `lint` of 12 environments against the helm calls it makes
// (one after another, and all started at once by a shell: the parallel floor), and
// `diff --all` over 12 environments against twelve `chartctl diff <env>` runs, one after another.
// The 12 environments are copies of the example's dev environment (own names, namespaces and
// kube contexts), diffed against the Kubernetes simulator with the real helm.
//   npm run bench:fleet            (uses helm 4 from .tools unless CHARTCTL_HELM is set)
import { dump } from 'js-yaml';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AppRepo } from '../src/adapters/app-repo.js';
import { createSecretsReader } from '../src/adapters/secrets-factory.js';
import { SecretMasker } from '../src/core/secret-masker.js';
import { helmLintArgs, helmTemplateArgs } from '../src/core/helm-args.js';
import { helmGoGc, helmGoMaxProcs } from '../src/core/helm-go-procs.js';
import { helmGetNewestWithManifestArgs } from '../src/core/helm-release-args.js';
import { resolveValues } from '../src/actions/steps/values.js';
import type { Deps } from '../src/actions/deps.js';
import { copyExampleApp, cliPath, hasSharedCorpus, helmBinaries, projectRoot, sharedCorpus } from '../test/support/project.js';
import { writeFixtureSchemas } from '../test/support/kube-schema-fixture.js';
import { median, timeProcessCpu, type ProcessTime } from './support.js';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const helm = process.env.CHARTCTL_HELM ?? helmBinaries.helm4;
const COUNT = 12;
const names = Array.from({ length: COUNT }, (_, i) => `e${String(i + 1).padStart(2, '0')}`);

/** Starts a module's exported server in a child process and returns the first line it prints. */
async function serve(script: string): Promise<{ line: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { line, stop: () => child.kill('SIGTERM') };
}

interface Step {
  label: string;
  run: () => ProcessTime;
}

/** Each step in turn, round after round (one warm-up round first); medians of wall and CPU. */
function rounds(steps: Step[]): ProcessTime[] {
  for (const s of steps) s.run();
  const samples = steps.map(() => [] as ProcessTime[]);
  for (let i = 0; i < runs; i++) steps.forEach((s, j) => samples[j]!.push(s.run()));
  return samples.map((t) => ({ wallMs: median(t.map((x) => x.wallMs)), cpuMs: median(t.map((x) => x.cpuMs)) }));
}

const fmt = (t: ProcessTime) => `wall ${t.wallMs.toFixed(0)} ms, CPU ${t.cpuMs.toFixed(0)} ms`;

const work = mkdtempSync(join(tmpdir(), 'chartctl-bench-fleet-'));
const app = copyExampleApp();
const stops: (() => void)[] = [];
try {
  const dev = readFileSync(join(app.dir, 'environments', 'dev.yaml'), 'utf8');
  for (const n of names) {
    writeFileSync(join(app.dir, 'environments', `${n}.yaml`), dev.replace('namespace: shop-dev', `namespace: shop-${n}`).replace('kubeContext: dev', `kubeContext: ${n}`).replace('s3://acme-charts/dev', `s3://acme-charts/${n}`));
  }
  for (const n of ['dev', 'staging', 'prod']) rmSync(join(app.dir, 'environments', `${n}.yaml`));
  const sim = await serve(`import { startSimulator } from '${projectRoot}/dist/src/sandbox/simulator.js';
    const s = await startSimulator({ readinessDelayMs: 20 }); console.log(s.url);`);
  stops.push(sim.stop);
  const { kubeconfigYaml } = await import('../src/sandbox/kubeconfig.js');
  const kubeconfig = join(work, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml(sim.line, { aliases: names }));
  const env = {
    ...process.env,
    KUBECONFIG: kubeconfig,
    CHARTCTL_HELM: helm,
    XDG_CACHE_HOME: join(work, 'cache'),
    SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt'),
    CHARTCTL_ACTOR: 'bench',
  };

  // The peer scripts get exactly the values chartctl computes, as private files.
  const repo = new AppRepo(app.dir);
  const deps = { repo, env, masker: new SecretMasker(), secrets: createSecretsReader(env) } as unknown as Deps;
  const calls: string[][] = [];
  // What `diff <env> --local` asks helm against a cluster without the release: the newest revision with its manifest (one `helm get all`), a render
  // (the render with the merged values as one file, as the lint peers get them).
  const diffCalls: string[][] = [];
  for (const e of await repo.loadEnvironments([])) {
    const values = await resolveValues(deps, e);
    const file = join(work, `${e.name}.yaml`);
    // helm itself reads the values files; the peer gets their merged result as one file.
    writeFileSync(file, dump(values.merged, { lineWidth: -1, noRefs: true }), { mode: 0o600 });
    const chart = repo.path(e.chart);
    const withFile = (args: string[]) => args.map((a, i) => (a === '-' && args[i - 1] === '--values' ? file : a));
    calls.push(withFile(helmLintArgs({ chart, namespace: e.namespace, kubeVersion: e.kubeVersion })));
    calls.push(withFile(helmTemplateArgs({ release: e.release, chart, namespace: e.namespace, kubeVersion: e.kubeVersion })));
    const target = { release: e.release, namespace: e.namespace, kubeContext: e.kubeContext };
    diffCalls.push(helmGetNewestWithManifestArgs(target), calls.at(-1)!);
  }
  const line = (args: string[]) => `'${helm}' ${args.map((a) => `'${a}'`).join(' ')} >/dev/null`;
  const sequential = join(work, 'lint-sequential.sh');
  writeFileSync(sequential, `#!/bin/sh\nset -e\n${calls.map(line).join('\n')}\n`);
  const parallel = join(work, 'lint-parallel.sh');
  writeFileSync(parallel, `#!/bin/sh\n${calls.map((c) => `${line(c)} &`).join('\n')}\nwait\n`);
  // get fails (no release yet): its cost counts, its exit code does not.
  const diffHelm = join(work, 'diff-helm.sh');
  writeFileSync(diffHelm, `#!/bin/sh\n${diffCalls.map((c) => `${line(c)} 2>/dev/null || true`).join('\n')}\n`);
  const diffEach = join(work, 'diff-each.sh');
  writeFileSync(diffEach, `#!/bin/sh\nset -e\n${names.map((n) => `'${process.execPath}' '${cliPath}' diff ${n} --local --quiet >/dev/null`).join('\n')}\n`);
  // chartctl gives each helm it runs alongside others GOMAXPROCS for its share of the cores and a slower GC pace
  // (src/core/helm-go-procs.ts): the same shell with those settings shows how much of lint's standing against the
  // shell is helm's runtime, not chartctl.
  const sharedCores = helmGoMaxProcs({ cores: availableParallelism(), inFlight: calls.length, userSet: false }) ?? '';
  const sharedGc = helmGoGc({ inFlight: calls.length, userSet: false }) ?? '';
  const goSettings = `GOMAXPROCS=${sharedCores} GOGC=${sharedGc}`;
  const parallelOneCore = join(work, 'lint-parallel-gomaxprocs.sh');
  writeFileSync(parallelOneCore, `#!/bin/sh\nexport ${goSettings}\n${calls.map((c) => `${line(c)} &`).join('\n')}\nwait\n`);
  const diffHelmSharedScript = join(work, 'diff-helm-gomaxprocs.sh');
  writeFileSync(diffHelmSharedScript, `#!/bin/sh\nexport ${goSettings}\n${diffCalls.map((c) => `${line(c)} 2>/dev/null || true`).join('\n')}\n`);
  for (const s of [sequential, parallel, parallelOneCore, diffHelm, diffHelmSharedScript, diffEach]) chmodSync(s, 0o700);
  // lint with the Kubernetes schemas at hand, as after a first online run (the bench has no network: the lint above
  // reports them unavailable and checks no resource against them); the helm peers check none either way.
  const schemaDir = join(work, 'schemas');
  const definitions = join(sharedCorpus, 'k8s-schemas', 'v1.33-definitions.json');
  let schemaLabel = 'the Kubernetes 1.33 definitions (../shared/corpus)';
  if (hasSharedCorpus && existsSync(definitions)) {
    mkdirSync(schemaDir);
    symlinkSync(definitions, join(schemaDir, '_definitions.json'));
  } else {
    await writeFixtureSchemas(schemaDir);
    schemaLabel = "the test fixture's subset of the definitions";
    console.log('SKIP full schemas: ../shared/corpus is absent; lint with schemas uses the test fixture subset of the definitions');
  }

  const sh = (label: string, script: string): Step => ({ label, run: () => timeProcessCpu('/bin/sh', [script], { cwd: app.dir, env }) });
  const cli = (args: string[], extra: Record<string, string> = {}, note = ''): Step => ({
    label: `chartctl ${args.join(' ')}${note}`,
    run: () => timeProcessCpu(process.execPath, [cliPath, ...args, '--quiet'], { cwd: app.dir, env: { ...env, ...extra } }),
  });
  console.log(`chartctl benchmark: ${COUNT} environments in one process (${helm}), ${runs} rounds, interleaved, ${availableParallelism()} cores`);
  const steps = [
    cli(['lint']),
    sh(`helm lint + helm template per environment, one after another (${calls.length} helm calls)`, sequential),
    sh(`the same ${calls.length} helm calls all started at once by a shell (the parallel floor)`, parallel),
    sh(`the same with ${goSettings} (what chartctl gives a helm among others)`, parallelOneCore),
    cli(['diff', '--all', '--local']),
    sh(`chartctl diff <env> --local for each of the ${COUNT}, one after another`, diffEach),
    sh(`the ${diffCalls.length} helm calls those diffs make, one after another`, diffHelm),
    sh(`the same with ${goSettings}`, diffHelmSharedScript),
    cli(['lint'], { CHARTCTL_SCHEMA_LOCATION: schemaDir }, `, schemas from ${schemaLabel}`),
    { label: 'node -e 0 (Node start-up)', run: () => timeProcessCpu(process.execPath, ['-e', '0']) },
  ];
  const times = rounds(steps);
  const [lint, seq, floor, floorShared, all, each, diffHelmTime, diffHelmShared, lintSchemas, node] = times;
  const ratio = (a: ProcessTime, b: ProcessTime) => `${(a.wallMs / b.wallMs).toFixed(2)}x wall, ${(a.cpuMs / b.cpuMs).toFixed(2)}x CPU`;
  steps.forEach((s, i) => console.log(`  ${s.label}: ${fmt(times[i]!)}`));
  console.log(`\nlint of ${COUNT} environments`);
  console.log(`  against the sequential helm script: ${ratio(lint!, seq!)} (target <= 0.5x)`);
  console.log(`  against the parallel floor: ${ratio(lint!, floor!)} (target <= 1.2x)`);
  console.log(`  against that shell with ${goSettings} as chartctl sets them: ${ratio(lint!, floorShared!)} (chartctl's own share of the gap)`);
  console.log(`  with schemas (each rendered resource checked, which the helm calls do not do): ${ratio(lintSchemas!, floor!)} against the parallel floor`);
  // No schedule beats the helm CPU the calls need spread over every core, after Node has started: the least CPU
  // the calls took, with helm's default settings or with chartctl's.
  const cores = availableParallelism();
  const lintHelmCpu = Math.min(seq!.cpuMs, floorShared!.cpuMs);
  const lintFloor = node!.wallMs + lintHelmCpu / cores;
  console.log(`  physical floor: Node start-up + helm's CPU for the ${calls.length} calls / ${cores} cores = ${node!.wallMs.toFixed(0)} + ${(lintHelmCpu / cores).toFixed(0)} = ${lintFloor.toFixed(0)} ms; lint is ${(lint!.wallMs / lintFloor).toFixed(2)}x it (+${(lint!.wallMs - lintFloor).toFixed(0)} ms)`);
  console.log(`  best ratio that floor allows against the sequential script: ${(lintFloor / seq!.wallMs).toFixed(2)}x (target 0.5x)`);
  console.log(`\ndiff --all over ${COUNT} environments`);
  console.log(`  against ${COUNT} sequential chartctl diff runs: ${ratio(all!, each!)} (target <= 0.3x)`);
  const diffHelmCpu = Math.min(diffHelmTime!.cpuMs, diffHelmShared!.cpuMs);
  const diffFloor = node!.wallMs + diffHelmCpu / cores;
  console.log(`  physical floor: Node start-up + helm's CPU for the ${diffCalls.length} calls / ${cores} cores = ${node!.wallMs.toFixed(0)} + ${(diffHelmCpu / cores).toFixed(0)} = ${diffFloor.toFixed(0)} ms; diff --all is ${(all!.wallMs / diffFloor).toFixed(2)}x it (+${(all!.wallMs - diffFloor).toFixed(0)} ms)`);
  console.log(`  best ratio that floor allows against the sequential runs: ${(diffFloor / each!.wallMs).toFixed(2)}x (target 0.3x)`);
  console.log(`\n(load average now ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores: wall counts waiting for a core, CPU does not)`);
} finally {
  for (const stop of stops) stop();
  app.remove();
  rmSync(work, { recursive: true, force: true });
}
