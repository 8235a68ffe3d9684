/**
 * helm habits on the cluster commands (issue #19), real helm 3 against the Kubernetes simulator:
 * --kube-context replaces the environment's kubeContext, -y is --yes, and `deploy -- ...`
 * hands extra arguments to helm upgrade (and to the render its diff shows).
 */
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { helmBinaries } from '../support/project.js';
import { startClusterApp, type ClusterApp } from '../support/cluster-app.js';

let cluster: ClusterApp;
let renamer: string;

const cli = (args: string[]) => cluster.cli(args);
const ok = (args: string[], exitCode?: number) => cluster.ok(args, exitCode);

before(async () => {
  // Only the context "sandbox": the environments' kubeContexts (dev, staging, prod) do not exist.
  // helm 4 runs post-renderers as plugins only; helm 3 runs the executable named.
  cluster = await startClusterApp({ name: 'habits', readinessDelayMs: 20, env: { CHARTCTL_HELM: helmBinaries.helm3, CHARTCTL_ACTOR: 'habits-tests' } });
  renamer = join(cluster.home, 'rename.sh');
  writeFileSync(renamer, "#!/bin/sh\nsed 's/^  name: shop-/  name: renamed-shop-/'\n");
  chmodSync(renamer, 0o755);
});
after(() => cluster?.close());

test("--kube-context on diff replaces the environment's kubeContext, and says so", async () => {
  const without = await cli(['diff', 'dev', '--local']);
  assert.equal(without.exitCode, 1, 'the environment names context "dev", which this kubeconfig lacks');
  assert.match(without.stderr, /dev/);
  const r = await ok(['diff', 'dev', '--local', '--kube-context', 'sandbox', '-o', 'json']);
  assert.match(r.stderr, /Using kube context sandbox \(--kube-context, instead of the environment file's kubeContext\)/);
  assert.match(r.stderr, /Reading release shop in shop-dev \(context sandbox\)/);
  assert.ok(JSON.parse(r.stdout).diff.changes.every((c: any) => c.change === 'added'), 'not installed yet: everything is added');
});

test('deploy -y -- --post-renderer: helm upgrade runs the post-renderer, and the diff rendered with it', async () => {
  await ok(['deploy', 'dev', '--local', '-y', '--no-tests', '--kube-context', 'sandbox', '--', '--post-renderer', renamer]);
  assert.ok(cluster.sim.getObject('Deployment', 'shop-dev', 'renamed-shop-api'), 'the post-rendered name is what was applied');
  assert.equal(cluster.sim.getObject('Deployment', 'shop-dev', 'shop-api'), undefined);
  // The same post-renderer on diff: nothing to change, so the diff's render is the upgrade's.
  await ok(['diff', 'dev', '--local', '--kube-context', 'sandbox', '--detailed-exitcode', '--', '--post-renderer', renamer]);
  await ok(['diff', 'dev', '--local', '--kube-context', 'sandbox', '--detailed-exitcode'], 2);
});

test('--kube-context on status, history and rollback; -y on rollback', async () => {
  await ok(['deploy', 'dev', '--local', '-y', '--no-tests', '--kube-context', 'sandbox']);
  const status = JSON.parse((await ok(['status', 'dev', '--kube-context', 'sandbox', '-o', 'json'])).stdout);
  assert.equal(status.live.revision, 2);
  const history = JSON.parse((await ok(['history', 'dev', '--kube-context', 'sandbox', '-o', 'json'])).stdout);
  assert.equal(history.revisions.length, 2);
  await ok(['rollback', 'dev', '1', '-y', '--kube-context', 'sandbox']);
  assert.ok(cluster.sim.getObject('Deployment', 'shop-dev', 'renamed-shop-api'), 'revision 1 (post-rendered) is back');
});
