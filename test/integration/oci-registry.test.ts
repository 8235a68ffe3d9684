import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { copyExampleApp, helmBinaries, runCli } from '../support/project.js';
import { hasRegistry, REGISTRY_SKIP_REASON, startTestRegistry, type TestRegistry } from '../support/oci-registry.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';

const skip = hasRegistry ? false : REGISTRY_SKIP_REASON;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let registry: TestRegistry;
let other: TestRegistry;
let sim: Simulator;
let app: { dir: string; remove: () => void };
let home: string;
let env: Record<string, string>;

function pointAt(name: string, url: string): void {
  const file = join(app.dir, 'environments', `${name}.yaml`);
  const text = readFileSync(file, 'utf8').replace(/repository:\n(  .*\n)+/, `repository:\n  url: ${url}\n  plainHttp: true\n`);
  writeFileSync(file, text);
}
const cli = (args: string[], extra: Record<string, string> = {}) => runCli(['--cwd', app.dir, ...args], { env: { ...env, ...extra }, timeoutMs: 120_000 });
async function ok(args: string[], extra: Record<string, string> = {}) {
  const r = await cli(args, extra);
  assert.equal(r.exitCode, 0, `chartctl ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r;
}
async function packageAs(version: string, dir: string, tweak = ''): Promise<string> {
  const chartYaml = join(app.dir, 'charts', 'shop', 'Chart.yaml');
  const original = readFileSync(chartYaml, 'utf8');
  writeFileSync(chartYaml, original.replace(/^version: .*$/m, `version: ${version}`) + tweak);
  try {
    const r = await ok(['package', '--destination', dir, '--output', 'json']);
    return JSON.parse(r.stdout).file as string;
  } finally {
    writeFileSync(chartYaml, original);
  }
}

before(async () => {
  if (skip) return;
  [registry, other, sim] = await Promise.all([startTestRegistry(), startTestRegistry(), startSimulator({ readinessDelayMs: 0 })]);
  app = copyExampleApp();
  home = mkdtempSync(join(tmpdir(), 'chartctl-oci-home-'));
  writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url, { aliases: ['dev', 'staging', 'prod'] }));
  env = { KUBECONFIG: join(home, 'kubeconfig'), HOME: home, CHARTCTL_HELM: helmBinaries.helm4, CHARTCTL_ACTOR: 'oci-tests' };
  pointAt('dev', `oci://${registry.host}/dev`);
  pointAt('staging', `oci://${registry.host}/staging`);
  pointAt('prod', `oci://${other.host}/prod`);
  for (const name of ['dev', 'staging', 'prod']) {
    const file = join(app.dir, 'environments', `${name}.yaml`);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/deploy: \{timeout: 5m/, 'deploy: {timeout: 20s').replace('tests: true', 'tests: false'));
  }
});
after(async () => {
  await Promise.all([registry?.close(), other?.close(), sim?.close()]);
  app?.remove();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('chartctl publish → helm pull (helm 3 and 4) gives the very same tarball; publishing it again is a no-op', { skip }, async () => {
  const published = JSON.parse((await ok(['publish', 'dev', '--version', '1.0.0', '--output', 'json'])).stdout);
  assert.equal(published.outcome, 'published');
  assert.match(published.manifestDigest, /^sha256:[0-9a-f]{64}$/);
  for (const helm of [helmBinaries.helm3, helmBinaries.helm4]) {
    const out = mkdtempSync(join(tmpdir(), 'chartctl-oci-pull-'));
    try {
      const pulled = await execa(helm, ['pull', `oci://${registry.host}/dev/shop`, '--version', '1.0.0', '--plain-http', '-d', out], { env: { HOME: home, PATH: process.env.PATH ?? '' }, reject: false });
      assert.equal(pulled.exitCode, 0, pulled.stderr);
      assert.match(pulled.stderr + pulled.stdout, new RegExp(`Digest: ${published.manifestDigest}`), 'helm reads the manifest chartctl wrote');
      assert.equal(`sha256:${sha256(readFileSync(join(out, 'shop-1.0.0.tgz')))}`, published.digest, `${helm} pulled the published bytes`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  const again = JSON.parse((await ok(['publish', 'dev', '--version', '1.0.0', '--output', 'json'])).stdout);
  assert.equal(again.outcome, 'unchanged');
  assert.equal(again.manifestDigest, published.manifestDigest);
});

test('a tag that holds other chart bytes is refused with both manifest digests unless --force', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-oci-pkg-'));
  try {
    const first = await packageAs('2.0.0', join(dir, 'a'));
    const second = await packageAs('2.0.0', join(dir, 'b'), '\nkeywords: [changed]\n');
    const published = JSON.parse((await ok(['publish', 'dev', '--package', first, '--output', 'json'])).stdout);
    const refused = await cli(['publish', 'dev', '--package', second]);
    assert.equal(refused.exitCode, 1);
    assert.match(refused.stderr, /VERSION_EXISTS|already published to dev with different content/);
    assert.ok(refused.stderr.includes(published.manifestDigest), 'the existing manifest digest is shown');
    assert.ok(refused.stderr.includes(sha256(readFileSync(second))), 'the new chart digest is shown');
    const listed = JSON.parse((await ok(['repo', 'list', 'dev', '--output', 'json'])).stdout).entries.find((e: { version: string }) => e.version === '2.0.0');
    assert.equal(listed.digest, published.digest, 'the refused publish changed nothing');
    const forced = JSON.parse((await ok(['publish', 'dev', '--package', second, '--force', '--output', 'json'])).stdout);
    assert.equal(forced.outcome, 'replaced');
    assert.equal(forced.digest, `sha256:${sha256(readFileSync(second))}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('16 concurrent publishes of distinct versions lose nothing', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-oci-many-'));
  try {
    const versions = Array.from({ length: 16 }, (_, i) => `3.0.${i}`);
    const files: string[] = [];
    for (const v of versions) files.push(await packageAs(v, join(dir, v)));
    const results = await Promise.all(files.map((f) => cli(['publish', 'dev', '--package', f, '--output', 'json'])));
    for (const r of results) assert.equal(r.exitCode, 0, r.stderr);
    const listed = JSON.parse((await ok(['repo', 'list', 'dev', '--output', 'json'])).stdout).entries.map((e: { version: string; digest: string }) => `${e.version} ${e.digest}`);
    for (const [i, v] of versions.entries()) assert.ok(listed.includes(`${v} sha256:${sha256(readFileSync(files[i]!))}`), `${v} is listed with its digest`);
    const verify = JSON.parse((await ok(['repo', 'verify', 'dev', '--output', 'json'])).stdout);
    assert.equal(verify.ok, true);
    assert.ok(verify.checked >= 16);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('promote on one registry mounts the blobs (nothing re-uploaded); across registries it streams; provenance in annotations', { skip }, async () => {
  const before = registry.requests().length;
  const promoted = JSON.parse((await ok(['promote', 'dev', 'staging', '--version', '1.0.0', '--output', 'json'])).stdout);
  assert.equal(promoted.kind, 'promoted');
  assert.equal(promoted.transfer, 'blob mount');
  const requests = registry.requests().slice(before);
  assert.ok(requests.some((l) => /"POST \/v2\/staging\/shop\/blobs\/uploads\/\?mount=sha256%3A[0-9a-f]{64}&from=dev%2Fshop HTTP\/1.1" 201/.test(l)), 'blobs were mounted');
  assert.deepEqual(requests.filter((l) => /"(PUT|PATCH) \/v2\/staging\/shop\/blobs\/uploads\//.test(l)), [], 'no blob was uploaded to staging');
  const staging = JSON.parse((await ok(['repo', 'list', 'staging', '--output', 'json'])).stdout).entries[0];
  const dev = JSON.parse((await ok(['repo', 'list', 'dev', '--output', 'json'])).stdout).entries.find((e: { version: string }) => e.version === '1.0.0');
  assert.equal(staging.digest, dev.digest, 'the same chart bytes');
  assert.equal(staging.provenance['chartctl.io/promoted-from'], 'dev');
  assert.equal(staging.provenance['chartctl.io/promoted-by'], 'oci-tests');
  assert.equal(`sha256:${staging.provenance['chartctl.io/source-digest']}`, dev.digest);
  assert.equal(staging.provenance['chartctl.io/source-manifest-digest'], dev.provenance['manifest-digest']);
  const again = JSON.parse((await ok(['promote', 'dev', 'staging', '--version', '1.0.0', '--output', 'json'])).stdout);
  assert.equal(again.kind, 'alreadyPromoted');

  const otherBefore = other.requests().length;
  const toProd = JSON.parse((await ok(['promote', 'staging', 'prod', '--version', '1.0.0', '--yes', '--output', 'json'])).stdout);
  assert.equal(toProd.transfer, 'stream');
  assert.ok(other.requests().slice(otherBefore).some((l) => /"PUT \/v2\/prod\/shop\/blobs\/uploads\/[^ ]*digest=sha256%3A[0-9a-f]{64} HTTP\/1.1" 201/.test(l)), 'uploaded to the other registry');
  const prod = JSON.parse((await ok(['repo', 'list', 'prod', '--output', 'json'])).stdout).entries[0];
  assert.equal(prod.digest, dev.digest);
  assert.equal(prod.provenance['chartctl.io/promoted-from'], 'staging');
  assert.equal(JSON.parse((await ok(['repo', 'verify', 'prod', '--output', 'json'])).stdout).ok, true);
});

test('helm push → chartctl repo list and deploy from the registry (the verified tarball reaches helm)', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-oci-helm-'));
  try {
    const tgz = await packageAs('4.0.0', dir);
    const pushed = await execa(helmBinaries.helm4, ['push', tgz, `oci://${registry.host}/dev`, '--plain-http'], { env: { HOME: home, PATH: process.env.PATH ?? '' }, reject: false });
    assert.equal(pushed.exitCode, 0, pushed.stderr);
    const listed = JSON.parse((await ok(['repo', 'list', 'dev', '--output', 'json'])).stdout).entries.find((e: { version: string }) => e.version === '4.0.0');
    assert.equal(listed.digest, `sha256:${sha256(readFileSync(tgz))}`);
    await ok(['deploy', 'dev', '--version', '4.0.0', '--yes']);
    const release = sim.release('shop-dev', 'shop');
    assert.equal(release?.record.chart?.metadata?.version, '4.0.0');
    const status = JSON.parse((await ok(['status', 'dev', '--output', 'json'])).stdout);
    assert.equal(status.live.chartVersion, '4.0.0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('watch --once on an oci:// environment deploys a newly tagged version, then reports up to date', { skip }, async () => {
  const events = (r: { stdout: string }) => r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; version?: string });
  assert.deepEqual(events(await ok(['watch', 'dev', '--once', '--output', 'json'])).map((e) => e.event), ['started', 'up-to-date', 'stopped'], '4.0.0 is live and newest');
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-oci-watch-'));
  try {
    const tgz = await packageAs('4.1.0', dir);
    const pushed = await execa(helmBinaries.helm4, ['push', tgz, `oci://${registry.host}/dev`, '--plain-http'], { env: { HOME: home, PATH: process.env.PATH ?? '' }, reject: false });
    assert.equal(pushed.exitCode, 0, pushed.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const watched = events(await ok(['watch', 'dev', '--once', '--output', 'json']));
  assert.deepEqual(watched.map((e) => e.event), ['started', 'deploying', 'deployed', 'stopped']);
  assert.equal(watched[1]!.version, '4.1.0');
});

test('repo reindex says it does not apply; an unknown version is not found; a registry that is down is named', { skip }, async () => {
  const reindex = await cli(['repo', 'reindex', 'dev']);
  assert.equal(reindex.exitCode, 1);
  assert.match(reindex.stderr, /repo reindex does not apply to dev: its repository oci:\/\/127\.0\.0\.1:\d+\/dev is an OCI registry/);
  const missing = await cli(['diff', 'dev', '--version', '9.9.9']);
  assert.equal(missing.exitCode, 3);
  assert.match(missing.stderr, /shop 9\.9\.9 is not in the dev repository/);
  const down = await startTestRegistry();
  await down.close();
  pointAt('staging', `oci://${down.host}/staging`);
  try {
    const r = await cli(['repo', 'list', 'staging']);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, new RegExp(`Cannot reach the staging registry ${down.host.replace(/\./g, '\\.')} \\(ECONNREFUSED\\)`));
  } finally {
    pointAt('staging', `oci://${registry.host}/staging`);
  }
});
