// A real-world chart nobody here wrote (../shared/corpus/charts/podinfo: HPA, PDB,
// Ingress, generateName test hooks) installs, waits and tests against the simulator.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { startSimulator } from '../../src/sandbox/simulator.js';
import { hasSharedCorpus, helmBinaries, SHARED_SKIP_REASON, sharedCorpus } from '../support/project.js';

for (const [major, helm] of [
  [4, helmBinaries.helm4],
  [3, helmBinaries.helm3],
] as const) {
  test(`podinfo installs with --wait and passes helm test (helm ${major})`, { skip: hasSharedCorpus ? false : SHARED_SKIP_REASON }, async () => {
    const sim = await startSimulator({ readinessDelayMs: 0 });
    const home = mkdtempSync(join(tmpdir(), 'chartctl-podinfo-'));
    try {
      sim.writeKubeconfig(join(home, 'kubeconfig'));
      const env = { HOME: home, KUBECONFIG: join(home, 'kubeconfig') };
      const chart = join(sharedCorpus, 'charts', 'podinfo');
      const install = await execa(helm, ['upgrade', '--install', 'pod', chart, '-n', 'podinfo', '--create-namespace', '--wait', '--timeout', '30s', '--set', 'hpa.enabled=true', '--set', 'ingress.enabled=true', '--set', 'redis.enabled=true'], { env, extendEnv: false, reject: false });
      assert.equal(install.exitCode, 0, String(install.stderr));
      const kinds = new Set(sim.listObjects({ namespace: 'podinfo' }).map((o) => o.kind));
      for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'Ingress', 'ConfigMap']) assert.ok(kinds.has(kind), `${kind} created`);
      const tested = await execa(helm, ['test', 'pod', '-n', 'podinfo', '--timeout', '30s'], { env, extendEnv: false, reject: false });
      assert.equal(tested.exitCode, 0, String(tested.stderr));
      assert.equal((String(tested.stdout).match(/Phase:\s+Succeeded/g) ?? []).length, 3);
    } finally {
      await sim.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
}
