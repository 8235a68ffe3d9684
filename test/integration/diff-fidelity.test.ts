/**
 * `chartctl diff` shows what the API server would see (issue #15.5), through the real CLI, real
 * helm 4, the local S3 server and the Kubernetes simulator: a type change ("1" → 1) is a change
 * that deploy then applies, and an unchanged release of a chart whose test pods get a random
 * name on every render (podinfo, from ../shared/corpus) has no changes.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hasSharedCorpus, SHARED_SKIP_REASON, sharedCorpus } from '../support/project.js';
import { startClusterApp, type ClusterApp } from '../support/cluster-app.js';

let cluster: ClusterApp;

const ok = (args: string[], exitCode?: number) => cluster.ok(args, exitCode);

before(async () => {
  cluster = await startClusterApp({ name: 'diff-fidelity', readinessDelayMs: 0, contexts: ['dev', 'staging', 'prod', 'web'], env: { CHARTCTL_ACTOR: 'diff-fidelity-tests' } });
});
after(() => cluster?.close());

test('"1" → 1 (a template that drops `| quote`) is a change: diff exits 2 and shows the line; deploy then deploys it', async () => {
  const template = join(cluster.app.dir, 'charts', 'web', 'templates', 'deployment.yaml');
  const original = readFileSync(template, 'utf8');
  // A field the simulator's controllers do not act on (they count replicas): it stores what helm sent, of either type.
  const withLimit = (limit: string) => original.replace('  selector:\n', `  revisionHistoryLimit: ${limit}\n  selector:\n`);
  writeFileSync(template, withLimit('{{ .Values.replicaCount | quote }}'));
  await ok(['deploy', 'dev', '--local', '--yes', '--no-tests']);
  assert.equal(cluster.sim.getObject('Deployment', 'shop-dev', 'shop-web')!.spec.revisionHistoryLimit, '1', 'the simulator stores what helm sent');
  writeFileSync(template, withLimit('{{ .Values.replicaCount }}'));
  const text = await ok(['diff', 'dev', '--local', '--detailed-exitcode'], 2);
  assert.match(text.stdout, /^\s*-\s+revisionHistoryLimit: '1'$/m);
  assert.match(text.stdout, /^\s*\+\s+revisionHistoryLimit: 1$/m);
  const json = JSON.parse((await ok(['diff', 'dev', '--local', '--output', 'json', '--detailed-exitcode'], 2)).stdout);
  assert.deepEqual(json.diff.changes.filter((c: any) => c.change !== 'unchanged').map((c: any) => c.resource), ['apps/Deployment shop-dev/shop-web']);
  const deployed = await ok(['deploy', 'dev', '--local', '--yes', '--no-tests']);
  assert.doesNotMatch(deployed.stdout + deployed.stderr, /Nothing to deploy/);
  assert.equal(cluster.sim.getObject('Deployment', 'shop-dev', 'shop-web')!.spec.revisionHistoryLimit, 1);
  await ok(['diff', 'dev', '--local', '--detailed-exitcode'], 0);
});

test('diff --detailed-exitcode of an unchanged podinfo release exits 0: test pods with random names are left out, or matched by template with --include-tests', { skip: hasSharedCorpus ? false : SHARED_SKIP_REASON }, async () => {
  cpSync(join(sharedCorpus, 'charts', 'podinfo'), join(cluster.app.dir, 'charts', 'podinfo'), { recursive: true });
  writeFileSync(
    join(cluster.app.dir, 'environments', 'web.yaml'),
    `chart: charts/podinfo\nrelease: web\nnamespace: web\nkubeContext: web\nkubeVersion: "1.33"\nrepository:\n  url: s3://${cluster.s3.bucket}/diff-fidelity/web\n  region: us-east-1\nvalues: []\npromotion: {allowPrerelease: true, requireApproval: false}\ndeploy: {timeout: 1m, wait: true, tests: false, rollbackOnFailure: false, historyMax: 5}\n`,
  );
  await ok(['deploy', 'web', '--local', '--yes', '--set', 'hooks.preUpgrade.job.enabled=true']);
  const plain = await ok(['diff', 'web', '--local', '--detailed-exitcode', '--set', 'hooks.preUpgrade.job.enabled=true']);
  assert.match(plain.stdout, /No changes/);
  const withTests = JSON.parse((await ok(['diff', 'web', '--local', '--include-tests', '--detailed-exitcode', '--output', 'json', '--set', 'hooks.preUpgrade.job.enabled=true'])).stdout);
  const pods = withTests.diff.changes.filter((c: any) => c.hook && c.kind === 'Pod');
  assert.ok(pods.length >= 2, `--include-tests diffs podinfo's test pods: ${JSON.stringify(pods.map((c: any) => c.name))}`);
  assert.ok(pods.every((c: any) => c.change === 'unchanged'), 'each test pod is matched by its template, whatever name it got');
  const withoutTests = JSON.parse((await ok(['diff', 'web', '--local', '--output', 'json', '--set', 'hooks.preUpgrade.job.enabled=true'])).stdout);
  assert.deepEqual(withoutTests.diff.changes.filter((c: any) => c.hook).map((c: any) => `${c.kind} ${c.name}`), ['Job web-podinfo-pre-upgrade'], 'other hooks stay in, as in helm-diff');
  // A test that does change is shown, paired with what it replaces.
  const changedTest = JSON.parse((await ok(['diff', 'web', '--local', '--include-tests', '--output', 'json', '--set', 'hooks.preUpgrade.job.enabled=true', '--set', 'prefix=/v2'])).stdout);
  const serviceTest = changedTest.diff.changes.find((c: any) => c.kind === 'Pod' && c.name.startsWith('web-podinfo-service-test-'));
  assert.equal(serviceTest.change, 'changed');
  assert.match(serviceTest.renamedFrom, /^Pod web\/web-podinfo-service-test-[a-z0-9]{5}$/);
  assert.match(serviceTest.diff, /^\+.*\/v2\/api\/info/m);
});
