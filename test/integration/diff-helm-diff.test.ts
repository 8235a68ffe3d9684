/**
 * helm-diff habits on `chartctl diff` and `deploy` (issue #16): the real CLI, real helm 4,
 * the local S3 server and the Kubernetes simulator, on the bundled example's three environments.
 * Flag meanings follow databus23/helm-diff (cmd/options.go, cmd/upgrade.go, diff/diff.go).
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
const change = (d: any, resource: string) => d.diff.changes.find((c: any) => c.resource === resource);

before(async () => {
  cluster = await startClusterApp({ name: 'diff', readinessDelayMs: 20, contexts: ['dev', 'staging', 'prod'], env: { CHARTCTL_ACTOR: 'diff-tests' } });
  // The release exists in dev only; staging and prod are diffed as new installs.
  await ok(['deploy', 'dev', '--local', '--yes', '--no-tests']);
});
after(() => cluster?.close());

test('--set and --set-string reach the diff as they reach helm; -f adds a values file', async () => {
  const d = await json(['diff', 'dev', '--local', '--set', 'api.replicaCount=3', '--set-string', 'api.image.tag=2.0', '--detailed-exitcode'], 2);
  const api = change(d, 'apps/Deployment shop-dev/shop-api');
  assert.equal(api.change, 'changed');
  assert.match(api.diff, /^\+ {2}replicas: 3$/m);
  assert.match(api.diff, /^\+ +image: ghcr\.io\/acme\/shop-api:2\.0$/m, '--set-string keeps "2.0" a string');
  writeFileSync(join(cluster.app.dir, 'hotfix.yaml'), 'web:\n  replicaCount: 4\n');
  const f = await json(['diff', 'dev', '--local', '-f', 'hotfix.yaml']);
  assert.match(change(f, 'apps/Deployment shop-dev/shop-web').diff, /^\+ {2}replicas: 4$/m);
});

test('deploy --set / --set-string / -f: the upgrade gets the same values the diff showed', async () => {
  writeFileSync(join(cluster.app.dir, 'web-replicas.yaml'), 'web:\n  replicaCount: 2\n');
  await ok(['deploy', 'dev', '--local', '--yes', '--no-tests', '--set', 'api.replicaCount=3', '--set-string', 'api.image.tag=2.0', '-f', 'web-replicas.yaml']);
  const api = cluster.sim.getObject('Deployment', 'shop-dev', 'shop-api')!;
  assert.equal(api.spec.replicas, 3);
  assert.equal(api.spec.template.spec.containers[0].image, 'ghcr.io/acme/shop-api:2.0');
  assert.equal(cluster.sim.getObject('Deployment', 'shop-dev', 'shop-web')!.spec.replicas, 2);
});

test('-C: helm-diff\'s context; -1 shows the whole object, 0 only the changed lines', async () => {
  // dev now runs replicas 3 / 2.0 (previous test): the working tree differs in both.
  const whole = await ok(['diff', 'dev', '--local', '-C', '-1', '--view', 'diff']);
  assert.match(whole.stdout, /^shop-dev, shop-api, Deployment \(apps\) has changed:$/m);
  const section = whole.stdout.split(/^shop-dev, shop-api, Deployment \(apps\) has changed:$/m)[1]!.split(/^\S.*has (?:changed|been)/m)[0]!;
  assert.match(section, /^ {2}apiVersion: apps\/v1$/m);
  assert.match(section, /^- {3}replicas: 3$/m);
  assert.match(section, /^\+ {3}replicas: 1$/m);
  assert.doesNotMatch(section, /^\.\.\.$/m, 'nothing folded away');
  const zero = await ok(['diff', 'dev', '--local', '--context', '0', '--view', 'diff']);
  const zeroSection = zero.stdout.split(/^shop-dev, shop-api, Deployment \(apps\) has changed:$/m)[1]!.split(/^\S.*has (?:changed|been)/m)[0]!;
  assert.doesNotMatch(zeroSection, /apiVersion/);
  assert.match(zeroSection, /^\.\.\.$/m);
  const unified = await json(['diff', 'dev', '--local', '-C', '-1']);
  assert.match(change(unified, 'apps/Deployment shop-dev/shop-api').diff, /^ kind: Deployment$/m);
  const bad = await cli(['diff', 'dev', '--local', '-C', 'x']);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /whole number/);
});

test('--suppress KIND and -q: reported as changed, content hidden; the simple view prints helm-diff\'s lines', async () => {
  const r = await ok(['diff', 'dev', '--local', '--suppress', 'Deployment', '-q']);
  assert.match(r.stdout, /^~ changed apps\/Deployment shop-dev\/shop-api\n {2}changes suppressed on sensitive content of type Deployment$/m);
  assert.doesNotMatch(r.stdout, /replicas/);
  const simple = await ok(['diff', 'dev', '--local', '--view', 'simple', '--suppress', 'Deployment']);
  // helm-diff's order: by key, so shop-api's resources before shop-web's.
  assert.match(simple.stdout, /^shop-dev, shop-api, ConfigMap \(v1\) to be changed\.\nshop-dev, shop-api, Deployment \(apps\) to be changed\.\n/m);
  assert.match(simple.stdout, /^shop-dev, shop-web, Deployment \(apps\) to be changed\.\nPlan: 0 to add, \d+ to change, 0 to destroy, 0 to change ownership\.$/m);
  const lines = await json(['diff', 'dev', '--local', '--suppress-output-line-regex', 'replicas|image', '--suppress-output-line-regex', '(?i)APP.KUBERNETES.IO/VERSION|checksum/']);
  assert.equal(change(lines, 'apps/Deployment shop-dev/shop-api').suppressed, 'lines');
  assert.equal(lines.diff.hasChanges, true, 'still a change, as in helm-diff (its exit code counts it)');
});

test('--include-tests and --no-hooks: the test pod is diffed unless hooks are left out', async () => {
  const withTests = await json(['diff', 'staging', '--local', '--include-tests'], 0);
  assert.ok(withTests.diff.changes.some((c: any) => c.kind === 'Pod' && c.hook && c.change === 'added'), 'the helm test pod');
  const noHooks = await json(['diff', 'staging', '--local', '--no-hooks']);
  assert.deepEqual(noHooks.diff.changes.filter((c: any) => c.hook), []);
  assert.ok(noHooks.diff.counts.added > 0);
});

test('diff --all: every environment in one report; exit 2 with --detailed-exitcode; a failing one gives 1 and the others still report', async () => {
  const all = await json(['diff', '--all', '--local', '--detailed-exitcode'], 2);
  assert.deepEqual(all.map((e: any) => e.env), ['dev', 'prod', 'staging']);
  for (const e of all) assert.equal(e.ok, true, JSON.stringify(e.error));
  const byEnv = Object.fromEntries(all.map((e: any) => [e.env, e.result]));
  assert.equal(byEnv.dev.deployed.revision, 2);
  assert.equal(byEnv.prod.deployed.revision, null);
  assert.equal(byEnv.prod.namespace, 'shop-prod');
  assert.ok(change(byEnv.staging, 'apps/Deployment shop-staging/shop-api').change === 'added');
  const text = await ok(['diff', '--all', 'dev', 'staging', '--local', '--view', 'simple']);
  assert.match(text.stdout, /^=== dev ===\n/m);
  assert.match(text.stdout, /^=== staging ===\nshop-staging, /m);
  assert.match(text.stdout, /^changed: dev, staging; unchanged: none$/m);
  const prodValues = join(cluster.app.dir, 'environments', 'values', 'prod.yaml');
  const saved = readFileSync(prodValues, 'utf8');
  writeFileSync(prodValues, 'api: [unclosed\n');
  try {
    const broken = await cli(['diff', '--all', '--local', '--output', 'json']);
    assert.equal(broken.exitCode, 1, broken.stderr);
    const results = JSON.parse(broken.stdout);
    const prod = results.find((e: any) => e.env === 'prod');
    assert.equal(prod.ok, false);
    assert.match(prod.error.message, /environments\/values\/prod\.yaml/);
    assert.ok(results.filter((e: any) => e.ok).length === 2, 'dev and staging still reported');
  } finally {
    writeFileSync(prodValues, saved);
  }
  const one = await cli(['diff', 'dev', 'staging']);
  assert.equal(one.exitCode, 1);
  assert.match(one.stderr, /need --all/);
});
