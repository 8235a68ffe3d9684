import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, utimesSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { gunzipSync } from 'node:zlib';
import { copyExampleApp, helmBinaries, runCli } from '../support/project.js';
import { EXTERNAL_S3, FAULTS_SKIP_REASON, isolateRepositories, startTestS3, testRepository, type TestS3, HELM_HTTP_SKIP_REASON } from '../support/s3.js';
import { parseChartIndex } from '../../src/core/chart-index.js';
import { readTar } from '../../src/core/tar-archive.js';
import { startSimulator } from '../../src/sandbox/simulator.js';

let s3: TestS3;
let app: { dir: string; remove: () => void };
let root: string;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
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

async function indexOf(env: string) {
  const got = await testRepository(s3, root, env).get('index.yaml');
  assert.equal(got.kind, 'found', `${env} has an index.yaml`);
  return got.kind === 'found' ? { text: new TextDecoder().decode(got.body), index: parseChartIndex(new TextDecoder().decode(got.body), env), etag: got.etag } : undefined!;
}

test('package is byte-for-byte reproducible, survives touching every file, and has helm package\'s layout', async () => {
  const out1 = mkdtempSync(join(tmpdir(), 'pkg-'));
  const out2 = mkdtempSync(join(tmpdir(), 'pkg-'));
  const helmOut = mkdtempSync(join(tmpdir(), 'pkg-'));
  try {
    const first = await cli(['package', '--destination', out1, '--output', 'json']);
    assert.equal(first.exitCode, 0, first.stderr);
    const result = JSON.parse(first.stdout) as { file: string; digest: string; chart: string; version: string };
    const bytes = readFileSync(join(out1, 'shop-1.0.0.tgz'));
    assert.equal(`sha256:${sha256(bytes)}`, result.digest, 'digests are shown as sha256:<hex>');
    // A fresh checkout on another runner: every file gets a new mtime.
    const later = new Date(Date.now() + 3_600_000);
    const touch = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) touch(p);
        else utimesSync(p, later, later);
      }
    };
    touch(join(app.dir, 'charts'));
    const second = await cli(['package', '--destination', out2, '--output', 'json']);
    assert.equal(second.exitCode, 0, second.stderr);
    assert.equal(JSON.parse(second.stdout).digest, result.digest, 'same sources, same sha256');

    await execa(helmBinaries.helm4, ['package', join(app.dir, 'charts/shop'), '-d', helmOut]);
    const ours = readTar(gunzipSync(bytes));
    const helms = readTar(gunzipSync(readFileSync(join(helmOut, 'shop-1.0.0.tgz'))));
    // helm visits subcharts in Go map order (random); chartctl sorts them. Compare with subchart blocks in name order.
    const bySubchart = (paths: string[]) => {
      const sub = (p: string) => /^shop\/charts\/([^/]+)\//.exec(p)?.[1] ?? '';
      return [...paths].map((p, i) => ({ p, i })).sort((a, b) => (sub(a.p) < sub(b.p) ? -1 : sub(a.p) > sub(b.p) ? 1 : a.i - b.i)).map((x) => x.p);
    };
    // Beside helm's layout, the tarball carries every environment's configuration under .chartctl/ (docs/artifact.md).
    const carried = ours.filter((f) => f.path.startsWith('shop/.chartctl/')).map((f) => f.path);
    assert.ok(carried.includes('shop/.chartctl/environments.json'), 'the configuration manifest is carried');
    assert.deepEqual(ours.map((f) => f.path).filter((p) => !carried.includes(p)), bySubchart(helms.map((f) => f.path)), 'same entries in the same order as helm package');
    assert.equal(ours[0]!.path, 'shop/Chart.yaml');
    for (const f of ours.filter((x) => x.path !== 'shop/Chart.yaml' && !carried.includes(x.path))) {
      assert.deepEqual(Buffer.from(f.data), Buffer.from(helms.find((h) => h.path === f.path)!.data), f.path);
    }
    const ourChartYaml = new TextDecoder().decode(ours[0]!.data);
    assert.equal(ourChartYaml.replace(/^annotations:\n(?: {2}.*\n)*/, ''), new TextDecoder().decode(helms[0]!.data), 'Chart.yaml as helm writes it, plus annotations');
  } finally {
    for (const d of [out1, out2, helmOut]) rmSync(d, { recursive: true, force: true });
  }
});

test('helm 3 and helm 4 lint, template and install the tarball', async () => {
  const out = mkdtempSync(join(tmpdir(), 'pkg-'));
  const simulator = await startSimulator({ readinessDelayMs: 0 });
  const kubeconfig = join(out, 'kubeconfig');
  simulator.writeKubeconfig(kubeconfig);
  try {
    const packaged = await cli(['package', '--destination', out, '--version', '1.0.1', '--app-version', '2.0.0']);
    assert.equal(packaged.exitCode, 0, packaged.stderr);
    const tgz = join(out, 'shop-1.0.1.tgz');
    for (const helm of [helmBinaries.helm3, helmBinaries.helm4]) {
      const lint = await execa(helm, ['lint', tgz], { reject: false });
      assert.equal(lint.exitCode, 0, `${helm} lint: ${lint.stdout}${lint.stderr}`);
      const rendered = await execa(helm, ['template', 'shop', tgz, '--namespace', 'shop-dev']);
      assert.match(rendered.stdout, /kind: Deployment/);
      // A real install, against the project's Kubernetes API simulator (helm talks to it over HTTP).
      const namespace = helm === helmBinaries.helm3 ? 'shop-h3' : 'shop-h4';
      const install = await execa(helm, ['install', 'shop', tgz, '--kubeconfig', kubeconfig, '--namespace', namespace, '--create-namespace'], { reject: false });
      assert.equal(install.exitCode, 0, `${helm} install: ${install.stderr}`);
      const release = simulator.release(namespace, 'shop');
      assert.ok(release, `${helm} stored a release in the cluster`);
      assert.match(JSON.stringify(release), /1\.0\.1/);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
    await simulator.close();
  }
});

test('publish writes what helm repo add / helm pull read, with helm 3 and helm 4', async (t) => {
  const published = await cli(['publish', 'dev', '--version', '1.1.0', '--output', 'json']);
  assert.equal(published.exitCode, 0, published.stderr);
  const result = JSON.parse(published.stdout) as { outcome: string; digest: string; key: string };
  assert.equal(result.outcome, 'published');
  const { index, text } = await indexOf('dev');
  const entry = index.entries.shop!.find((e) => e.version === '1.1.0')!;
  assert.equal(`sha256:${entry.digest}`, result.digest);
  assert.deepEqual(entry.urls, ['shop-1.1.0.tgz']);
  assert.match(text, /^apiVersion: v1\nentries:\n {2}shop:\n {2}- /);
  // The cheap poll a watcher uses: an unchanged index answers 304 without a body.
  const { etag } = await indexOf('dev');
  assert.deepEqual(await testRepository(s3, root, 'dev').get('index.yaml', { ifNoneMatch: etag }), { kind: 'notModified', etag });
  await t.test('helm 3 and helm 4 read it', { skip: s3.local ? false : HELM_HTTP_SKIP_REASON }, async () => {
    for (const helm of [helmBinaries.helm3, helmBinaries.helm4]) {
      const home = mkdtempSync(join(tmpdir(), 'helm-home-'));
      try {
        const env = { HELM_CACHE_HOME: join(home, 'c'), HELM_CONFIG_HOME: join(home, 'cfg'), HELM_DATA_HOME: join(home, 'd') };
        await execa(helm, ['repo', 'add', 'acme-dev', `${s3.endpoint}/${s3.bucket}/${root}/dev`], { env });
        await execa(helm, ['pull', 'acme-dev/shop', '--version', '1.1.0', '-d', home], { env });
        assert.equal(`sha256:${sha256(readFileSync(join(home, 'shop-1.1.0.tgz')))}`, result.digest, `${helm} pulls the published bytes`);
        const rendered = await execa(helm, ['template', 'shop', 'acme-dev/shop', '--version', '1.1.0'], { env });
        assert.match(rendered.stdout, /kind: Service/);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    }
  });
});

test('a version is immutable: same bytes is a no-op, different bytes are refused with both digests, --force replaces', async () => {
  const again = await cli(['publish', 'dev', '--version', '1.1.0', '--output', 'json']);
  assert.equal(again.exitCode, 0, again.stderr);
  const first = JSON.parse(again.stdout) as { outcome: string; digest: string };
  assert.equal(first.outcome, 'unchanged');
  const before = await indexOf('dev');

  const different = await cli(['publish', 'dev', '--version', '1.1.0', '--app-version', '9.9.9']);
  assert.equal(different.exitCode, 1);
  assert.match(different.stderr, /already published to dev with different content/);
  assert.ok(different.stderr.includes(first.digest.replace(/^sha256:/, '')), 'shows the existing digest');
  assert.match(different.stderr, /new package has sha256 [0-9a-f]{64}/);
  assert.equal((await indexOf('dev')).etag, before.etag, 'nothing was written');

  const forced = await cli(['publish', 'dev', '--version', '1.1.0', '--app-version', '9.9.9', '--force', '--output', 'json']);
  assert.equal(forced.exitCode, 0, forced.stderr);
  const replaced = JSON.parse(forced.stdout) as { outcome: string; digest: string };
  assert.equal(replaced.outcome, 'replaced');
  assert.equal(`sha256:${(await indexOf('dev')).index.entries.shop!.find((e) => e.version === '1.1.0')!.digest}`, replaced.digest);
  const back = await cli(['publish', 'dev', '--version', '1.1.0', '--force']);
  assert.equal(back.exitCode, 0, back.stderr);
});

test('promote copies the same bytes with provenance and follows each environment\'s rules', async () => {
  assert.equal((await cli(['publish', 'dev', '--version', '1.2.0-rc.1'])).exitCode, 0);
  const toStaging = await cli(['promote', 'dev', 'staging', '--output', 'json']);
  assert.equal(toStaging.exitCode, 0, toStaging.stderr);
  const promoted = JSON.parse(toStaging.stdout) as { kind: string; version: string; digest: string; transfer: string };
  assert.equal(promoted.kind, 'promoted');
  assert.equal(promoted.version, '1.1.0', 'staging refuses prereleases, so the newest release is chosen');
  const devEntry = (await indexOf('dev')).index.entries.shop!.find((e) => e.version === '1.1.0')!;
  const stagingEntry = (await indexOf('staging')).index.entries.shop!.find((e) => e.version === '1.1.0')!;
  assert.equal(stagingEntry.digest, devEntry.digest);
  const stored = await testRepository(s3, root, 'staging').get('shop-1.1.0.tgz');
  assert.equal(stored.kind === 'found' && sha256(stored.body), devEntry.digest, 'the object itself has the same sha256');
  assert.equal(stagingEntry.annotations?.['chartctl.io/promoted-from'], 'dev');
  assert.equal(stagingEntry.annotations?.['chartctl.io/source-digest'], devEntry.digest);
  assert.equal(stagingEntry.annotations?.['chartctl.io/promoted-by'], 'test-runner');

  const rc = await cli(['promote', 'dev', 'staging', '--version', '1.2.0-rc.1']);
  assert.equal(rc.exitCode, 1);
  assert.match(rc.stderr, /prerelease/);
  const wrongSource = await cli(['promote', 'dev', 'prod', '--yes']);
  assert.equal(wrongSource.exitCode, 1);
  assert.match(wrongSource.stderr, /prod is promoted from staging/);
  const noApproval = await cli(['promote', 'staging', 'prod']);
  assert.equal(noApproval.exitCode, 1, 'a non-interactive promotion into prod needs --yes');
  assert.match(noApproval.stderr, /needs approval/);
  const dryRun = await cli(['promote', 'staging', 'prod', '--dry-run', '--output', 'json']);
  assert.equal(JSON.parse(dryRun.stdout).kind, 'wouldPromote');
  const toProd = await cli(['promote', 'staging', 'prod', '--yes']);
  assert.equal(toProd.exitCode, 0, toProd.stderr);
  assert.match(toProd.stdout, /staging → prod promoted/);
  const upToDate = await cli(['promote', 'staging', 'prod', '--yes', '--output', 'json']);
  assert.equal(JSON.parse(upToDate.stdout).kind, 'upToDate');
  const prodEntry = (await indexOf('prod')).index.entries.shop![0]!;
  assert.equal(prodEntry.digest, devEntry.digest, 'prod runs the bytes dev tested');
});

test('repo list, verify and reindex: dangling entries and wrong digests fail, orphans are reported, provenance is kept', async () => {
  const list = await cli(['repo', 'list', 'staging', '--output', 'json']);
  assert.equal(list.exitCode, 0, list.stderr);
  const listed = JSON.parse(list.stdout) as { entries: { version: string; digest: string; provenance: Record<string, string> }[] };
  assert.equal(listed.entries[0]!.provenance['chartctl.io/promoted-from'], 'dev');

  const ok = await cli(['repo', 'verify', 'staging']);
  assert.equal(ok.exitCode, 0, ok.stdout + ok.stderr);

  const staging = testRepository(s3, root, 'staging');
  await staging.put('shop-0.0.1.tgz', new TextEncoder().encode('not listed'));
  const orphan = await cli(['repo', 'verify', 'staging', '--output', 'json']);
  assert.equal(orphan.exitCode, 0, 'orphans alone are not an inconsistency');
  assert.deepEqual(JSON.parse(orphan.stdout).orphans, [`${root}/staging/shop-0.0.1.tgz`]);
  await staging.delete('shop-0.0.1.tgz');

  const original = await staging.get('shop-1.1.0.tgz');
  assert.equal(original.kind, 'found');
  await staging.put('shop-1.1.0.tgz', new TextEncoder().encode('tampered'));
  const mismatch = await cli(['repo', 'verify', 'staging', '--output', 'json']);
  assert.equal(mismatch.exitCode, 1);
  assert.equal(JSON.parse(mismatch.stdout).problems[0].kind, 'digestMismatch');
  await staging.delete('shop-1.1.0.tgz');
  const dangling = await cli(['repo', 'verify', 'staging']);
  assert.equal(dangling.exitCode, 1);
  assert.match(dangling.stdout, /missing .*shop 1\.1\.0/);

  if (original.kind === 'found') await staging.put('shop-1.1.0.tgz', original.body, { metadata: original.metadata });
  await staging.put('index.yaml', new TextEncoder().encode('{{{ not yaml'));
  const reindex = await cli(['repo', 'reindex', 'staging', '--output', 'json']);
  assert.equal(reindex.exitCode, 0, reindex.stderr);
  assert.equal(JSON.parse(reindex.stdout).entries, 1);
  const rebuilt = (await indexOf('staging')).index.entries.shop![0]!;
  assert.equal(rebuilt.annotations?.['chartctl.io/promoted-from'], 'dev', 'provenance restored from the object metadata');
  assert.equal((await cli(['repo', 'verify', 'staging'])).exitCode, 0);

  // A second reindex skips objects whose ETag shows they are unchanged, and re-reads one that changed.
  const before = await indexOf('staging');
  const warm = JSON.parse((await cli(['repo', 'reindex', 'staging', '--output', 'json'])).stdout) as { reused: number; entries: number; written: boolean };
  assert.deepEqual([warm.reused, warm.entries, warm.written], [1, 1, false], 'nothing changed, so index.yaml is not rewritten');
  assert.equal((await indexOf('staging')).etag, before.etag);
  await staging.put('shop-1.1.0.tgz', new TextEncoder().encode('replaced behind our back'));
  const changed = JSON.parse((await cli(['repo', 'reindex', 'staging', '--output', 'json'])).stdout) as { reused: number; entries: number; skipped: unknown[] };
  assert.deepEqual([changed.reused, changed.entries, changed.skipped.length], [0, 0, 1], 'the changed object was read again (and is not a chart)');
  if (original.kind === 'found') await staging.put('shop-1.1.0.tgz', original.body, { metadata: original.metadata });
  assert.equal((await cli(['repo', 'reindex', 'staging'])).exitCode, 0);
  assert.equal((await cli(['repo', 'verify', 'staging'])).exitCode, 0);
});

test('a corrupt index.yaml is never overwritten by publish', async () => {
  const dev = testRepository(s3, root, 'dev');
  const garbage = new TextEncoder().encode('apiVersion: v1\nentries: [oops\n');
  await dev.put('index.yaml', garbage);
  const result = await cli(['publish', 'dev', '--version', '3.0.0']);
  assert.equal(result.exitCode, 1);
  assert.match(result.stderr, /not a valid chart repository index/);
  assert.match(result.stderr, /chartctl repo reindex/);
  const after = await dev.get('index.yaml');
  assert.deepEqual(after.kind === 'found' && Buffer.from(after.body), Buffer.from(garbage), 'the bucket is as it was');
  assert.equal(await dev.head('shop-3.0.0.tgz'), undefined, 'no tarball uploaded either');
  assert.equal((await cli(['repo', 'reindex', 'dev'])).exitCode, 0);
});

test('an endpoint that ignores conditional writes is detected and refused unless --no-lock', { skip: EXTERNAL_S3 ? FAULTS_SKIP_REASON : false }, async (t) => {
  s3.setFaults!({ ignoreConditions: true });
  // A cache of its own: the probe answers for this endpoint cached by earlier tests say "enforced".
  const cacheHome = mkdtempSync(join(tmpdir(), 'chartctl-s3-cache-'));
  t.after(() => {
    s3.setFaults!({});
    rmSync(cacheHome, { recursive: true, force: true });
  });
  const env = { XDG_CACHE_HOME: cacheHome };
  const refused = await cli(['publish', 'dev', '--version', '4.0.0'], env);
  assert.equal(refused.exitCode, 1);
  assert.match(refused.stderr, /does not enforce them/);
  assert.match(refused.stderr, /--no-lock/);
  const cache = JSON.parse(readFileSync(join(cacheHome, 'chartctl', 's3-conditional-writes.json'), 'utf8')) as Record<string, { supported: boolean }>;
  assert.ok(Object.values(cache).some((c) => c.supported === false), 'the answer is cached per bucket');
  const forced = await cli(['publish', 'dev', '--version', '4.0.0', '--no-lock'], env);
  assert.equal(forced.exitCode, 0, forced.stderr);
  assert.match(forced.stderr, /--no-lock/);
});

test('access denied, endpoint down and a slow endpoint give clear errors', { skip: EXTERNAL_S3 ? FAULTS_SKIP_REASON : false }, async () => {
  const denied = await cli(['repo', 'list', 'dev'], { AWS_ACCESS_KEY_ID: 'NOPE', AWS_SECRET_ACCESS_KEY: 'wrong' });
  assert.equal(denied.exitCode, 1);
  assert.match(denied.stderr, /access denied/);
  assert.match(denied.stderr, new RegExp(`s3://${s3.bucket}/${root}/dev/index\\.yaml`));

  const down = await cli(['repo', 'list', 'dev'], { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', CHARTCTL_S3_MAX_ATTEMPTS: '1' });
  assert.equal(down.exitCode, 1);
  assert.match(down.stderr, /unreachable \(ECONNREFUSED\)/);

  s3.setFaults!({ delayMs: 1500 });
  try {
    // The server answers after 1.5 s: only chartctl's own 300 ms deadline can make this fail (how fast is bench/'s business).
    const slow = await cli(['repo', 'list', 'dev'], { CHARTCTL_S3_TIMEOUT_MS: '300', CHARTCTL_S3_MAX_ATTEMPTS: '2' });
    assert.equal(slow.exitCode, 1);
    assert.match(slow.stderr, /did not complete the request within 300 ms/);
  } finally {
    s3.setFaults!({});
  }
});

test('a bucket that does not exist is named in the error', { skip: EXTERNAL_S3 ? FAULTS_SKIP_REASON : false }, async () => {
  const other = copyExampleApp();
  try {
    for (const file of ['dev.yaml']) {
      const path = join(other.dir, 'environments', file);
      writeFileSync(path, readFileSync(path, 'utf8').replace('s3://acme-charts/', 's3://no-such-bucket/'));
    }
    const result = await runCli(['--cwd', other.dir, 'repo', 'list', 'dev'], { env: s3.env });
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /bucket "no-such-bucket" does not exist/);
  } finally {
    other.remove();
  }
});
