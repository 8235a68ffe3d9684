import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cliPath, projectRoot } from '../test/support/project.js';

export interface Timing {
  label: string;
  samples: number[];
  median: number;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Wall time of one whole process, in ms; throws if it fails. */
export function timeProcess(file: string, args: string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(file, args, { cwd: options.cwd, input: options.input, env: options.env ?? process.env, stdio: ['pipe', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (${r.status}): ${r.stderr?.toString().slice(0, 2000)}`);
  return ms;
}

/**
 * Runs A and B alternately (A B A B ...) after one warm-up each, so drift in
 * machine speed hits both equally; returns medians and the ratio of medians.
 */
export function compare(runs: number, a: { label: string; run: () => number }, b: { label: string; run: () => number }) {
  a.run();
  b.run();
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(a.run());
    bs.push(b.run());
  }
  const ta: Timing = { label: a.label, samples: as, median: median(as) };
  const tb: Timing = { label: b.label, samples: bs, median: median(bs) };
  return { a: ta, b: tb, ratio: ta.median / tb.median };
}

export function report(title: string, r: ReturnType<typeof compare>, target?: string): void {
  const fmt = (t: Timing) => `${t.label}: median ${t.median.toFixed(1)} ms (min ${Math.min(...t.samples).toFixed(1)}, max ${Math.max(...t.samples).toFixed(1)}, n=${t.samples.length})`;
  console.log(`\n${title}`);
  console.log(`  A ${fmt(r.a)}`);
  console.log(`  B ${fmt(r.b)}`);
  console.log(`  ratio A/B = ${r.ratio.toFixed(2)}${target ? `  (target ${target})` : ''}`);
}

/**
 * A script that only starts Node and loads `modules`, bundled the way the CLI is
 * (scripts/bundle.mjs): what any Node tool built on those parts pays before doing anything.
 */
export async function loadOnlyScript(dir: string, modules: string[]): Promise<string> {
  const { build } = await import('esbuild');
  const entry = join(dir, 'load-only.mjs');
  writeFileSync(entry, modules.map((m, i) => `import * as m${i} from '${m}';\nif (!Object.keys(m${i}).length) process.exit(1);`).join('\n'));
  const out = join(dir, 'load-only.bundle.mjs');
  await build({ entryPoints: [entry], outfile: out, bundle: true, format: 'esm', platform: 'node', target: 'node20', mainFields: ['module', 'main'], nodePaths: [join(projectRoot, 'node_modules')], logLevel: 'warning', banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" } });
  return out;
}

export interface ProcessTime {
  wallMs: number;
  /** user + system CPU of the process and its children (helm included), as the kernel counted them. */
  cpuMs: number;
}

/**
 * Wall and CPU time of one whole process (through /usr/bin/time, GNU time's rusage of the
 * finished child). On a shared, loaded machine wall time also counts waiting for a core;
 * CPU time does not, so both are printed. Throws if it fails.
 */
export function timeProcessCpu(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ProcessTime {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'CHARTCTL_BENCH_RUSAGE %U %S', file, ...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const stderr = r.stderr?.toString() ?? '';
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (${r.status}): ${stderr.slice(0, 2000)}`);
  const m = /CHARTCTL_BENCH_RUSAGE ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  if (!m) throw new Error(`/usr/bin/time printed no usage for ${file}: ${stderr.slice(-500)}`);
  return { wallMs, cpuMs: (Number(m[1]) + Number(m[2])) * 1000 };
}

/** Starts a module's exported server in a child process and returns the first line it prints. */
export async function serve(script: string): Promise<{ line: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { line, stop: () => child.kill('SIGTERM') };
}

/**
 * The simulator and the local S3 server, each in its own process (so their work is not timed as
 * chartctl's), a kubeconfig naming the example's contexts, and the environment chartctl and helm run in.
 * Their stop functions go on `stops`, for the bench's `finally`. `chartctl` runs the CLI in `appDir`
 * (quiet; its stdout returned, a failure thrown).
 */
export async function startBenchSandbox(work: string, stops: (() => void)[], helm: string, appDir: string) {
  const sim = await serve(`import { startSimulator } from '${projectRoot}/dist/src/sandbox/simulator.js';
    const s = await startSimulator({ readinessDelayMs: 20 }); console.log(s.url);`);
  stops.push(sim.stop);
  const s3 = await serve(`import { startS3Server } from '${projectRoot}/dist/src/sandbox/s3-server.js';
    const s = await startS3Server({ directory: '${join(work, 's3')}', buckets: ['acme-charts'] }); console.log(s.endpoint);`);
  stops.push(s3.stop);
  const { kubeconfigYaml } = await import('../src/sandbox/kubeconfig.js');
  const kubeconfig = join(work, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml(sim.line, { aliases: ['dev', 'staging', 'prod'] }));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KUBECONFIG: kubeconfig,
    CHARTCTL_HELM: helm,
    AWS_ENDPOINT_URL: s3.line,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    XDG_CACHE_HOME: join(work, 'cache'),
    SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt'),
    CHARTCTL_ACTOR: 'bench',
  };
  const chartctl = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [cliPath, ...args, '--quiet'], { cwd: appDir, env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`chartctl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  return { sim, s3, env, chartctl };
}
