/**
 * The bundled example app, copied, its repositories isolated in the local S3 server, deployed
 * through the real CLI against the Kubernetes simulator: the setup many integration tests share.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';
import { copyExampleApp, helmBinaries, runCli, type CliRun } from './project.js';
import { isolateRepositories, startTestS3, type TestS3 } from './s3.js';

export interface ClusterAppOptions {
  /** Names the temporary HOME, so a leftover one says which test left it. */
  name: string;
  readinessDelayMs: number;
  /** kubeconfig contexts besides "sandbox", all pointing at the simulator. */
  contexts?: string[];
  helm?: string;
  /** Added to the CLI's environment (CHARTCTL_ACTOR and the like). */
  env?: Record<string, string>;
}

export interface ClusterApp {
  sim: Simulator;
  s3: TestS3;
  app: { dir: string; remove: () => void };
  home: string;
  /** The CLI's environment; a test may add to it before its first run. */
  env: Record<string, string>;
  cli: (args: string[]) => Promise<CliRun>;
  /** Runs the CLI and asserts its exit code (0 unless told). */
  ok: (args: string[], exitCode?: number) => Promise<CliRun>;
  /** `ok` with `--output json`, parsed. */
  json: (args: string[], exitCode?: number) => Promise<any>;
  close: () => Promise<void>;
}

export async function startClusterApp(options: ClusterAppOptions): Promise<ClusterApp> {
  const sim = await startSimulator({ readinessDelayMs: options.readinessDelayMs });
  const s3 = await startTestS3();
  const app = copyExampleApp();
  isolateRepositories(app.dir, s3);
  const home = mkdtempSync(join(tmpdir(), `chartctl-${options.name}-`));
  writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url, { aliases: options.contexts }));
  const env: Record<string, string> = { ...s3.env, KUBECONFIG: join(home, 'kubeconfig'), HOME: home, CHARTCTL_HELM: options.helm ?? helmBinaries.helm4, ...options.env };
  const cli = (args: string[]) => runCli(args, { cwd: app.dir, env, timeoutMs: 120_000 });
  const ok = async (args: string[], exitCode = 0) => {
    const r = await cli(args);
    assert.equal(r.exitCode, exitCode, `chartctl ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
    return r;
  };
  return {
    sim,
    s3,
    app,
    home,
    env,
    cli,
    ok,
    json: async (args, exitCode = 0) => JSON.parse((await ok([...args, '--output', 'json'], exitCode)).stdout),
    close: async () => {
      await sim.close();
      await s3.close();
      app.remove();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
