import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { copyExampleApp, helmBinaries, runCli } from '../support/project.js';
import { isolateRepositories, startTestS3, testRepository, type TestS3, HELM_HTTP_SKIP_REASON } from '../support/s3.js';
import { archiveMetadata } from '../../src/core/chart-archive.js';
import { chartIndexEntry, listEntries, parseChartIndex, serializeChartIndex, sortedIndex } from '../../src/core/chart-index.js';

/**
 * Publishing into an index that already holds thousands of entries: the entry
 * is spliced into the text rather than the whole index parsed and written again
 * (src/core/chart-index-text.ts). The result must be the index the full rewrite
 * would produce, and helm must read it.
 */
let s3: TestS3;
let app: { dir: string; remove: () => void };
let root: string;
let work: string;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const cli = (args: string[]) => runCli(['--cwd', app.dir, ...args], { env: s3.env, timeoutMs: 90_000 });

before(async () => {
  s3 = await startTestS3();
  app = copyExampleApp();
  root = isolateRepositories(app.dir, s3);
  work = mkdtempSync(join(tmpdir(), 'chartctl-large-index-'));
});
after(async () => {
  app?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
  await s3?.close();
});

test('publish into a 2,000-entry index adds one entry in place, exactly as a full rewrite would, and helm reads it', async (t) => {
  const packaged = await cli(['package', '--destination', work, '--output', 'json']);
  assert.equal(packaged.exitCode, 0, packaged.stderr);
  const metadata = archiveMetadata(readFileSync(join(work, 'shop-1.0.0.tgz')), 'shop');
  const created = new Date('2026-01-01T00:00:00Z');
  const entries = Array.from({ length: 2_000 }, (_, i) => {
    // Mostly shop (with the umbrella chart's dependencies and a folded description), some api.
    const name = i % 20 === 0 ? 'api' : 'shop';
    const version = `0.${Math.floor(i / 100)}.${i % 100}`;
    return chartIndexEntry({ ...metadata, name, version }, { digest: sha256(new TextEncoder().encode(`${name}@${version}`)), created: new Date(created.getTime() + i * 1000).toISOString(), url: `${name}-${version}.tgz`, annotations: { 'chartctl.io/published-by': 'seed' } });
  });
  const before = serializeChartIndex(sortedIndex(entries, created));
  const dev = testRepository(s3, root, 'dev');
  await dev.put('index.yaml', new TextEncoder().encode(before));

  const published = await cli(['--verbose', 'publish', 'dev', '--version', '5.0.0', '--output', 'json']);
  assert.equal(published.exitCode, 0, published.stderr);
  const result = JSON.parse(published.stdout) as { outcome: string; digest: string };
  assert.equal(result.outcome, 'published');
  assert.match(published.stderr, /index\.yaml: spliced the entry/, 'the entry went in without rewriting the index');

  const got = await dev.get('index.yaml');
  assert.equal(got.kind, 'found');
  const text = new TextDecoder().decode(got.kind === 'found' ? got.body : new Uint8Array());
  const index = parseChartIndex(text, 'index.yaml');
  assert.equal(listEntries(index).length, 2_001);
  assert.equal(index.entries.shop![0]!.version, '5.0.0', 'newest first');
  assert.equal(`sha256:${index.entries.shop![0]!.digest}`, result.digest);
  assert.equal(serializeChartIndex(index), text, 'in the layout the full rewrite writes');
  const old = parseChartIndex(before, 'before');
  assert.deepEqual({ ...index.entries, shop: index.entries.shop!.slice(1) }, old.entries, 'every other entry as it was');
  assert.notEqual(index.generated, old.generated);

  const again = await cli(['publish', 'dev', '--version', '5.0.0', '--output', 'json']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { outcome: string }).outcome, 'unchanged');
  assert.equal((await dev.head('index.yaml'))?.etag, got.kind === 'found' ? got.etag : '', 'nothing written');

  await t.test('helm reads it', { skip: s3.local ? false : HELM_HTTP_SKIP_REASON }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'helm-home-'));
    try {
      const env = { HELM_CACHE_HOME: join(home, 'c'), HELM_CONFIG_HOME: join(home, 'cfg'), HELM_DATA_HOME: join(home, 'd') };
      await execa(helmBinaries.helm4, ['repo', 'add', 'acme-dev', `${s3.endpoint}/${s3.bucket}/${root}/dev`], { env });
      const search = await execa(helmBinaries.helm4, ['search', 'repo', 'acme-dev/', '--versions', '--devel', '-o', 'json'], { env });
      const found = JSON.parse(search.stdout) as { name: string; version: string }[];
      assert.equal(found.length, 2_001, 'helm lists every version');
      assert.equal(found.find((c) => c.name === 'acme-dev/shop')?.version, '5.0.0', 'and sees the new one as the newest');
      await execa(helmBinaries.helm4, ['pull', 'acme-dev/shop', '--version', '5.0.0', '-d', home], { env });
      assert.equal(`sha256:${sha256(readFileSync(join(home, 'shop-5.0.0.tgz')))}`, result.digest, 'helm pulls the published bytes');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
