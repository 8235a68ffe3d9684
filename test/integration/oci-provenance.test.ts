import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { copyExampleApp, helmBinaries, runCli } from '../support/project.js';
import { hasRegistry, REGISTRY_SKIP_REASON, startTestRegistry, type TestRegistry } from '../support/oci-registry.js';

const skip = hasRegistry ? false : REGISTRY_SKIP_REASON;
/** Shaped like what `helm package --sign` writes; helm pull --prov fetches it without checking the signature. */
const PROV = `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\napiVersion: v2\nname: shop\n\n...\nfiles:\n  shop-1.0.0.tgz: sha256:0000\n-----BEGIN PGP SIGNATURE-----\n\nwsBcBAEBCgAQBQJnstub\n=abcd\n-----END PGP SIGNATURE-----\n`;

let registry: TestRegistry;
let other: TestRegistry;
let app: { dir: string; remove: () => void };
let home: string;
let dir: string;

const helmEnv = () => ({ HOME: home, PATH: process.env.PATH ?? '' });
const cli = (args: string[]) => runCli(['--cwd', app.dir, ...args], { env: { HOME: home, CHARTCTL_HELM: helmBinaries.helm4, CHARTCTL_ACTOR: 'prov-test' }, timeoutMs: 120_000 });

before(async () => {
  if (skip) return;
  [registry, other] = await Promise.all([startTestRegistry(), startTestRegistry()]);
  app = copyExampleApp();
  home = mkdtempSync(join(tmpdir(), 'chartctl-oci-prov-home-'));
  dir = mkdtempSync(join(tmpdir(), 'chartctl-oci-prov-'));
  for (const [name, url] of [['dev', `oci://${registry.host}/dev`], ['staging', `oci://${registry.host}/staging`], ['prod', `oci://${other.host}/prod`]]) {
    const file = join(app.dir, 'environments', `${name}.yaml`);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/repository:\n(  .*\n)+/, `repository:\n  url: ${url}\n  plainHttp: true\n`));
  }
});
after(async () => {
  await Promise.all([registry?.close(), other?.close()]);
  app?.remove();
  for (const d of [home, dir]) if (d) rmSync(d, { recursive: true, force: true });
});

async function manifestOf(repository: string, tag: string, host = registry.host): Promise<{ layers: { mediaType: string; digest: string; size: number }[] }> {
  const res = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(res.status, 200);
  return (await res.json()) as { layers: { mediaType: string; digest: string; size: number }[] };
}

test('publish --package with a .prov beside it pushes the provenance layer as helm push does; helm pull --prov gets it', { skip }, async () => {
  const packaged = await cli(['package', '--destination', dir, '--version', '1.0.0', '--output', 'json']);
  assert.equal(packaged.exitCode, 0, packaged.stderr);
  const tarball = JSON.parse(packaged.stdout).file as string;
  writeFileSync(`${tarball}.prov`, PROV);

  const published = await cli(['publish', 'dev', '--package', tarball, '--output', 'json']);
  assert.equal(published.exitCode, 0, published.stderr);
  const ours = await manifestOf('dev/shop', '1.0.0');

  const pushed = await execa(helmBinaries.helm4, ['push', tarball, `oci://${registry.host}/helm`, '--plain-http'], { env: helmEnv(), reject: false });
  assert.equal(pushed.exitCode, 0, pushed.stderr);
  const helms = await manifestOf('helm/shop', '1.0.0');
  assert.deepEqual(ours.layers, helms.layers, 'the same layers, in the same order, as helm push writes');
  const provLayer = ours.layers.find((l) => l.mediaType === 'application/vnd.cncf.helm.chart.provenance.v1.prov');
  assert.equal(provLayer?.size, Buffer.byteLength(PROV), 'the .prov is a layer of its own');

  for (const helm of [helmBinaries.helm3, helmBinaries.helm4]) {
    const out = mkdtempSync(join(tmpdir(), 'chartctl-oci-prov-pull-'));
    try {
      const pulled = await execa(helm, ['pull', `oci://${registry.host}/dev/shop`, '--version', '1.0.0', '--prov', '--plain-http', '-d', out], { env: helmEnv(), reject: false });
      assert.equal(pulled.exitCode, 0, pulled.stderr);
      assert.equal(readFileSync(join(out, 'shop-1.0.0.tgz.prov'), 'utf8'), PROV, `${helm} pull --prov got the .prov chartctl pushed`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
});

test('promote carries the .prov layer: mounted within one registry, streamed to another', { skip }, async () => {
  const dev = await manifestOf('dev/shop', '1.0.0');
  const toStaging = await cli(['promote', 'dev', 'staging', '--version', '1.0.0', '--output', 'json']);
  assert.equal(toStaging.exitCode, 0, toStaging.stderr);
  assert.equal(JSON.parse(toStaging.stdout).transfer, 'blob mount');
  assert.deepEqual((await manifestOf('staging/shop', '1.0.0')).layers, dev.layers);
  const toProd = await cli(['promote', 'staging', 'prod', '--version', '1.0.0', '--yes', '--output', 'json']);
  assert.equal(toProd.exitCode, 0, toProd.stderr);
  assert.equal(JSON.parse(toProd.stdout).transfer, 'stream');
  assert.deepEqual((await manifestOf('prod/shop', '1.0.0', other.host)).layers, dev.layers);
  const out = mkdtempSync(join(tmpdir(), 'chartctl-oci-prov-pull-'));
  try {
    const pulled = await execa(helmBinaries.helm4, ['pull', `oci://${other.host}/prod/shop`, '--version', '1.0.0', '--prov', '--plain-http', '-d', out], { env: helmEnv(), reject: false });
    assert.equal(pulled.exitCode, 0, pulled.stderr);
    assert.equal(readFileSync(join(out, 'shop-1.0.0.tgz.prov'), 'utf8'), PROV);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('without a .prov beside the package the manifest has the chart layer only', { skip }, async () => {
  const packaged = await cli(['package', '--destination', join(dir, 'plain'), '--version', '1.1.0', '--output', 'json']);
  assert.equal(packaged.exitCode, 0, packaged.stderr);
  const published = await cli(['publish', 'dev', '--package', JSON.parse(packaged.stdout).file, '--output', 'json']);
  assert.equal(published.exitCode, 0, published.stderr);
  assert.deepEqual((await manifestOf('dev/shop', '1.1.0')).layers.map((l) => l.mediaType), ['application/vnd.cncf.helm.chart.content.v1.tar+gzip']);
});
