// How fast the sandbox lets the real helm work, per helm major:
//   1. install + upgrade + rollback of the example app, each with --wait (target < 5 s)
//   2. 20 sequential `helm upgrade --wait` of the example app (target < 30 s)
// and where the time goes: the simulator's own request handling versus helm
// (its start-up, rendering, client-side work, and its waits).
//   npm run bench:sandbox
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startSimulator } from '../src/sandbox/simulator.js';
import { copyExampleApp, helmBinaries } from '../test/support/project.js';

interface Measured {
  wallMs: number;
  simulatorMs: number;
  requests: number;
}

const UPGRADES = Number(process.env.BENCH_UPGRADES ?? 20);

async function measure(label: string, major: 3 | 4, readinessDelayMs: number, upgradeCount = UPGRADES): Promise<{ cycle: Measured; upgrades: Measured }> {
  const helm = major === 4 ? helmBinaries.helm4 : helmBinaries.helm3;
  const sim = await startSimulator({ readinessDelayMs });
  const app = copyExampleApp();
  const home = mkdtempSync(join(tmpdir(), 'chartctl-bench-home-'));
  const kubeconfig = join(home, 'kubeconfig');
  sim.writeKubeconfig(kubeconfig);
  const run = async (args: string[]) => {
    const r = await execa(helm, args, { cwd: app.dir, env: { HOME: home, KUBECONFIG: kubeconfig }, extendEnv: false, reject: false });
    if (r.exitCode !== 0) throw new Error(`helm ${args.join(' ')} failed: ${String(r.stderr)}`);
  };
  const phase = async (body: () => Promise<void>): Promise<Measured> => {
    const before = sim.stats();
    const started = performance.now();
    await body();
    const after = sim.stats();
    return { wallMs: performance.now() - started, simulatorMs: after.handlingMs - before.handlingMs, requests: after.requests - before.requests };
  };
  try {
    await run(['dependency', 'build', 'charts/shop']);
    const ns = ['-n', 'bench', '--wait', '--timeout', '60s'];
    const cycle = await phase(async () => {
      await run(['upgrade', '--install', 'shop', 'charts/shop', '--create-namespace', ...ns]);
      await run(['upgrade', 'shop', 'charts/shop', ...ns, '--set', 'api.replicaCount=2', '--set', 'api.image.tag=1.2.0']);
      await run(['rollback', 'shop', '1', ...ns]);
    });
    const upgrades = await phase(async () => {
      for (let i = 0; i < upgradeCount; i++) await run(['upgrade', 'shop', 'charts/shop', ...ns, '--set', `api.config.BENCH_RUN=r${i}`]);
    });
    print(label, 'install+upgrade+rollback --wait', cycle, 5000);
    print(label, `${upgradeCount} sequential upgrade --wait`, upgrades, (30_000 * upgradeCount) / 20);
    return { cycle, upgrades };
  } finally {
    await sim.close();
    app.remove();
    rmSync(home, { recursive: true, force: true });
  }
}

function print(label: string, what: string, m: Measured, targetMs: number): void {
  const helmMs = m.wallMs - m.simulatorMs;
  const verdict = m.wallMs < targetMs ? 'within' : 'OVER';
  console.log(
    `${label.padEnd(28)} ${what.padEnd(34)} ${(m.wallMs / 1000).toFixed(2).padStart(6)} s (${verdict} ${targetMs / 1000} s) | ` +
      `helm ${(helmMs / 1000).toFixed(2)} s, simulator ${(m.simulatorMs / 1000).toFixed(3)} s over ${m.requests} requests ` +
      `(simulator/helm = ${(m.simulatorMs / helmMs).toFixed(3)})`,
  );
}

console.log('chartctl sandbox bench (real helm against the in-process simulator; wall time, helm = wall - simulator handling)');
// helm 4 watches (kstatus), so a readiness delay costs exactly that delay.
await measure('helm 4, readiness 100 ms', 4, 100);
// helm 3 polls every 2 s: any delay that misses the first poll costs 2 s per wait.
await measure('helm 3, readiness 0 ms', 3, 0);
// Shown for the contrast only (5 upgrades, target scaled): every wait misses the first poll.
await measure('helm 3, readiness 100 ms', 3, 100, 5);
