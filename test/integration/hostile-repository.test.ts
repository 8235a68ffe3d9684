/**
 * A dev bucket written by an attacker: every command that reads it refuses,
 * names the entry, writes nothing outside its private temp dir and leaves the
 * cluster as it was (the trust boundary in docs/threat-model.md).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';
import type { ChartRepository } from '../../src/adapters/chart-repository.js';
import { copyExampleApp, helmBinaries, runCli, type CliRun } from '../support/project.js';
import { isolateRepositories, startTestS3, testRepository, type TestS3 } from '../support/s3.js';
import { HOSTILE_CONTENT, restore, type GoodRepository, type HostileContent } from '../support/hostile-bucket.js';

// How fast a refusal comes is bench:hostile's figure; here a refusal must be the right one. A bomb
// being expanded past its cap, or followed to its end, shows as a missing refusal or a run killed at the bound.

let sim: Simulator;
let s3: TestS3;
let app: ReturnType<typeof copyExampleApp>;
let home: string;
let victimDir: string;
let chartctlTmp: string;
let env: Record<string, string>;
let root: string;
let dev: ChartRepository;
let good: GoodRepository;

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const cli = (args: string[]): Promise<CliRun> => runCli(args, { cwd: app.dir, env: { ...env, TMPDIR: chartctlTmp }, timeoutMs: 120_000 });

/** Every file under a directory with its size, mode and sha256: compared before/after each hostile run. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else out.set(relative(dir, path), `${st.size} ${st.mode.toString(8)} ${sha256(readFileSync(path))}`);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** What the cluster holds: every object's kind/namespace/name and resourceVersion. */
function clusterState(): string {
  return sim
    .listObjects()
    .map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name} ${o.metadata.resourceVersion}`)
    .sort()
    .join('\n');
}

/** Commands that read a hostile 9.9.9 entry; each must exit 1. */
const readers: string[][] = [
  ['diff', 'dev'],
  ['deploy', 'dev', '--yes'],
  ['watch', 'dev', '--once', '--yes'],
  ['promote', 'dev', 'staging', '--yes', '--version', '9.9.9'],
  ['repo', 'verify', 'dev'],
];

function commandsFor(hostile: HostileContent): string[][] {
  if (hostile.wholeIndex) return [...readers.slice(0, 3), ['promote', 'dev', 'staging', '--yes'], ['repo', 'verify', 'dev'], ['repo', 'list', 'dev']];
  return hostile.storedObject ? [...readers, ['repo', 'reindex', 'dev', '--dry-run']] : readers;
}

before(async () => {
  sim = await startSimulator({ readinessDelayMs: 20 });
  s3 = await startTestS3();
  app = copyExampleApp();
  root = isolateRepositories(app.dir, s3);
  home = mkdtempSync(join(tmpdir(), 'chartctl-hostile-home-'));
  victimDir = mkdtempSync(join(tmpdir(), 'chartctl-hostile-victim-'));
  chartctlTmp = mkdtempSync(join(tmpdir(), 'chartctl-hostile-tmp-'));
  writeFileSync(join(victimDir, 'victim.txt'), 'the user\'s own file\n');
  writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url, { aliases: ['dev', 'staging', 'prod'] }));
  env = { ...s3.env, KUBECONFIG: join(home, 'kubeconfig'), HOME: home, CHARTCTL_HELM: helmBinaries.helm4, CHARTCTL_ACTOR: 'hostile-tests' };
  for (const name of ['dev', 'staging']) {
    const file = join(app.dir, 'environments', `${name}.yaml`);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/deploy: \{timeout: 5m/, 'deploy: {timeout: 10s'));
  }
  dev = testRepository(s3, root, 'dev');
  for (const args of [['publish', 'dev', '--version', '1.0.0'], ['deploy', 'dev', '--yes']]) {
    const r = await cli(args);
    assert.equal(r.exitCode, 0, `chartctl ${args.join(' ')}: ${r.stderr}`);
  }
  const tarball = await dev.get('shop-1.0.0.tgz');
  const index = await dev.get('index.yaml');
  assert.ok(tarball.kind === 'found' && index.kind === 'found');
  good = { tarball: tarball.body, index: new TextDecoder().decode(index.body), victimFile: join(victimDir, 'victim.txt') };
});

after(async () => {
  await sim?.close();
  await s3?.close();
  app?.remove();
  for (const dir of [home, victimDir, chartctlTmp]) if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const hostile of HOSTILE_CONTENT) {
  test(`hostile dev bucket: ${hostile.name} — every reader refuses, nothing written, cluster untouched`, async (t) => {
    await hostile.arrange(dev, good);
    const watched = [app.dir, home, victimDir];
    const files = watched.map(snapshot);
    const cluster = clusterState();
    const stagingBefore = (await testRepository(s3, root, 'staging').list()).map((o) => `${o.name} ${o.etag}`).sort();
    let slowest = 0;
    for (const args of commandsFor(hostile)) {
      const started = performance.now();
      const r = await cli(args);
      slowest = Math.max(slowest, performance.now() - started);
      const said = `${r.stdout}\n${r.stderr}`;
      assert.equal(r.exitCode, 1, `chartctl ${args.join(' ')} exited ${r.exitCode} (want 1; -1: killed at the 120 s bound):\n${said}`);
      assert.match(said, hostile.refusal, `chartctl ${args.join(' ')} names the entry and why:\n${said}`);
      assert.doesNotMatch(said, /unexpected internal error/i, `chartctl ${args.join(' ')}:\n${said}`);
    }
    if (hostile.wholeIndex) {
      // status still shows what is live (on-call needs it most when the repository is broken) and says why the repository was not read.
      const r = await cli(['status', 'dev']);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.match(r.stdout, /live: revision 1, shop 1\.0\.0/);
      assert.match(r.stdout, /repository: not checked \(.*index\.yaml.*alias/);
    }
    watched.forEach((dir, i) => assert.deepEqual(snapshot(dir), files[i], `nothing under ${dir} changed`));
    assert.equal(readFileSync(join(victimDir, 'victim.txt'), 'utf8'), 'the user\'s own file\n');
    assert.deepEqual(readdirSync(chartctlTmp), [], 'every private temp dir was removed');
    assert.equal(clusterState(), cluster, 'the cluster is untouched');
    const stagingAfter = (await testRepository(s3, root, 'staging').list()).map((o) => `${o.name} ${o.etag}`).sort();
    assert.deepEqual(stagingAfter, stagingBefore, 'nothing was promoted');
    t.diagnostic(`slowest refusal: ${Math.round(slowest)} ms`);
    await restore(dev, good);
  });
}
