/**
 * One prerelease scheme (issue #15.6): `publish --version prerelease` right after a release
 * gives a version above it, which diff, deploy and watch then pick, and `bump prerelease`
 * continues the same numbering. Real CLI, real helm 4, the local S3 server, the simulator,
 * and a real git work tree (the build number's floor and the `+g<commit>` metadata).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { startClusterApp, type ClusterApp } from '../support/cluster-app.js';

let cluster: ClusterApp;

const ok = (args: string[], exitCode?: number) => cluster.ok(args, exitCode);
const json = (args: string[], exitCode?: number) => cluster.json(args, exitCode);

before(async () => {
  cluster = await startClusterApp({ name: 'prerelease', readinessDelayMs: 0, contexts: ['dev', 'staging', 'prod'], env: { CHARTCTL_ACTOR: 'prerelease-tests' } });
  const git = (...args: string[]) => execa('git', args, { cwd: cluster.app.dir, env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', HOME: cluster.home } });
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-qm', 'shop 1.0.0');
});
after(() => cluster?.close());

test('publish --version prerelease right after 1.0.0 gives 1.0.1-dev.N, which diff, deploy and watch pick; bump prerelease goes on from there', async () => {
  assert.match(readFileSync(join(cluster.app.dir, 'charts', 'shop', 'Chart.yaml'), 'utf8'), /^version: 1\.0\.0$/m);
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
