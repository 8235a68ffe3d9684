/**
 * Moving a release between helm majors: installed by helm 3 (client-side
 * apply), then deployed, failed, rolled back with helm 4, and back to helm 3;
 * and a release helm 4 installed (server-side) deployed and rolled back by
 * helm 3. Real binaries, the simulator, the local S3 server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const cli = (helm: string, args: string[]): Promise<CliRun> => runCli(args, { cwd: app.dir, env: { ...env, CHARTCTL_HELM: helm }, timeoutMs: 120_000 });
const json = async (helm: string, args: string[], exitCode = 0) => {
  const r = await cli(helm, [...args, '--output', 'json']);
  assert.equal(r.exitCode, exitCode, `chartctl ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout);
};
const image = (ns: string, name: string) => sim.getObject('Deployment', ns, name)?.spec.template.spec.containers[0].image as string | undefined;
const setImage = async (envName: string, service: string, tag: string) => assert.equal((await cli(helmBinaries.helm4, ['set-image', envName, service, tag])).exitCode, 0);

before(async () => {
  sim = await startSimulator({ readinessDelayMs: 50 });
  s3 = await startTestS3();
  app = copyExampleApp();
  isolateRepositories(app.dir, s3);
  home = mkdtempSync(join(tmpdir(), 'chartctl-helm-majors-'));
  writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url, { aliases: ['dev', 'staging', 'prod'] }));
  env = { ...s3.env, KUBECONFIG: join(home, 'kubeconfig'), HOME: home, CHARTCTL_ACTOR: 'helm-majors' };
  for (const name of ['dev', 'staging']) {
    const file = join(app.dir, 'environments', `${name}.yaml`);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/deploy: \{timeout: 5m/, 'deploy: {timeout: 4s'));
  }
});
after(async () => {
  await sim?.close();
  await s3?.close();
  app?.remove();
  rmSync(home, { recursive: true, force: true });
});

test('installed by helm 3, then deployed, failed (helm rolls back) and rolled back with helm 4, then deployed and rolled back with helm 3 again', async () => {
  const { helm3, helm4 } = helmBinaries;
  assert.equal((await json(helm3, ['deploy', 'dev', '--local', '--yes'])).outcome.kind, 'deployed');

  await setImage('dev', 'api', '1.2.0');
  const upgraded = await json(helm4, ['deploy', 'dev', '--local', '--yes']);
  assert.equal(upgraded.outcome.kind, 'deployed', JSON.stringify(upgraded.outcome));
  assert.equal(image('shop-dev', 'shop-api'), 'ghcr.io/acme/shop-api:1.2.0');

  await setImage('dev', 'web', '9.0.0');
  sim.injectFault('shop-dev/Deployment/shop-web', 'never-ready');
  try {
    const failed = await json(helm4, ['deploy', 'dev', '--local', '--yes'], 1);
    assert.equal(failed.outcome.kind, 'rolledBack', JSON.stringify(failed.outcome));
    assert.equal(failed.outcome.reason, 'the upgrade failed and helm rolled it back');
  } finally {
    sim.injectFault('shop-dev/Deployment/shop-web', 'clear');
  }
  assert.notEqual(image('shop-dev', 'shop-web'), 'ghcr.io/acme/shop-web:9.0.0');

  // Back to what helm 3 installed (revision 1), with helm 4.
  const back = await json(helm4, ['rollback', 'dev', '1', '--yes']);
  assert.equal(back.kind, 'rolledBack', JSON.stringify(back));
  assert.equal(image('shop-dev', 'shop-api'), 'ghcr.io/acme/shop-api:1.1.0-dev.3');

  await setImage('dev', 'web', '1.1.0-dev.3');
  await setImage('dev', 'api', '1.3.0');
  assert.equal((await json(helm3, ['deploy', 'dev', '--local', '--yes'])).outcome.kind, 'deployed');
  assert.equal(image('shop-dev', 'shop-api'), 'ghcr.io/acme/shop-api:1.3.0');
  const again = await json(helm3, ['rollback', 'dev', '--yes']);
  assert.equal(again.kind, 'rolledBack', JSON.stringify(again));
  assert.equal((await json(helm3, ['status', 'dev'])).health, 'healthy');
});

test('installed by helm 4 (server-side), then deployed and rolled back by helm 3, then deployed by helm 4 again', async () => {
  const { helm3, helm4 } = helmBinaries;
  assert.equal((await json(helm4, ['deploy', 'staging', '--local', '--yes'])).outcome.kind, 'deployed');
  await setImage('staging', 'api', '2.0.0');
  assert.equal((await json(helm3, ['deploy', 'staging', '--local', '--yes'])).outcome.kind, 'deployed');
  assert.equal(image('shop-staging', 'shop-api'), 'ghcr.io/acme/shop-api:2.0.0');
  assert.equal((await json(helm3, ['rollback', 'staging', '--yes'])).kind, 'rolledBack');
  await setImage('staging', 'api', '2.1.0');
  const last = await json(helm4, ['deploy', 'staging', '--local', '--yes']);
  assert.equal(last.outcome.kind, 'deployed', JSON.stringify(last.outcome));
  assert.equal(image('shop-staging', 'shop-api'), 'ghcr.io/acme/shop-api:2.1.0');
});
