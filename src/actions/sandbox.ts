import { join } from 'node:path';
import { ChartctlError } from '../core/errors.js';
import type { Deps } from './deps.js';

/**
 * `chartctl sandbox up|down|fault|status`: a LOCAL Kubernetes API simulator
 * plus a local S3 server in a background process, for trying chartctl, the
 * README demo and rehearsing deploys/rollbacks without a cluster. The
 * simulator lives in src/sandbox/, loaded only here and only on demand.
 */

export interface SandboxDirOptions {
  /** Where the sandbox keeps its files; default `.chartctl/sandbox` in the application repository. */
  dir?: string;
}

export interface SandboxUpOptions extends SandboxDirOptions {
  readinessDelayMs?: number;
  kubeVersion?: string;
  /** Buckets to create; default: the buckets the repository's environments name (when it has environments/). */
  buckets?: string[];
  logRequests?: boolean;
  timeoutMs?: number;
}

export interface SandboxUpResult {
  dir: string;
  kubeconfig: string;
  envFile: string;
  context: 'sandbox';
  apiServer: string;
  s3Endpoint: string;
  pid: number;
  buckets: string[];
  /** Extra kubeconfig contexts (the environments' kubeContexts) that also point at the sandbox. */
  contextAliases: string[];
  readinessDelayMs: number;
  alreadyRunning: boolean;
}

export const DEFAULT_SANDBOX_DIR = join('.chartctl', 'sandbox');
export const SANDBOX_FAULTS = ['never-ready', 'fail', 'clear'] as const;
export type SandboxFault = (typeof SANDBOX_FAULTS)[number];

const control = () => import('../sandbox/control.js');

export function sandboxDir(deps: Deps, options: SandboxDirOptions): string {
  return options.dir ? deps.repo.userPath(options.dir) : deps.repo.path(DEFAULT_SANDBOX_DIR);
}

export async function sandboxUp(deps: Deps, options: SandboxUpOptions): Promise<SandboxUpResult> {
  const dir = sandboxDir(deps, options);
  const readinessDelayMs = options.readinessDelayMs ?? 300;
  if (!Number.isInteger(readinessDelayMs) || readinessDelayMs < 0) {
    throw new ChartctlError(`--readiness-delay ${options.readinessDelayMs} is not a whole number of milliseconds.`, { code: 'USAGE', hint: 'Example: chartctl sandbox up --readiness-delay 100' });
  }
  const environments = await environmentsIfAny(deps);
  const buckets = options.buckets ?? [...new Set(environments.map((e) => /^s3:\/\/([^/]+)/.exec(e.repository.url)?.[1]).filter((b): b is string => Boolean(b)))];
  const contextAliases = [...new Set(environments.map((e) => e.kubeContext).filter((c): c is string => Boolean(c)))];
  deps.reporter.progress(`Starting the sandbox (local Kubernetes API simulator + local S3) in ${dir}...`);
  const info = await (await control()).sandboxUp({
    dir,
    readinessDelayMs,
    kubeVersion: options.kubeVersion ?? '1.33',
    buckets,
    contextAliases,
    logRequests: options.logRequests ?? false,
    timeoutMs: options.timeoutMs ?? 20_000,
    signal: deps.signal,
  });
  return {
    dir,
    kubeconfig: info.kubeconfig,
    envFile: info.envFile,
    context: 'sandbox',
    apiServer: info.apiServer,
    s3Endpoint: info.s3Endpoint,
    pid: info.pid,
    buckets: info.buckets,
    contextAliases,
    readinessDelayMs: info.readinessDelayMs,
    alreadyRunning: info.alreadyRunning,
  };
}

export interface SandboxDownResult {
  dir: string;
  stopped: boolean;
  pid: number | null;
  removed: string[];
}

export async function sandboxDown(deps: Deps, options: SandboxDirOptions): Promise<SandboxDownResult> {
  const dir = sandboxDir(deps, options);
  deps.reporter.progress(`Stopping the sandbox in ${dir}...`);
  return (await control()).sandboxDown(dir);
}

export async function sandboxFault(deps: Deps, options: SandboxDirOptions & { target: string; fault: string }): Promise<{ dir: string; target: string; fault: SandboxFault }> {
  if (!/^[^/]*\/[^/]+\/[^/]+$/.test(options.target)) {
    throw new ChartctlError(`Fault target "${options.target}" is not namespace/Kind/name or namespace/release/NAME.`, { code: 'USAGE', hint: 'Examples: chartctl sandbox fault shop-dev/Deployment/shop-api never-ready; chartctl sandbox fault shop-prod/release/shop-green never-ready' });
  }
  if (!(SANDBOX_FAULTS as readonly string[]).includes(options.fault)) {
    throw new ChartctlError(`Unknown fault "${options.fault}".`, { code: 'USAGE', hint: `Use one of: ${SANDBOX_FAULTS.join(', ')}.` });
  }
  const dir = sandboxDir(deps, options);
  await (await control()).sandboxFault(dir, options.target, options.fault);
  return { dir, target: options.target, fault: options.fault as SandboxFault };
}

export interface SandboxStatusResult {
  dir: string;
  running: boolean;
  apiServer: string | null;
  s3Endpoint: string | null;
  pid: number | null;
  objects: number | null;
  requests: number | null;
}

export async function sandboxStatus(deps: Deps, options: SandboxDirOptions): Promise<SandboxStatusResult> {
  const dir = sandboxDir(deps, options);
  const status = await (await control()).sandboxStatus(dir);
  return {
    dir,
    running: status?.running ?? false,
    apiServer: status?.apiServer ?? null,
    s3Endpoint: status?.s3Endpoint ?? null,
    pid: status?.pid ?? null,
    objects: status?.objects ?? null,
    requests: status?.requests ?? null,
  };
}

/** The repository's environments, or none when --cwd is not an application repository (a bare sandbox is still useful). */
async function environmentsIfAny(deps: Deps): Promise<Array<{ repository: { url: string }; kubeContext?: string | null }>> {
  try {
    return await deps.repo.loadEnvironments([]);
  } catch {
    return [];
  }
}
