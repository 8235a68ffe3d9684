import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, copyExampleApp, runCli } from '../support/project.js';
import { seededRandom } from '../support/seeded-random.js';
import { isolateRepositories, startTestS3, testRepository, type TestS3 } from '../support/s3.js';
import { chartFromArchive, packChart } from '../../src/core/chart-archive.js';
import { listEntries, parseChartIndex } from '../../src/core/chart-index.js';
import { resolveIndexUrl } from '../../src/core/index-url.js';

/**
 * The field's known failure: helm-s3 read-modify-writes index.yaml without a
 * precondition, so concurrent pushes lose entries (helm-s3 issue #18). These
 * tests run real chartctl processes against the S3 server at once, and kill
 * them mid-publish.
 */
let s3: TestS3;
let app: { dir: string; remove: () => void };
let root: string;
let work: string;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Tarballs of the example chart under distinct versions, built once from one `chartctl package`. */
function variants(base: Uint8Array, versions: string[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const version of versions) {
    const chart = chartFromArchive(base, 'shop.tgz');
    chart.metadata.version = version;
    const file = join(work, `shop-${version}.tgz`);
    writeFileSync(file, packChart(chart));
    files.set(version, file);
  }
  return files;
}
let base: Uint8Array;

before(async () => {
  s3 = await startTestS3();
  app = copyExampleApp();
  root = isolateRepositories(app.dir, s3);
  work = mkdtempSync(join(tmpdir(), 'chartctl-concurrency-'));
  const packaged = await runCli(['--cwd', app.dir, 'package', '--destination', work, '--output', 'json'], { env: s3.env });
  assert.equal(packaged.exitCode, 0, packaged.stderr);
  base = readFileSync(join(work, 'shop-1.0.0.tgz'));
});
after(async () => {
  app?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
  await s3?.close();
});

/** The invariant: the index parses and every entry's tarball exists with the listed sha256. Returns orphan count. */
async function assertConsistent(env: string): Promise<{ entries: number; orphans: number }> {
  const repo = testRepository(s3, root, env);
  const got = await repo.get('index.yaml');
  if (got.kind !== 'found') return { entries: 0, orphans: (await repo.list()).filter((o) => o.name.endsWith('.tgz')).length };
  const index = parseChartIndex(new TextDecoder().decode(got.body), 'index.yaml');
  const referenced = new Set<string>();
  for (const e of listEntries(index)) {
    const resolved = resolveIndexUrl(e.urls?.[0], repo);
    assert.equal(resolved.kind, 'inside', `${e.name} ${e.version}: its url ${e.urls?.[0]} is an object of the repository`);
    const name = resolved.kind === 'inside' ? resolved.name : '';
    referenced.add(name);
    const object = await repo.get(name);
    assert.equal(object.kind, 'found', `index lists ${name} but the object is missing (dangling entry)`);
    assert.equal(object.kind === 'found' && sha256(object.body), e.digest, `${name} has the listed digest`);
  }
  const orphans = (await repo.list()).filter((o) => o.name.endsWith('.tgz') && !referenced.has(o.name)).length;
  return { entries: referenced.size, orphans };
}

test('16 concurrent publishes of distinct versions: all 16 in the index, none lost', async (t) => {
  const versions = Array.from({ length: 16 }, (_, i) => `2.0.${i}`);
  const files = variants(base, versions);
  const runs = await Promise.all(versions.map((v) => runCli(['--cwd', app.dir, 'publish', 'dev', '--package', files.get(v)!, '--output', 'json'], { env: s3.env, timeoutMs: 120_000 })));
  runs.forEach((r, i) => assert.equal(r.exitCode, 0, `publish ${versions[i]}: ${r.stderr}`));
  const attempts = runs.map((r) => (JSON.parse(r.stdout) as { indexAttempts: number }).indexAttempts);
  t.diagnostic(`index read-modify-write cycles: ${attempts.reduce((a, b) => a + b, 0)} for 16 publishes (max ${Math.max(...attempts)} for one)`);
  const { index } = await (async () => {
    const got = await testRepository(s3, root, 'dev').get('index.yaml');
    assert.equal(got.kind, 'found');
    return { index: parseChartIndex(new TextDecoder().decode(got.kind === 'found' ? got.body : new Uint8Array()), 'index.yaml') };
  })();
  assert.deepEqual(
    index.entries.shop!.map((e) => e.version).sort(),
    [...versions].sort(),
    'every concurrent publish is in the index',
  );
  const state = await assertConsistent('dev');
  assert.equal(state.entries, 16);
  const verify = await runCli(['--cwd', app.dir, 'repo', 'verify', 'dev'], { env: s3.env });
  assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr);
});

test('publishes killed with SIGKILL at random points never leave a dangling index entry', async (t) => {
  const kills = 20;
  const seed = Number(process.env.CHARTCTL_TEST_SEED ?? Date.now() % 100_000);
  t.diagnostic(`seed ${seed} (set CHARTCTL_TEST_SEED to replay)`);
  const random = seededRandom(seed);
  const versions = Array.from({ length: kills }, (_, i) => `3.0.${i}`);
  const files = variants(base, versions);
  // How long one publish takes here, so kill points spread over its whole run.
  const started = Date.now();
  const timing = await runCli(['--cwd', app.dir, 'publish', 'staging', '--package', files.get(versions[0]!)!], { env: s3.env });
  assert.equal(timing.exitCode, 0, timing.stderr);
  const span = Math.max(200, Date.now() - started);
  let completed = 0;
  for (const [i, version] of versions.slice(1).entries()) {
    const child = spawn(process.execPath, [cliPath, '--cwd', app.dir, 'publish', 'staging', '--package', files.get(version)!], { env: { ...process.env, ...s3.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let timer: NodeJS.Timeout | undefined;
    if (i % 2 === 0) {
      // Anywhere in the run.
      timer = setTimeout(() => child.kill('SIGKILL'), Math.floor(random() * span));
    } else {
      // Inside the S3 phase: after the upload started, before or while the index is written.
      let seen = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (!timer && seen.includes('Uploading')) timer = setTimeout(() => child.kill('SIGKILL'), Math.floor(random() * 120));
      });
    }
    child.stderr!.resume();
    const code = await exited;
    clearTimeout(timer);
    if (code === 0) completed++;
    await assertConsistent('staging');
  }
  const state = await assertConsistent('staging');
  t.diagnostic(`${completed} of ${kills - 1} publishes finished before the kill; ${state.orphans} orphan tarballs left`);
  const verify = await runCli(['--cwd', app.dir, 'repo', 'verify', 'staging', '--output', 'json'], { env: s3.env });
  assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr);
  assert.equal((JSON.parse(verify.stdout) as { orphans: string[] }).orphans.length, state.orphans, 'orphans are reported');
  // Running an interrupted publish again completes it: each orphan becomes an index entry.
  const orphaned = (JSON.parse(verify.stdout) as { orphans: string[] }).orphans.map((k) => /shop-(.+)\.tgz$/.exec(k)![1]!);
  for (const version of orphaned) {
    const again = await runCli(['--cwd', app.dir, 'publish', 'staging', '--package', files.get(version)!, '--output', 'json'], { env: s3.env });
    assert.equal(again.exitCode, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { outcome: string }).outcome, 'repaired');
  }
  const final = await assertConsistent('staging');
  assert.equal(final.orphans, 0);
  assert.equal(final.entries, state.entries + orphaned.length);
});
