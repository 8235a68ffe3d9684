// chartctl's own time for the commands people run all day: each command's wall time minus
// starting Node (`node -e 0`) minus the helm calls it must make, all measured in this run.
//   npm run bench:startup            (uses helm 4 from .tools unless CHARTCTL_HELM is set)
// The first run of each command writes its V8 code cache (bin/chartctl.js); the warm-up run
// of compare() does that here, so the figures are those of every later run.
import { dump } from 'js-yaml';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { deflateRawSync, gunzipSync } from 'node:zlib';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppRepo } from '../src/adapters/app-repo.js';
import { MemoryReporter } from '../src/adapters/reporter.js';
import { Cleanup } from '../src/adapters/cleanup.js';
import { HelmCli } from '../src/adapters/helm.js';
import { createSecretsReader } from '../src/adapters/secrets-factory.js';
import { S3ChartRepositories } from '../src/adapters/s3-chart-repositories.js';
import { GitCli } from '../src/adapters/git.js';
import { HelmReleases } from '../src/adapters/helm-releases.js';
import { MemoryOciRegistries } from '../src/adapters/memory-oci-registry.js';
import { MemoryReleaseStorage } from '../src/adapters/memory-release-storage.js';
import { MemoryReleaseLocks } from '../src/adapters/memory-release-locks.js';
import { FakeChecks } from '../src/adapters/fake-checks.js';
import { MemoryTrafficRouters } from '../src/adapters/memory-traffic-routers.js';
import { MemoryCanaryTraffic } from '../src/adapters/memory-canary-traffic.js';
import { MemoryCanaryRecords } from '../src/adapters/memory-canary-records.js';
import { SecretMasker } from '../src/core/secret-masker.js';
import { rawDeflate } from '../src/core/raw-deflate.js';
import { helmTemplateArgs } from '../src/core/helm-args.js';
import { resolveValues } from '../src/actions/steps/values.js';
import { ensureDependencies } from '../src/actions/steps/render.js';
import type { Deps } from '../src/actions/deps.js';
import { projectRoot, cliPath, helmBinaries } from '../test/support/project.js';
import { median, timeProcessCpu, type ProcessTime } from './support.js';
import { sleep } from '../src/adapters/sleep.js';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const TARGET_MS = 40;
const helm = process.env.CHARTCTL_HELM ?? helmBinaries.helm4;
const scratch = mkdtempSync(join(tmpdir(), 'chartctl-bench-startup-'));
const env = {
  ...process.env,
  CHARTCTL_HELM: helm,
  SOPS_AGE_KEY_FILE: process.env.SOPS_AGE_KEY_FILE ?? join(projectRoot, 'examples', 'demo-age-key.txt'),
  XDG_CACHE_HOME: join(scratch, 'cache'),
};
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
  secrets: createSecretsReader(env),
  now: () => new Date(),
  sleep,
  repositories: new S3ChartRepositories(env, join(scratch, 'cache'), () => new Date()),
  git: new GitCli(env),
  releases: new HelmReleases(() => new HelmCli(helm, { reporter, mask: (t) => masker.mask(t), env })),
  random: Math.random,
  registries: new MemoryOciRegistries(),
  releaseStorage: () => new MemoryReleaseStorage(),
  locks: new MemoryReleaseLocks(),
  host: { name: 'bench', pid: process.pid },
  checks: new FakeChecks(),
  routers: new MemoryTrafficRouters(),
  canaryTraffic: new MemoryCanaryTraffic(),
  canaryRecords: new MemoryCanaryRecords(),
};

interface Step {
  label: string;
  run: () => ProcessTime;
}

/** Runs every step in turn, round after round (one warm-up round first), so drift hits all of them alike; medians of wall and CPU. */
function rounds(steps: Step[]): ProcessTime[] {
  for (const s of steps) s.run();
  const samples = steps.map(() => [] as ProcessTime[]);
  for (let i = 0; i < runs; i++) steps.forEach((s, j) => samples[j]!.push(s.run()));
  return samples.map((t) => ({ wallMs: median(t.map((x) => x.wallMs)), cpuMs: median(t.map((x) => x.cpuMs)) }));
}

/** What `package` runs git for (GitCli.revision, src/adapters/git.ts, which also sets GIT_OPTIONAL_LOCKS=0): the repository's newest commit and its status, both at once. */
const PACKAGE_GIT_CALLS = `git rev-list -n 1 HEAD -- . >/dev/null & git status --porcelain --untracked-files=normal -- . >/dev/null; wait`;

/** One deterministicGzip of the archive `package` wrote into `dir`, timed inside a fresh Node (cold code, as in a CLI run). */
function coldGzip(dir: string): ProcessTime {
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`no chart archive in ${dir}: the package step runs first`);
  const tar = join(scratch, 'chart.tar');
  writeFileSync(tar, gunzipSync(readFileSync(join(dir, tgz))));
  const gzipModule = pathToFileURL(join(projectRoot, 'dist', 'src', 'core', 'deterministic-gzip.js')).href;
  const script = `import { deterministicGzip } from ${JSON.stringify(gzipModule)}; import { readFileSync } from 'node:fs'; const data = readFileSync(${JSON.stringify(tar)}); const t = performance.now(); deterministicGzip(data); console.log(performance.now() - t);`;
  const ms = Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  return { wallMs: ms, cpuMs: ms };
}

/** Node's own zlib deflate (level 9, as the archive's) of the same tar, once, cold, in a fresh process: what compressing costs natively. */
function coldZlib(): ProcessTime {
  const tar = join(scratch, 'chart.tar');
  const script = `const { deflateRawSync } = require('node:zlib'); const data = require('node:fs').readFileSync(${JSON.stringify(tar)}); const t = performance.now(); deflateRawSync(data, { level: 9 }); console.log(performance.now() - t);`;
  const ms = Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
  return { wallMs: ms, cpuMs: ms };
}

/** Whether this Node's zlib gives the bytes package must write (the released zlib's). */
function zlibDiffers(): string {
  const tar = readFileSync(join(scratch, 'chart.tar'));
  const pinned = rawDeflate(tar);
  const here = deflateRawSync(tar, { level: 9, memLevel: 8, windowBits: 15, strategy: 0 });
  return Buffer.compare(Buffer.from(pinned), here) === 0
    ? "this Node's zlib happens to give the released zlib's bytes for this tar (another zlib build may not)"
    : `this Node's zlib gives other bytes for this tar (${here.length} against the released zlib's ${pinned.length}), so it cannot write the archive`;
}

/**
 * sops's decryption of the environment's secrets files, once, cold, timed inside a fresh Node: its modules are
 * loaded before the clock starts, so this is the decryption's own work. It is chartctl's own JS (age-encryption's
 * header and payload are @noble JS; X25519 is already WebCrypto), so it is not a floor: template counts it as its
 * own time, and runs it while helm starts (helm waits for the secrets on stdin).
 */
function coldDecrypt(files: string[]): ProcessTime {
  const dist = (path: string) => JSON.stringify(pathToFileURL(join(projectRoot, 'dist', 'src', path)).href);
  // The modules decryptFile loads on its first call (opening a sops document, the fast reader, age) are loaded first here.
  const script = `import { createSecretsReader } from ${dist('adapters/secrets-factory.js')}; import ${dist('core/sops/open-document.js')}; import ${dist('core/sops/yaml-fast-scan.js')}; import ${dist('core/sops/to-values.js')}; import 'age-encryption'; const reader = createSecretsReader(process.env); const t = performance.now(); for (const f of ${JSON.stringify(files)}) await reader.decryptFile(f, f, 'bench'); console.log(performance.now() - t);`;
  const ms = Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env, cwd: projectRoot }));
  return { wallMs: ms, cpuMs: ms };
}

try {
  const prod = (await deps.repo.loadEnvironments(['prod']))[0]!;
  await ensureDependencies(deps, deps.repo.path(prod.chart));
  // The helm call `template prod` makes, with the values chartctl computes, as a private file.
  const values = await resolveValues(deps, prod);
  const valuesFile = join(scratch, 'prod.yaml');
  // helm itself reads the values files; the peer gets their merged result as one file.
  writeFileSync(valuesFile, dump(values.merged, { lineWidth: -1, noRefs: true }), { mode: 0o600 });
  const helmTemplate = helmTemplateArgs({ release: prod.release, chart: deps.repo.path(prod.chart), namespace: prod.namespace, kubeVersion: prod.kubeVersion }).map((a) => (a === '-' ? valuesFile : a));
  const out = join(scratch, 'packages');
  // What --help must do at the least: start Node and write its text to stdout (Node's stdout stream costs ~2 ms to set up).
  const helpText = execFileSync(process.execPath, [cliPath, '--help'], { cwd: projectRoot, env, encoding: 'utf8' });
  const cli = (args: string[]): Step => ({ label: `chartctl ${args.join(' ')}`, run: () => timeProcessCpu(process.execPath, [cliPath, ...args, '--quiet'], { cwd: projectRoot, env }) });
  const steps: Step[] = [
    { label: 'node -e 0 (starting Node itself)', run: () => timeProcessCpu(process.execPath, ['-e', '0']) },
    { label: 'helm template (the call template prod makes)', run: () => timeProcessCpu(helm, helmTemplate, { cwd: projectRoot, env }) },
    { label: "node writing --help's text to stdout (the least --help must do)", run: () => timeProcessCpu(process.execPath, ['-e', `process.stdout.write(${JSON.stringify(helpText)})`]) },
    cli(['template', 'prod']),
    cli(['package', '--destination', out]),
    cli(['envs']),
    cli(['--help']),
    { label: "package's deterministic gzip (the released zlib's deflate in WebAssembly) of its chart archive, once, cold, in a fresh process", run: () => coldGzip(out) },
    { label: "Node's own zlib deflate of the same tar, level 9, once, cold, in a fresh process", run: coldZlib },
    { label: `sops's decryption of prod's secrets files (${prod.secrets.join(', ')}), once, cold, in a fresh process (chartctl's own JS, part of template's own time: not a floor)`, run: () => coldDecrypt(prod.secrets.map((f) => deps.repo.path(f))) },
    { label: "the 2 git calls package makes for its provenance, at once as package runs them (the repository's last commit and its status)", run: () => timeProcessCpu('/bin/sh', ['-c', PACKAGE_GIT_CALLS], { cwd: projectRoot, env: { ...env, GIT_OPTIONAL_LOCKS: '0' } }) },
  ];
  console.log(`chartctl benchmark: start-up and own time of template, package, envs, --help (${helm}), ${runs} rounds, interleaved`);
  const [node, helmCall, helpFloor, ...measured] = rounds(steps);
  const git = measured.pop()!;
  const decrypt = measured.pop()!;
  const zlib = measured.pop()!;
  const gzip = measured.pop()!;
  const commands = measured;
  console.log(`\nfloors, measured in the same rounds`);
  for (const [i, t] of [node!, helmCall!, helpFloor!].entries()) console.log(`  ${steps[i]!.label}: median wall ${t.wallMs.toFixed(1)} ms, CPU ${t.cpuMs.toFixed(1)} ms`);
  console.log(`  ${steps.at(-1)!.label}: median wall ${git.wallMs.toFixed(1)} ms, CPU ${git.cpuMs.toFixed(1)} ms`);
  // Which helm calls each command must make (package writes its archive itself; envs and --help call no helm).
  const helmShare = [helmCall!, undefined, undefined, undefined];
  console.log(`\nchartctl's own work beyond starting Node and running helm (target <= ${TARGET_MS} ms each, wall)`);
  commands.forEach((t, i) => {
    const own = t.wallMs - node!.wallMs - (helmShare[i]?.wallMs ?? 0);
    const ownCpu = t.cpuMs - node!.cpuMs - (helmShare[i]?.cpuMs ?? 0);
    const verdict = own <= TARGET_MS ? 'met' : `over by ${(own - TARGET_MS).toFixed(1)} ms`;
    console.log(`  ${steps[i + 3]!.label}: median wall ${t.wallMs.toFixed(1)} ms, own ${own.toFixed(1)} ms (${verdict}); CPU ${t.cpuMs.toFixed(1)} ms, own ${ownCpu.toFixed(1)} ms`);
  });
  console.log(`  --help beyond Node writing its text: own ${(commands[3]!.wallMs - helpFloor!.wallMs).toFixed(1)} ms wall, ${(commands[3]!.cpuMs - helpFloor!.cpuMs).toFixed(1)} ms CPU`);
  console.log(`  of template prod's own work: ${steps.at(-2)!.label}: median ${decrypt.wallMs.toFixed(1)} ms`);
  // package makes no helm call; the git calls for its provenance are outside processes as helm's are.
  const packageBeyondGit = commands[1]!.wallMs - node!.wallMs - git.wallMs;
  console.log(`  package beyond Node and its git calls: own ${packageBeyondGit.toFixed(1)} ms (${packageBeyondGit <= TARGET_MS ? 'met' : `over by ${(packageBeyondGit - TARGET_MS).toFixed(1)} ms`})`);
  // Its tarball must be the same bytes on every machine (an immutable version is judged by its bytes): Node's zlib
  // does not give that (its output changes with the zlib build: another Node, another CPU path).
  console.log(`  of package's own work: ${steps.at(-4)!.label}: median ${gzip.wallMs.toFixed(1)} ms; ${steps.at(-3)!.label}: median ${zlib.wallMs.toFixed(1)} ms, but ${zlibDiffers()}`);
  console.log(`  (wall counts waiting for a core on a loaded machine, CPU does not; load average now ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
  cleanup.runAll();
}
