/**
 * Starting, stopping and poking a background sandbox from `chartctl sandbox`:
 * spawns the detached background.js, waits until both servers answer, writes
 * D/kubeconfig and D/env.sh, and on `down` stops the process and removes
 * everything it left in D.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../adapters/package-root.js';
import { ChartctlError } from '../core/errors.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { readSandboxState, S3_CREDENTIALS, SANDBOX_FILES, type SandboxState } from './state.js';

export interface SandboxInfo extends SandboxState {
  dir: string;
  kubeconfig: string;
  envFile: string;
  buckets: string[];
  alreadyRunning: boolean;
}

export interface UpOptions {
  dir: string;
  readinessDelayMs: number;
  kubeVersion: string;
  /** Buckets to create in the local S3 server. */
  buckets: string[];
  /** Extra kubeconfig context names pointing at the sandbox (the environments' kubeContexts). */
  contextAliases: string[];
  logRequests: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * The compiled module in a clone (also when this code runs from the CLI bundle: tests and the
 * demo run the sandbox from dist/src), else the bundled one an installed package ships.
 */
function backgroundEntry(): string {
  const compiled = join(packageRoot(), 'dist', 'src', 'sandbox', 'background.js');
  return existsSync(compiled) ? compiled : join(packageRoot(), 'dist', 'bundle', 'sandbox-background.js');
}

export async function sandboxUp(options: UpOptions): Promise<SandboxInfo> {
  const { dir } = options;
  mkdirSync(dir, { recursive: true });
  const existing = readSandboxState(dir);
  if (existing && (await answers(existing))) {
    await createBuckets(existing.s3Endpoint, options.buckets);
    return { ...writeClientFiles(dir, existing, options.contextAliases), buckets: options.buckets, alreadyRunning: true };
  }
  if (existing) removeState(dir); // a stale sandbox.json from a process that is gone

  const log = openSync(join(dir, SANDBOX_FILES.log), 'a');
  const args = [backgroundEntry(), '--dir', dir, '--readiness-delay-ms', String(options.readinessDelayMs), '--kube-version', options.kubeVersion];
  if (options.logRequests) args.push('--log-requests');
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  child.unref();

  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const state = readSandboxState(dir);
    if (state && (await answers(state))) {
      try {
        await createBuckets(state.s3Endpoint, options.buckets);
      } catch (err) {
        // A refused `up` leaves nothing running behind it.
        await sandboxDown(dir);
        throw err;
      }
      return { ...writeClientFiles(dir, state, options.contextAliases), buckets: options.buckets, alreadyRunning: false };
    }
    if (exited !== null || Date.now() > deadline || options.signal?.aborted) {
      if (exited === null && child.pid) process.kill(child.pid, 'SIGTERM');
      throw new ChartctlError(`The sandbox did not start in ${dir}${exited !== null ? ` (the background process exited with ${exited})` : ` within ${options.timeoutMs} ms`}.`, {
        code: 'SANDBOX_START_FAILED',
        hint: `Its log says:\n${tail(join(dir, SANDBOX_FILES.log))}\nFix the cause, then run chartctl sandbox down --dir ${dir} and up again.`,
      });
    }
    await sleep(50);
  }
}

export interface DownResult {
  dir: string;
  /** False when no sandbox was running there. */
  stopped: boolean;
  pid: number | null;
  removed: string[];
}

export async function sandboxDown(dir: string, timeoutMs = 10_000): Promise<DownResult> {
  const state = readSandboxState(dir);
  let stopped = false;
  if (state && isAlive(state.pid)) {
    const graceful = await fetchJson(`${state.apiServer}/__sandbox/shutdown`, { method: 'POST' }).then(
      () => true,
      () => false,
    );
    // Only signal the pid ourselves when it is provably our background process (pids get reused).
    if (!graceful && isSandboxProcess(state.pid)) process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (isAlive(state.pid) && Date.now() < deadline) await sleep(50);
    if (isAlive(state.pid) && isSandboxProcess(state.pid)) process.kill(state.pid, 'SIGKILL');
    stopped = true;
  }
  return { dir, stopped, pid: state?.pid ?? null, removed: removeState(dir) };
}

export async function sandboxFault(dir: string, target: string, fault: string): Promise<{ target: string; fault: string }> {
  const state = requireRunning(dir);
  try {
    await fetchJson(`${state.apiServer}/__sandbox/faults/workload`, { method: 'POST', body: JSON.stringify({ target, fault }) });
  } catch (err) {
    throw new ChartctlError(`Could not set fault ${fault} on ${target}: ${(err as Error).message}`, {
      code: 'SANDBOX_FAULT_FAILED',
      hint: 'The target is namespace/Kind/name (e.g. shop-dev/Deployment/shop-api) or namespace/release/NAME (every workload of that helm release), and the fault one of never-ready, fail, clear.',
    });
  }
  return { target, fault };
}

export async function sandboxStatus(dir: string): Promise<(SandboxState & { running: boolean; objects?: number; requests?: number }) | undefined> {
  const state = readSandboxState(dir);
  if (!state) return undefined;
  const stats = await fetchJson(`${state.apiServer}/__sandbox/stats`).catch(() => undefined);
  return { ...state, running: Boolean(stats), objects: stats?.objects, requests: stats?.requests };
}

function requireRunning(dir: string): SandboxState {
  const state = readSandboxState(dir);
  if (!state || !isAlive(state.pid)) {
    throw new ChartctlError(`No sandbox is running in ${dir}.`, { code: 'SANDBOX_NOT_RUNNING', exitCode: 1, hint: `Start one with: chartctl sandbox up --dir ${dir}` });
  }
  return state;
}

function writeClientFiles(dir: string, state: SandboxState, aliases: string[]): Omit<SandboxInfo, 'buckets' | 'alreadyRunning'> {
  const kubeconfig = join(dir, SANDBOX_FILES.kubeconfig);
  const envFile = join(dir, SANDBOX_FILES.env);
  writeFileSync(kubeconfig, kubeconfigYaml(state.apiServer, { aliases }), { mode: 0o600 });
  const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  writeFileSync(
    envFile,
    [
      '# chartctl sandbox: a LOCAL Kubernetes API simulator and a local S3 server, not a real cluster or bucket.',
      `# Started ${state.startedAt} (pid ${state.pid}). Stop with: chartctl sandbox down --dir ${q(dir)}`,
      `export KUBECONFIG=${q(kubeconfig)}`,
      `export AWS_ENDPOINT_URL=${q(state.s3Endpoint)}`,
      `export AWS_ACCESS_KEY_ID=${q(S3_CREDENTIALS.accessKeyId)}`,
      `export AWS_SECRET_ACCESS_KEY=${q(S3_CREDENTIALS.secretAccessKey)}`,
      `export AWS_REGION=${q(S3_CREDENTIALS.region)}`,
      '',
    ].join('\n'),
  );
  return { ...state, dir, kubeconfig, envFile };
}

function removeState(dir: string): string[] {
  const removed: string[] = [];
  for (const name of Object.values(SANDBOX_FILES)) {
    const path = join(dir, name);
    if (existsSync(path)) {
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    }
  }
  rmSync(join(dir, `${SANDBOX_FILES.state}.tmp`), { force: true });
  if (existsSync(dir) && readdirSync(dir).length === 0) {
    rmdirSync(dir);
    removed.push(dir);
  }
  return removed;
}

async function answers(state: SandboxState): Promise<boolean> {
  if (!isAlive(state.pid)) return false;
  const health = await fetchJson(`${state.apiServer}/__sandbox/health`).catch(() => undefined);
  if (health?.kind !== 'chartctl-sandbox') return false;
  // Any HTTP answer from the S3 endpoint (even 403 for an anonymous list) means it is up.
  return fetch(state.s3Endpoint, { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  );
}

async function createBuckets(endpoint: string, buckets: string[]): Promise<void> {
  if (buckets.length === 0) return;
  const { S3Client, CreateBucketCommand } = await import('../adapters/s3-sdk.js');
  const client = new S3Client({ endpoint, region: S3_CREDENTIALS.region, forcePathStyle: true, credentials: S3_CREDENTIALS });
  try {
    for (const Bucket of buckets) {
      await client.send(new CreateBucketCommand({ Bucket })).catch((err: { name?: string }) => {
        if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
      });
    }
  } finally {
    client.destroy();
  }
}

async function fetchJson(url: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(3000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // An exited process nobody has reaped yet (a zombie) is not running.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

function isSandboxProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sandbox/background.js');
  } catch {
    return false;
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
