import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleApp, runCli } from '../support/project.js';
import { EXTERNAL_S3, FAULTS_SKIP_REASON, isolateRepositories, startTestS3, testRepository, type TestS3 } from '../support/s3.js';
import { chartFromArchive, packChart } from '../../src/core/chart-archive.js';
import { parseChartIndex } from '../../src/core/chart-index.js';

/**
 * The probe answer ("this endpoint enforces If-Match") is cached for 7 days.
 * Here the endpoint stops enforcing conditions after it was cached, and
 * concurrent publishes race on index.yaml: none may report an entry that the
 * index does not list.
 */
let s3: TestS3;
let app: { dir: string; remove: () => void };
let root: string;
let work: string;
let base: Uint8Array;

before(async () => {
  s3 = await startTestS3();
  app = copyExampleApp();
  root = isolateRepositories(app.dir, s3);
  work = mkdtempSync(join(tmpdir(), 'chartctl-conditions-'));
  const packaged = await runCli(['--cwd', app.dir, 'package', '--destination', work, '--output', 'json'], { env: s3.env });
  assert.equal(packaged.exitCode, 0, packaged.stderr);
  base = readFileSync(join(work, 'shop-1.0.0.tgz'));
});
after(async () => {
  s3?.setFaults?.({});
  app?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
  await s3?.close();
});

function variant(version: string): string {
  const chart = chartFromArchive(base, 'shop.tgz');
  chart.metadata.version = version;
  const file = join(work, `shop-${version}.tgz`);
  writeFileSync(file, packChart(chart));
  return file;
}

const publish = (version: string) => runCli(['--cwd', app.dir, 'publish', 'dev', '--package', variant(version), '--output', 'json'], { env: s3.env, timeoutMs: 120_000 });

async function listedVersions(): Promise<string[]> {
  const got = await testRepository(s3, root, 'dev').get('index.yaml');
  assert.equal(got.kind, 'found');
  return got.kind === 'found' ? (parseChartIndex(new TextDecoder().decode(got.body), 'index.yaml').entries.shop ?? []).map((e) => e.version) : [];
}

test('6 concurrent publishes after the endpoint stopped enforcing conditions: each "published" is in the index, the rest fail loudly', { skip: EXTERNAL_S3 ? FAULTS_SKIP_REASON : false }, async () => {
  const first = await publish('5.0.0');
  assert.equal(first.exitCode, 0, first.stderr);
  const cacheFile = join(s3.env.XDG_CACHE_HOME!, 'chartctl', 's3-conditional-writes.json');
  const cached = () => Object.values(JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, { supported: boolean }>).map((c) => c.supported);
  assert.deepEqual(cached(), [true], 'the probe answer is cached');

  s3.setFaults!({ ignoreConditions: true });
  try {
    const versions = Array.from({ length: 6 }, (_, i) => `5.1.${i}`);
    const runs = await Promise.all(versions.map(publish));
    const listed = await listedVersions();
    const refused = runs.filter((r) => r.exitCode !== 0).length;
    runs.forEach((run, i) => {
      if (run.exitCode === 0) {
        assert.ok(listed.includes(versions[i]!), `publish ${versions[i]} reported "${(JSON.parse(run.stdout) as { outcome: string }).outcome}" but the index lists only ${listed.join(', ')}`);
        return;
      }
      assert.equal(run.exitCode, 1, run.stderr);
      const { error } = JSON.parse(run.stdout) as { error: { code: string; message: string } };
      assert.match(error.code, /^(CONDITIONAL_WRITES_UNSUPPORTED|INDEX_ENTRY_LOST)$/);
      if (/^The S3 endpoint of dev .* does not enforce them/.test(error.message)) return; // refused up front: another run had replaced the cached answer already
      assert.match(error.message, /does not honour conditional writes/);
      assert.ok(error.message.includes(`s3://${s3.bucket}/${root}/dev/index.yaml (environment dev)`), error.message);
      assert.ok(error.message.includes(`shop ${versions[i]} (digest `), error.message);
    });
    assert.ok(refused > 0, 'an endpoint that does not enforce conditions is noticed although the cached answer says it does');
    assert.ok(listed.includes('5.0.0'), 'nothing published before is lost');
    assert.deepEqual(cached(), [false], 'the stale answer is replaced');

    // The next run refuses before uploading anything.
    const next = await publish('5.2.0');
    assert.equal(next.exitCode, 1);
    assert.equal((JSON.parse(next.stdout) as { error: { code: string } }).error.code, 'CONDITIONAL_WRITES_UNSUPPORTED');
    assert.equal(await testRepository(s3, root, 'dev').head('shop-5.2.0.tgz'), undefined, 'no tarball uploaded');
  } finally {
    s3.setFaults!({});
  }
});
