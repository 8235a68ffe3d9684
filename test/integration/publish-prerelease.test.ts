/**
 * One prerelease scheme (issue #15.6): `publish --version prerelease` right after a release
 * gives a version above it, which diff, deploy and watch then pick, and `bump prerelease`
 * continues the same numbering. Real CLI, real helm 4, the local S3 server, the simulator,
 * and a real git work tree (the build number's floor and the `+g<commit>` metadata).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';
import { copyExampleApp, helmBinaries, runCli, type CliRun } from '../support/project.js';
import { isolateRepositories, startTestS3, type TestS3 } from '../support/s3.js';

let sim: Simulator;
let s3: TestS3;
let app: ReturnType<typeof copyExampleApp>;
let home: string;
let env: Record<string, string>;

const cli = (args: string[]): Promise<CliRun> => runCli(args, { cwd: app.dir, env, timeoutMs: 120_000 });
const ok = async (args: string[], exitCode = 0) => {
  const r = await cli(args);
  assert.equal(r.exitCode, exitCode, `chartctl ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
  return r;
};
const json = async (args: string[]) => JSON.parse((await ok([...args, '--output', 'json'])).stdout);

before(async () => {
  sim = await startSimulator({ readinessDelayMs: 0 });
  s3 = await startTestS3();
  app = copyExampleApp();
  isolateRepositories(app.dir, s3);
  home = mkdtempSync(join(tmpdir(), 'chartctl-prerelease-'));
  writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url, { aliases: ['dev', 'staging', 'prod'] }));
  env = { ...s3.env, KUBECONFIG: join(home, 'kubeconfig'), HOME: home, CHARTCTL_HELM: helmBinaries.helm4, CHARTCTL_ACTOR: 'prerelease-tests' };
  const git = (...args: string[]) => execa('git', args, { cwd: app.dir, env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', HOME: home } });
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-qm', 'shop 1.0.0');
});
after(async () => {
  await sim?.close();
  await s3?.close();
  app?.remove();
  rmSync(home, { recursive: true, force: true });
});

test('publish --version prerelease right after 1.0.0 gives 1.0.1-dev.N, which diff, deploy and watch pick; bump prerelease goes on from there', async () => {
  assert.match(readFileSync(join(app.dir, 'charts', 'shop', 'Chart.yaml'), 'utf8'), /^version: 1\.0\.0$/m);
  await ok(['publish', 'dev']);
  const first = await json(['publish', 'dev', '--version', 'prerelease']);
  assert.match(first.version, /^1\.0\.1-dev\.\d+\+g[0-9a-f]{7}$/, 'above the release the repository holds');
  const diff = await json(['diff', 'dev']);
  assert.equal(diff.candidate.version, first.version, 'diff takes the prerelease as the newest version');
  await ok(['deploy', 'dev', '--yes', '--no-tests']);
  const history = (await json(['history', 'dev'])).revisions;
  assert.equal(history.at(-1).chartVersion, first.version, 'deploy deployed it');

  const second = await json(['publish', 'dev', '--version', 'prerelease', '--preid', 'dev']);
  const n = (v: string) => Number(/-dev\.(\d+)/.exec(v)![1]);
  assert.equal(n(second.version), n(first.version) + 1, `the next build of the same commit is numbered after ${first.version}: ${second.version}`);
  const watched = (await ok(['watch', 'dev', '--once', '--output', 'json'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(watched.find((e) => e.event === 'deploying')?.version, second.version, 'watch deploys the newer prerelease');

  const bumped = await json(['bump', 'prerelease']);
  assert.deepEqual([bumped.from, bumped.to], ['1.0.0', `1.0.1-dev.${n(second.version) + 1}`], 'bump uses the same scheme, above what dev holds');
});
