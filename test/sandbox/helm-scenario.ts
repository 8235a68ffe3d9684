/**
 * The proof scenario of the sandbox issue, run against a real helm binary:
 * install --wait, upgrade (replicas + image), history, get manifest,
 * rollback --wait, helm test passing and failing, an upgrade timing out on a
 * never-ready Deployment and rolled back by helm itself, uninstall.
 * helm3.test.ts and helm4.test.ts run it with each major.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { copyExampleApp } from '../support/project.js';

export interface ScenarioOptions {
  helm: string;
  major: 3 | 4;
  readinessDelayMs: number;
}

export function helmScenario({ helm, major, readinessDelayMs }: ScenarioOptions): void {
  const namespace = `shop-h${major}`;
  let sim: Simulator;
  let app: { dir: string; remove: () => void };
  let home: string;
  let kubeconfig: string;

  const run = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const result = await execa(helm, args, {
      cwd: app.dir,
      env: { HOME: home, KUBECONFIG: kubeconfig, HELM_DRIVER: 'secret', NO_COLOR: '1', ...extraEnv },
      extendEnv: false,
      reject: false,
      timeout: 60_000,
    });
    return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  };
  const ok = async (args: string[]) => {
    const r = await run(args);
    assert.equal(r.exitCode, 0, `helm ${args.join(' ')} failed:\n${r.stderr}\n${r.stdout}`);
    return r;
  };
  const deployment = (name: string) => {
    const d = sim.getObject('Deployment', namespace, name);
    assert.ok(d, `Deployment ${namespace}/${name} exists`);
    return d;
  };
  const image = (name: string) => deployment(name).spec.template.spec.containers[0].image as string;
  const rollbackFlag = major === 4 ? '--rollback-on-failure' : '--atomic';

  before(async () => {
    sim = await startSimulator({ readinessDelayMs });
    app = copyExampleApp();
    home = mkdtempSync(join(tmpdir(), 'chartctl-helm-home-'));
    kubeconfig = join(home, 'kubeconfig');
    sim.writeKubeconfig(kubeconfig);
    await ok(['dependency', 'build', 'charts/shop']);
  });

  after(async () => {
    await sim?.close();
    app?.remove();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test(`helm ${major}: upgrade --install --wait installs the example app and waits for readiness`, async () => {
    await ok(['upgrade', '--install', 'shop', 'charts/shop', '-n', namespace, '--create-namespace', '--wait', '--timeout', '30s']);
    const release = sim.release(namespace, 'shop');
    assert.equal(release?.version, 1);
    assert.equal(release?.status, 'deployed');
    const api = deployment('shop-api');
    assert.equal(api.status.observedGeneration, api.metadata.generation);
    assert.equal(api.status.readyReplicas, 1, 'helm returned only after the Deployment reported ready');
    assert.ok(sim.getObject('Service', namespace, 'shop-api')?.spec.clusterIP, 'Services get a cluster IP');
  });

  test(`helm ${major}: a second upgrade changes replicas and image; history shows both revisions`, async () => {
    await ok(['upgrade', '--install', 'shop', 'charts/shop', '-n', namespace, '--wait', '--timeout', '30s', '--set', 'api.replicaCount=2', '--set', 'api.image.tag=1.2.0']);
    assert.equal(deployment('shop-api').spec.replicas, 2);
    assert.equal(image('shop-api'), 'ghcr.io/acme/shop-api:1.2.0');
    assert.equal(deployment('shop-api').status.readyReplicas, 2);
    assert.equal(image('shop-web'), 'ghcr.io/acme/shop-web:1.0.0', 'untouched service keeps its image');

    const history = JSON.parse((await ok(['history', 'shop', '-n', namespace, '-o', 'json'])).stdout) as Array<{ revision: number; status: string }>;
    assert.deepEqual(
      history.map((h) => [h.revision, h.status]),
      [
        [1, 'superseded'],
        [2, 'deployed'],
      ],
    );
    const manifest = (await ok(['get', 'manifest', 'shop', '-n', namespace])).stdout;
    assert.match(manifest, /image: "ghcr\.io\/acme\/shop-api:1\.2\.0"/);
    assert.match(manifest, /replicas: 2/);
    assert.equal(sim.release(namespace, 'shop', 2)?.manifest.trim(), manifest.trim(), 'the stored release decodes to what helm reports');
  });

  test(`helm ${major}: rollback 1 --wait restores revision 1's objects`, async () => {
    await ok(['rollback', 'shop', '1', '-n', namespace, '--wait', '--timeout', '30s']);
    assert.equal(deployment('shop-api').spec.replicas, 1);
    assert.equal(image('shop-api'), 'ghcr.io/acme/shop-api:1.0.0');
    assert.equal(deployment('shop-api').status.readyReplicas, 1);
    const latest = sim.release(namespace, 'shop');
    assert.equal(latest?.version, 3);
    assert.equal(latest?.status, 'deployed');
    assert.match(String(latest?.record.info?.description), /Rollback to 1/);
  });

  test(`helm ${major}: helm test passes, and fails when the test pod is made to fail`, async () => {
    const passed = await ok(['test', 'shop', '-n', namespace, '--timeout', '30s']);
    assert.match(passed.stdout, /Phase:\s+Succeeded/);

    sim.injectFault(`${namespace}/Pod/shop-test-connection`, 'fail');
    const failed = await run(['test', 'shop', '-n', namespace, '--timeout', '30s']);
    sim.injectFault(`${namespace}/Pod/shop-test-connection`, 'clear');
    assert.notEqual(failed.exitCode, 0, 'a failed test pod fails helm test');
    assert.match(failed.stderr + failed.stdout, /shop-test-connection/);
    assert.equal(sim.getObject('Pod', namespace, 'shop-test-connection')?.status.phase, 'Failed');
  });

  test(`helm ${major}: an upgrade stuck on a never-ready Deployment times out and ${rollbackFlag} restores the previous revision`, async () => {
    sim.injectFault(`${namespace}/Deployment/shop-api`, 'never-ready');
    try {
      const stuck = await run(['upgrade', 'shop', 'charts/shop', '-n', namespace, '--wait', '--timeout', '3s', rollbackFlag, '--set', 'api.image.tag=9.9.9']);
      assert.notEqual(stuck.exitCode, 0, 'the upgrade must fail');
      assert.match(stuck.stderr, /rolled back/);
    } finally {
      sim.injectFault(`${namespace}/Deployment/shop-api`, 'clear');
    }
    const revisions = sim.releases(namespace, 'shop');
    assert.deepEqual(
      revisions.slice(-2).map((r) => [r.version, r.status]),
      [
        [4, 'failed'],
        [5, 'deployed'],
      ],
    );
    assert.match(String(revisions.at(-1)?.record.info?.description), /Rollback to 3/);
    assert.equal(image('shop-api'), 'ghcr.io/acme/shop-api:1.0.0');
    assert.equal(deployment('shop-api').status.readyReplicas, 1);
  });

  test(`helm ${major}: an API error injected into the upgrade fails it, and helm records the failed revision`, async () => {
    const fault = sim.addRequestFault({ method: 'PATCH', resource: 'deployments', name: 'shop-api', status: 500, times: 1 });
    const failed = await run(['upgrade', 'shop', 'charts/shop', '-n', namespace, '--set', 'api.image.tag=1.3.0']);
    assert.notEqual(failed.exitCode, 0);
    assert.match(failed.stderr, /injected fault/);
    assert.equal(sim.faults.listRequestFaults().find((f) => f.id === fault.id)?.hits, 1);
    assert.equal(sim.release(namespace, 'shop')?.status, 'failed');
    sim.clearFaults();
  });

  test(`helm ${major}: HELM_DRIVER=configmap stores protobuf ConfigMaps the simulator decodes`, async () => {
    const r = await run(['upgrade', '--install', 'shop-cm', 'charts/shop', '-n', namespace, '--set', 'tests.enabled=false'], { HELM_DRIVER: 'configmap' });
    assert.equal(r.exitCode, 0, r.stderr);
    const release = sim.release(namespace, 'shop-cm');
    assert.equal(release?.status, 'deployed');
    assert.ok(sim.getObject('ConfigMap', namespace, 'sh.helm.release.v1.shop-cm.v1'), 'stored as a ConfigMap');
    assert.equal((await run(['uninstall', 'shop-cm', '-n', namespace], { HELM_DRIVER: 'configmap' })).exitCode, 0);
  });

  test(`helm ${major}: uninstall removes the release and its objects`, async () => {
    await ok(['uninstall', 'shop', '-n', namespace, '--wait', '--timeout', '30s']);
    assert.deepEqual(sim.releases(namespace, 'shop'), []);
    // Hooks are not part of the release's resources: helm leaves the last test pod
    // (hook-delete-policy before-hook-creation), as it does on a real cluster.
    const left = sim.listObjects({ namespace }).filter((o) => o.metadata.annotations?.['helm.sh/hook'] !== 'test');
    assert.deepEqual(left.map((o) => `${o.kind}/${o.metadata.name}`), [], 'nothing of the release is left (ReplicaSets go with their Deployments)');
  });
}
