/**
 * Entry point of the detached process `chartctl sandbox up` starts
 * (node dist/src/sandbox/background.js --dir D ...): runs the Kubernetes API
 * simulator and the local S3 server until SIGTERM/SIGINT or
 * POST /__sandbox/shutdown, and announces where they listen by writing
 * D/sandbox.json once both answer. All state lives in this process's memory
 * (S3 objects in D/s3), so it persists across helm/kubectl/chartctl runs
 * until `chartctl sandbox down`.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator.js';
import { loadS3Server, type SandboxState } from './state.js';

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      'readiness-delay-ms': { type: 'string', default: '300' },
      'kube-version': { type: 'string', default: '1.33' },
      'api-port': { type: 'string', default: '0' },
      's3-port': { type: 'string', default: '0' },
      'log-requests': { type: 'boolean', default: false },
    },
  });
  if (!values.dir) throw new Error('background: --dir is required');
  const dir = values.dir;
  let stopping = false;
  let s3: { endpoint: string; close(): Promise<void> } | undefined;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.allSettled([simulator.close(), s3?.close()]);
    process.exit(code);
  };
  const simulator = await startSimulator({
    readinessDelayMs: Number(values['readiness-delay-ms']),
    kubeVersion: values['kube-version'],
    port: Number(values['api-port']),
    log: values['log-requests'] ? (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`) : undefined,
    onShutdown: () => void stop(0),
  });
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  const s3Directory = join(dir, 's3');
  mkdirSync(s3Directory, { recursive: true });
  const { startS3Server } = await loadS3Server();
  s3 = await startS3Server({ host: '127.0.0.1', port: Number(values['s3-port']), directory: s3Directory });
  const state: SandboxState = {
    pid: process.pid,
    apiServer: simulator.url,
    s3Endpoint: s3.endpoint,
    s3Directory,
    readinessDelayMs: simulator.readinessDelayMs,
    startedAt: new Date().toISOString(),
  };
  // Written last and atomically: its presence means both servers answer.
  const file = join(dir, 'sandbox.json');
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  process.stdout.write(`chartctl sandbox: Kubernetes API simulator on ${simulator.url}, S3 on ${s3.endpoint} (pid ${process.pid})\n`);
}

run().catch((err) => {
  process.stderr.write(`chartctl sandbox background process failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
