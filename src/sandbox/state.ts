/**
 * What a running background sandbox leaves in its directory, and how to load
 * the local S3 server (src/sandbox/s3-server.ts: s3rver behind a
 * conditional-write front).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3_SERVER_CREDENTIALS } from './s3-server.js';

export interface SandboxState {
  pid: number;
  /** Kubernetes API simulator base URL. */
  apiServer: string;
  /** Local S3 endpoint (path-style). */
  s3Endpoint: string;
  s3Directory: string;
  readinessDelayMs: number;
  startedAt: string;
}

export const SANDBOX_FILES = {
  state: 'sandbox.json',
  kubeconfig: 'kubeconfig',
  env: 'env.sh',
  log: 'sandbox.log',
  s3: 's3',
} as const;

/** Credentials the local S3 server accepts (s3rver's defaults). */
export const S3_CREDENTIALS = { ...S3_SERVER_CREDENTIALS, region: 'us-east-1' } as const;

export function readSandboxState(dir: string): SandboxState | undefined {
  const file = join(dir, SANDBOX_FILES.state);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SandboxState;
  } catch {
    return undefined;
  }
}

/** The S3 server module, loaded lazily so the simulator alone never loads s3rver. */
export const loadS3Server = () => import('./s3-server.js');
