/**
 * Chart repositories helm reads and writes, read and written by the real CLI
 * against the local S3 server: helm's own test indexes (entries helm skips on
 * load), charts one folder down (what `helm repo index` lists), and the url
 * forms helm resolves inside the repository, in `repo verify` and `repo reindex`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { copyExampleApp, hasSharedCorpus, helmBinaries, projectRoot, runCli, SHARED_SKIP_REASON, sharedCorpus, type CliRun } from '../support/project.js';
import { isolateRepositories, startTestS3, testRepository, type TestS3 } from '../support/s3.js';
import { listEntries, parseChartIndex } from '../../src/core/chart-index.js';
import { sha256 } from '../../src/core/sha256.js';

let s3: TestS3;
let app: ReturnType<typeof copyExampleApp>;
let root: string;
let work: string;
/** shop packaged by chartctl, by version. */
const tarballs = new Map<string, Uint8Array>();

const fixture = (name: string) => readFileSync(join(projectRoot, 'test', 'fixtures', 'helm-repo-indexes', name), 'utf8');
const cli = (args: string[]): Promise<CliRun> => runCli(['--cwd', app.dir, ...args], { env: { ...s3.env, CHARTCTL_HELM: helmBinaries.helm4 }, timeoutMs: 90_000 });
const json = <T>(run: CliRun): T => JSON.parse(run.stdout) as T;
const encode = (text: string) => new TextEncoder().encode(text);

/** One more environment whose repository is `s3://<bucket>/<root>/<name>` (a copy of dev otherwise). */
function addEnvironment(name: string): void {
  const dev = readFileSync(join(app.dir, 'environments', 'dev.yaml'), 'utf8');
  writeFileSync(join(app.dir, 'environments', `${name}.yaml`), dev.replace(/url: s3:\/\/\S+/, `url: s3://${s3.bucket}/${root}/${name}`).replace(/kubeContext: dev/, `kubeContext: ${name}`));
}

async function indexText(env: string): Promise<string> {
  const got = await testRepository(s3, root, env).get('index.yaml');
  assert.equal(got.kind, 'found', `${env} has an index.yaml`);
  return new TextDecoder().decode(got.kind === 'found' ? got.body : new Uint8Array());
}

before(async () => {
  s3 = await startTestS3();
  app = copyExampleApp();
  root = isolateRepositories(app.dir, s3);
  work = mkdtempSync(join(tmpdir(), 'chartctl-helm-repo-'));
  for (const name of ['helmidx', 'subdirs', 'urls']) addEnvironment(name);
  for (const version of ['1.0.1+build.1', '1.0.2', '1.0.3', '2.0.0', '2.1.0', '2.2.0']) {
    const out = join(work, 'pkg', version);
    const packaged = await cli(['package', '--version', version, '--destination', out, '--output', 'json']);
    assert.equal(packaged.exitCode, 0, packaged.stderr);
    tarballs.set(version, readFileSync(join(out, `shop-${version}.tgz`)));
  }
});
after(async () => {
  app?.remove();
  await s3?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** helm's indexWithDuplicatesInChartDeps plus a chart with `version: latest` between two releases, listed oldest first. */
const withLatest = `${fixture('indexWithDuplicatesInChartDeps.yaml')}  web:
    - name: web
      version: 1.0.0
      urls: [web-1.0.0.tgz]
    - name: web
      version: latest
      urls: [web-latest.tgz]
    - name: web
      version: 1.2.0
      urls: [web-1.2.0.tgz]
`;

interface ListResult {
  entries: { chart: string; version: string }[];
  warnings: string[];
}

test("repo list and publish use helm's test indexes as helm does: bad entries skipped with a warning, the rest listed newest first and kept", async () => {
  const dev = testRepository(s3, root, 'dev');
  const staging = testRepository(s3, root, 'staging');
  await dev.put('index.yaml', encode(withLatest));
  await staging.put('index.yaml', encode(fixture('indexWithEmptyEntry.yaml')));

  const listDev = await cli(['repo', 'list', 'dev', '--output', 'json']);
  assert.equal(listDev.exitCode, 0, listDev.stderr || listDev.stdout);
  const devList = json<ListResult>(listDev);
  assert.deepEqual(devList.entries.map((e) => `${e.chart} ${e.version}`), ['nginx 0.2.0', 'web 1.2.0', 'web 1.0.0'], 'helm skips alpine (no version) and web latest, and sorts newest first');
  assert.equal(devList.warnings.length, 2, devList.warnings.join('\n'));
  assert.match(devList.warnings[0]!, /index\.yaml: skipping entry 1 of chart "nginx", as helm does: chart\.metadata\.version is required/);
  assert.match(devList.warnings[1]!, /skipping entry 2 of chart "web" \(version "latest"\), as helm does: chart\.metadata\.version "latest" is invalid/);
  for (const warning of devList.warnings) assert.ok(listDev.stderr.includes(`warning: ${warning}`), listDev.stderr);

  const listStaging = await cli(['repo', 'list', 'staging', '--output', 'json']);
  assert.equal(listStaging.exitCode, 0, listStaging.stderr || listStaging.stdout);
  assert.deepEqual(json<ListResult>(listStaging).entries, []);
  assert.equal(json<ListResult>(listStaging).warnings.length, 4);

  for (const [env, skipped] of [['dev', 2], ['staging', 4]] as const) {
    const published = await cli(['publish', env, '--version', '1.0.0', '--output', 'json']);
    assert.equal(published.exitCode, 0, published.stderr || published.stdout);
    assert.match(published.stderr, /warning: .*index\.yaml: skipping entry 1 of chart/);
    const after = parseChartIndex(await indexText(env), env);
    assert.ok(listEntries(after).some((e) => e.name === 'shop' && e.version === '1.0.0'), `${env} lists the published chart`);
    assert.equal(after.skipped?.length, skipped, `${env}: the entries helm skips are still in the file`);
  }
  const devAfter = parseChartIndex(await indexText('dev'), 'dev');
  assert.deepEqual(listEntries(devAfter).map((e) => `${e.name} ${e.version}`), ['nginx 0.2.0', 'shop 1.0.0', 'web 1.2.0', 'web 1.0.0']);
  assert.deepEqual(devAfter.skipped?.map((s) => `${s.chart} ${s.version ?? '-'}`), ['nginx -', 'web latest']);
});

test('repo list loads every helm test index of the shared corpus', { skip: hasSharedCorpus ? false : SHARED_SKIP_REASON }, async () => {
  const corpus = join(sharedCorpus, 'helm-repo-indexes');
  const files = readdirSync(corpus, { recursive: true })
    .map(String)
    .filter((f) => /\.(yaml|json)$/.test(f));
  const helmidx = testRepository(s3, root, 'helmidx');
  for (const file of files) {
    await helmidx.put('index.yaml', new Uint8Array(readFileSync(join(corpus, file))));
    const listed = await cli(['repo', 'list', 'helmidx', '--output', 'json']);
    assert.equal(listed.exitCode, 0, `${file}: ${listed.stderr || listed.stdout}`);
    const expected = listEntries(parseChartIndex(readFileSync(join(corpus, file), 'utf8'), file)).map((e) => `${e.name} ${e.version}`);
    assert.deepEqual(json<ListResult>(listed).entries.map((e) => `${e.chart} ${e.version}`), expected, file);
  }
});

interface ReindexResult {
  entries: number;
  listed: { chart: string; version: string; url: string }[];
  dropped: string[];
  written: boolean;
}

test('reindex lists charts one folder down as helm repo index does, and verify checks them', async () => {
  const layout: Record<string, string> = { 'shop-2.0.0.tgz': '2.0.0', 'sub/shop-2.1.0.tgz': '2.1.0', 'a/b/shop-2.2.0.tgz': '2.2.0' };
  const subdirs = testRepository(s3, root, 'subdirs');
  const local = join(work, 'helm-repo-index');
  for (const [name, version] of Object.entries(layout)) {
    await subdirs.put(name, tarballs.get(version)!);
    mkdirSync(dirname(join(local, name)), { recursive: true });
    writeFileSync(join(local, name), tarballs.get(version)!);
  }
  await execa(helmBinaries.helm4, ['repo', 'index', local]);
  const helms = listEntries(parseChartIndex(readFileSync(join(local, 'index.yaml'), 'utf8'), 'helm repo index')).map((e) => ({ chart: e.name, version: e.version, url: e.urls![0] }));
  assert.deepEqual(helms, [
    { chart: 'shop', version: '2.1.0', url: 'sub/shop-2.1.0.tgz' },
    { chart: 'shop', version: '2.0.0', url: 'shop-2.0.0.tgz' },
  ]);

  const dryRun = await cli(['repo', 'reindex', 'subdirs', '--dry-run', '--output', 'json']);
  assert.equal(dryRun.exitCode, 0, dryRun.stderr || dryRun.stdout);
  assert.equal(json<ReindexResult>(dryRun).entries, helms.length, 'the dry run counts the chart one folder down');
  assert.deepEqual(json<ReindexResult>(dryRun).listed, helms, 'the dry run lists what helm repo index lists');
  const text = await cli(['repo', 'reindex', 'subdirs', '--dry-run']);
  assert.match(text.stdout, /shop 2\.1\.0 {2}"sub\/shop-2\.1\.0\.tgz"/);

  const written = await cli(['repo', 'reindex', 'subdirs', '--output', 'json']);
  assert.equal(written.exitCode, 0, written.stderr || written.stdout);
  assert.equal(json<ReindexResult>(written).written, true);
  const verify = await cli(['repo', 'verify', 'subdirs', '--output', 'json']);
  assert.equal(verify.exitCode, 0, verify.stdout);
  const verified = json<{ problems: unknown[]; orphans: string[]; checked: number }>(verify);
  assert.deepEqual([verified.problems, verified.orphans, verified.checked], [[], [], 2]);
});

test('verify and reindex resolve the urls helm resolves inside the repository: percent-encoded, host-absolute (one folder down) and s3:// into the same bucket', async () => {
  const urls = testRepository(s3, root, 'urls');
  const cases = [
    { version: '1.0.1+build.1', name: 'shop-1.0.1+build.1.tgz', url: 'shop-1.0.1%2Bbuild.1.tgz' },
    { version: '1.0.2', name: 'abs/shop-1.0.2.tgz', url: `/${root}/urls/abs/shop-1.0.2.tgz` },
    { version: '1.0.3', name: 'shop-1.0.3.tgz', url: `s3://${s3.bucket}/${root}/urls/shop-1.0.3.tgz` },
  ];
  const entries = cases.map((c) => `  - apiVersion: v2\n    name: shop\n    version: ${c.version}\n    digest: ${sha256(tarballs.get(c.version)!)}\n    urls:\n    - ${c.url}\n`);
  for (const c of cases) await urls.put(c.name, tarballs.get(c.version)!);
  await urls.put('index.yaml', encode(`apiVersion: v1\nentries:\n  shop:\n${entries.reverse().join('')}generated: "2026-01-01T00:00:00Z"\n`));

  const verify = await cli(['repo', 'verify', 'urls', '--output', 'json']);
  assert.equal(verify.exitCode, 0, verify.stdout);
  const verified = json<{ problems: unknown[]; orphans: string[]; checked: number }>(verify);
  assert.deepEqual([verified.problems, verified.orphans, verified.checked], [[], [], 3]);

  const reindex = await cli(['repo', 'reindex', 'urls', '--output', 'json']);
  assert.equal(reindex.exitCode, 0, reindex.stderr || reindex.stdout);
  const rebuilt = json<ReindexResult>(reindex);
  assert.deepEqual(rebuilt.dropped, [], 'no entry is taken for one whose tarball is gone');
  assert.deepEqual(
    rebuilt.listed.map((e) => `${e.version} ${e.url}`),
    ['1.0.3 shop-1.0.3.tgz', '1.0.2 abs/shop-1.0.2.tgz', '1.0.1+build.1 shop-1.0.1+build.1.tgz'],
  );
  const again = await cli(['repo', 'verify', 'urls', '--output', 'json']);
  assert.equal(again.exitCode, 0, again.stdout);
});

test('an index helm repo index --url wrote for this bucket served over http (absolute urls on the endpoint, one folder down) verifies', async () => {
  const local = join(work, 'helm-repo-index-url');
  const helmidx = testRepository(s3, root, 'helmidx');
  for (const [name, version] of [['shop-2.0.0.tgz', '2.0.0'], ['sub/shop-2.1.0.tgz', '2.1.0']] as const) {
    await helmidx.put(name, tarballs.get(version)!);
    mkdirSync(dirname(join(local, name)), { recursive: true });
    writeFileSync(join(local, name), tarballs.get(version)!);
  }
  const base = `${s3.endpoint}/${s3.bucket}/${root}/helmidx`;
  await execa(helmBinaries.helm4, ['repo', 'index', local, '--url', base]);
  const written = readFileSync(join(local, 'index.yaml'));
  assert.deepEqual(listEntries(parseChartIndex(written.toString('utf8'), 'helm')).map((e) => e.urls![0]), [`${base}/sub/shop-2.1.0.tgz`, `${base}/shop-2.0.0.tgz`]);
  await helmidx.put('index.yaml', new Uint8Array(written));

  const verify = await cli(['repo', 'verify', 'helmidx', '--output', 'json']);
  assert.equal(verify.exitCode, 0, verify.stdout);
  const verified = json<{ problems: unknown[]; orphans: string[]; checked: number }>(verify);
  assert.deepEqual([verified.problems, verified.orphans, verified.checked], [[], [], 2]);
  const other = await cli(['repo', 'verify', 'dev', '--output', 'json']);
  assert.equal(other.exitCode, 1, 'dev lists nginx at charts.helm.sh: not an object of the repository');
  assert.ok(json<{ problems: { kind: string }[] }>(other).problems.some((p) => p.kind === 'urlOutsideRepository'));
});
