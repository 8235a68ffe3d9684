/**
 * helm habits on the cluster commands (issue #19), real helm 3 against the Kubernetes simulator:
 * --kube-context replaces the environment's kubeContext, -y is --yes, and `deploy -- ...`
 * hands extra arguments to helm upgrade (and to the render its diff shows).
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';
import { copyExampleApp, helmBinaries, runCli, type CliRun } from '../support/project.js';
import { isolateRepositories, startTestS3, type TestS3 } from '../support/s3.js';

let sim: Simulator;
let s3: TestS3;
let app: ReturnType<typeof copyExampleApp>;
let home: string;
let env: Record<string, string>;
let renamer: string;

const cli = (args: string[]): Promise<CliRun> => runCli(args, { cwd: app.dir, env, timeoutMs: 120_000 });
const ok = async (args: string[], exitCode = 0) => {
  const r = await cli(args);
  assert.equal(r.exitCode, exitCode, `chartctl ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
  return r;
};

before(async () => {
  sim = await startSimulator({ readinessDelayMs: 20 });
  s3 = await startTestS3();
  app = copyExampleApp();
  isolateRepositories(app.dir, s3);
  home = mkdtempSync(join(tmpdir(), 'chartctl-habits-'));
  // Only the context "sandbox": the environments' kubeContexts (dev, staging, prod) do not exist.
  writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url));
  renamer = join(home, 'rename.sh');
  writeFileSync(renamer, "#!/bin/sh\nsed 's/^  name: shop-/  name: renamed-shop-/'\n");
  chmodSync(renamer, 0o755);
  // helm 4 runs post-renderers as plugins only; helm 3 runs the executable named.
  env = { ...s3.env, KUBECONFIG: join(home, 'kubeconfig'), HOME: home, CHARTCTL_HELM: helmBinaries.helm3, CHARTCTL_ACTOR: 'habits-tests' };
});
after(async () => {
  await sim?.close();
  await s3?.close();
  app?.remove();
  rmSync(home, { recursive: true, force: true });
});

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
  assert.ok(sim.getObject('Deployment', 'shop-dev', 'renamed-shop-api'), 'the post-rendered name is what was applied');
  assert.equal(sim.getObject('Deployment', 'shop-dev', 'shop-api'), undefined);
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
  assert.ok(sim.getObject('Deployment', 'shop-dev', 'renamed-shop-api'), 'revision 1 (post-rendered) is back');
});
