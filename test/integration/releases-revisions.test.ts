/**
 * What becomes a revision: a new version always does (as `helm upgrade` makes
 * one), so status, history and promotion gates agree; drift alone is repaired;
 * a rollback that would change nothing makes none; rollback revisions carry
 * their target's digest and no test result of their own. helm 4, the
 * simulator and the local S3 server.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startClusterApp, type ClusterApp } from '../support/cluster-app.js';

let cluster: ClusterApp;

const cli = (args: string[]) => cluster.cli(args);
const ok = (args: string[], exitCode?: number) => cluster.ok(args, exitCode);
const json = (args: string[], exitCode?: number) => cluster.json(args, exitCode);
const historyOf = async (envName: string) => (await json(['history', envName])).revisions as any[];

before(async () => {
  cluster = await startClusterApp({ name: 'revisions', readinessDelayMs: 50, contexts: ['dev', 'staging', 'prod'], env: { CHARTCTL_ACTOR: 'revision-tests' } });
  // Manifests that do not name the chart version, so a version bump renders the same bytes.
  const helpers = join(cluster.app.dir, 'charts', 'shop', 'templates', '_helpers.tpl');
  writeFileSync(helpers, readFileSync(helpers, 'utf8').replace(/^helm\.sh\/chart: .*\n/m, ''));
  for (const name of ['dev', 'staging', 'prod']) {
    const file = join(cluster.app.dir, 'environments', `${name}.yaml`);
    let text = readFileSync(file, 'utf8').replace(/deploy: \{timeout: 5m/, 'deploy: {timeout: 4s');
    if (name === 'prod') text = text.replace('promotion: {from: staging,', 'promotion: {from: staging, requireDeployedIn: staging,');
    writeFileSync(file, text);
  }
});
after(() => cluster?.close());

test('a version bump with identical manifests becomes a revision, and the promotion gate downstream then passes', async () => {
  await ok(['publish', 'dev', '--version', '0.2.0']);
  await ok(['promote', 'dev', 'staging', '--version', '0.2.0', '--yes']);
  assert.equal((await json(['deploy', 'staging', '--yes'])).outcome.kind, 'deployed');
  await ok(['publish', 'dev', '--version', '0.2.1']);
  await ok(['promote', 'dev', 'staging', '--version', '0.2.1', '--yes']);
  const diff = await json(['diff', 'staging', '--version', '0.2.1']);
  assert.equal(diff.diff.hasChanges, false, 'the bump renders the same manifests');

  const r = await cli(['deploy', 'staging', '--version', '0.2.1', '--yes']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /The manifests are the same; 0\.2\.1 still becomes a new revision/);
  assert.match(r.stdout, /Deployed 0\.2\.1 to staging as revision 2/);
  const [head] = await historyOf('staging');
  assert.deepEqual([head.revision, head.chartVersion, head.status], [2, '0.2.1', 'deployed']);
  const status = await json(['status', 'staging']);
  assert.equal(status.live.chartVersion, '0.2.1');
  assert.equal(status.waiting, null, 'nothing waits: status agrees with history');
  assert.match((await cli(['deploy', 'staging', '--version', '0.2.1', '--yes'])).stdout, /Nothing to deploy/);
  const promoted = await cli(['promote', 'staging', 'prod', '--version', '0.2.1', '--yes']);
  assert.equal(promoted.exitCode, 0, `requireDeployedIn: staging passes once 0.2.1 is a tested revision there:\n${promoted.stderr}`);
});

test('drift alone is repaired by deploy, and the plan says so', async () => {
  const replicas = cluster.sim.getObject('Deployment', 'shop-staging', 'shop-web')?.spec.replicas;
  const res = await fetch(`${cluster.sim.url}/apis/apps/v1/namespaces/shop-staging/deployments/shop-web?fieldManager=kubectl-scale`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ spec: { replicas: 5 } }),
  });
  assert.equal(res.status, 200, await res.text());
  const before = (await historyOf('staging')).length;
  const r = await cli(['deploy', 'staging', '--version', '0.2.1', '--yes']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /Drift: 1 resource\(s\) changed outside helm \(.*shop-web.*\); the upgrade puts them back/);
  assert.equal(cluster.sim.getObject('Deployment', 'shop-staging', 'shop-web')?.spec.replicas, replicas);
  assert.equal((await historyOf('staging')).length, before + 1);
  assert.deepEqual((await json(['diff', 'staging', '--live', '--version', '0.2.1'])).drift, []);
});

test('after helm rolled a failed upgrade back, rollback is a no-op; a real rollback carries the target\'s digest and says tests not run', async () => {
  await ok(['set-image', 'staging', 'web', '1.5.0']);
  assert.equal((await json(['deploy', 'staging', '--local', '--yes'])).outcome.kind, 'deployed');
  await ok(['set-image', 'staging', 'web', '9.9.9']);
  cluster.sim.injectFault('shop-staging/Deployment/shop-web', 'never-ready');
  try {
    const failed = await json(['deploy', 'staging', '--local', '--yes'], 1);
    assert.equal(failed.outcome.kind, 'rolledBack', JSON.stringify(failed.outcome));
  } finally {
    cluster.sim.injectFault('shop-staging/Deployment/shop-web', 'clear');
  }
  const before = await historyOf('staging');
  const noop = await cli(['rollback', 'staging', '--yes']);
  assert.equal(noop.exitCode, 0, noop.stderr);
  assert.match(noop.stdout, /Nothing to roll back: .* already equals revision \d+; no new revision was made/);
  assert.equal((await historyOf('staging')).length, before.length);
  // The failed upgrade (marked superseded by helm's rollback) is never the default target.
  const failedUpgrade = before.find((h: any) => /^Upgrade ".*" failed/.test(h.description));
  assert.ok(failedUpgrade, JSON.stringify(before));

  // Revision 1 (0.2.0 from the repository) runs another web image than what is live.
  const first = before.at(-1);
  assert.equal(first.revision, 1);
  const back = await json(['rollback', 'staging', String(first.revision), '--yes']);
  assert.equal(back.kind, 'rolledBack', JSON.stringify(back));
  const [head] = await historyOf('staging');
  assert.equal(head.description, `Rollback to ${first.revision}`);
  assert.equal(head.provenance?.digest, first.provenance.digest, 'the rollback revision runs the target\'s artifact');
  assert.equal(head.tests, 'not-run', 'no test ran for the rollback revision');
  const text = await ok(['history', 'staging']);
  assert.match(text.stdout, new RegExp(`^${head.revision} .*not run`, 'm'));
});
