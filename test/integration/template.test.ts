import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { load } from 'js-yaml';
import { copyExampleApp, helmBinaries, runCli } from '../support/project.js';
import { parseManifestStream } from '../../src/core/manifests.js';

let app: ReturnType<typeof copyExampleApp>;
before(() => {
  app = copyExampleApp();
});
after(() => app.remove());

for (const [major, helm] of Object.entries(helmBinaries)) {
  test(`template prod renders the environment's values with ${major}`, async () => {
    const r = await runCli(['template', 'prod'], { cwd: app.dir, env: { CHARTCTL_HELM: helm } });
    assert.equal(r.exitCode, 0, r.stderr);
    const docs = parseManifestStream(r.stdout);
    const deployments = docs.filter((d) => d.object?.kind === 'Deployment').map((d) => d.object as any);
    assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), ['shop-api', 'shop-web']);
    const api = deployments.find((d) => d.metadata.name === 'shop-api');
    // prod: HPA on for api (replicas left to it), 3 web replicas, prod resources, common config
    assert.equal(api.spec.replicas, undefined);
    assert.equal(deployments.find((d) => d.metadata.name === 'shop-web').spec.replicas, 3);
    assert.equal(api.spec.template.spec.containers[0].resources.requests.cpu, '250m');
    assert.ok(docs.some((d) => d.object?.kind === 'HorizontalPodAutoscaler'));
    const ingress = docs.find((d) => d.object?.kind === 'Ingress' && d.object.metadata?.name === 'shop-web')!.object as any;
    assert.equal(ingress.spec.rules[0].host, 'shop.acme.example');
    const cm = docs.find((d) => d.object?.kind === 'ConfigMap' && d.object.metadata?.name === 'shop-api')!.object as any;
    assert.equal(cm.data.CART_TTL_SECONDS, '3600');
    assert.match(r.stderr, /Rendering prod/);
  });
}

test('environments differ: dev has 1 replica and a prerelease image, staging 2', async () => {
  const [dev, staging] = await Promise.all(['dev', 'staging'].map((e) => runCli(['template', e], { cwd: app.dir })));
  const replicas = (out: string) => parseManifestStream(out).filter((d) => d.object?.kind === 'Deployment').map((d) => (d.object as any).spec.replicas);
  assert.deepEqual(replicas(dev.stdout), [1, 1]);
  assert.deepEqual(replicas(staging.stdout), [2, 2]);
  assert.match(dev.stdout, /ghcr\.io\/acme\/shop-api:1\.1\.0-dev\.3/);
});

test('--set and --values override environment values (layering order)', async () => {
  const extra = join(app.dir, 'extra.yaml');
  writeFileSync(extra, 'web:\n  replicaCount: 7\n  image:\n    tag: "9.9.9"\n');
  const r = await runCli(['template', 'staging', '--values', 'extra.yaml', '--set', 'web.image.tag=10.0.0'], { cwd: app.dir });
  assert.equal(r.exitCode, 0, r.stderr);
  const web = parseManifestStream(r.stdout).find((d) => d.object?.kind === 'Deployment' && d.object.metadata?.name === 'shop-web')!.object as any;
  assert.equal(web.spec.replicas, 7, '--values beats the environment files');
  assert.equal(web.spec.template.spec.containers[0].image, 'ghcr.io/acme/shop-web:10.0.0', '--set beats --values');
});

test('.hbs values files are rendered with the process environment', async () => {
  const envFile = join(app.dir, 'environments', 'dev.yaml');
  const original = readFileSync(envFile, 'utf8');
  writeFileSync(envFile, `${original.replace('- environments/values/dev.yaml', '- environments/values/dev.yaml\n  - environments/values/ci.yaml.hbs')}valuesEnv: [API_TAG]\n`);
  writeFileSync(join(app.dir, 'environments', 'values', 'ci.yaml.hbs'), 'api:\n  image:\n    tag: "{{ requiredEnv "API_TAG" }}"\n');
  const ok = await runCli(['template', 'dev'], { cwd: app.dir, env: { API_TAG: '2.0.0-rc.1' } });
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.match(ok.stdout, /shop-api:2\.0\.0-rc\.1/);
  const missing = await runCli(['template', 'dev'], { cwd: app.dir, env: { API_TAG: undefined } });
  assert.equal(missing.exitCode, 1);
  assert.match(missing.stderr, /environments\/values\/ci\.yaml\.hbs: requiredEnv "API_TAG"/);
  assert.match(missing.stderr, /hint: Set API_TAG/);
  assert.doesNotMatch(missing.stderr, /at .*\.js:\d+/, 'no stack trace');
  writeFileSync(envFile, original);
});

test('--output-dir writes one file per resource; --cwd works from anywhere', async () => {
  const out = mkdtempSync(join(tmpdir(), 'chartctl-out-'));
  try {
    const r = await runCli(['--cwd', app.dir, 'template', 'prod', '--output-dir', out], { cwd: tmpdir() });
    assert.equal(r.exitCode, 0, r.stderr);
    const files = readdirSync(out).sort();
    assert.ok(files.includes('deployment-shop-api.yaml') && files.includes('service-shop-web.yaml'), files.join(','));
    for (const f of files) {
      const obj = load(readFileSync(join(out, f), 'utf8')) as any;
      assert.equal(f, `${obj.kind.toLowerCase()}-${obj.metadata.name}.yaml`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('template --output json returns the documented shape', async () => {
  const r = await runCli(['template', 'dev', '--output', 'json'], { cwd: app.dir });
  assert.equal(r.exitCode, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.env, 'dev');
  assert.equal(result.namespace, 'shop-dev');
  assert.ok(result.documents >= 10);
  assert.match(result.manifest, /kind: Deployment/);
});
