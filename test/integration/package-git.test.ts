/**
 * What `package` asks git, with real git work trees: the repository's newest commit and status (two processes,
 * started before the environments are read), the chart's whole history only for a prerelease, and the status
 * taken again when helm's dependency build wrote into the chart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppRepo } from '../../src/adapters/app-repo.js';
import { GitCli, type Git } from '../../src/adapters/git.js';
import { HelmCli } from '../../src/adapters/helm.js';
import { buildPackage } from '../../src/actions/steps/package-chart.js';
import { PROVENANCE } from '../../src/core/chart-index.js';
import { copyExampleApp, helmBinaries, runCli } from '../support/project.js';
import { fakeDeps } from '../support/fake-deps.js';

const gitEnv = (home: string) => ({
  PATH: process.env.PATH,
  HOME: home,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
});

function gitIn(dir: string): (...args: string[]) => string {
  return (...args) => execFileSync('git', args, { cwd: dir, env: gitEnv(dir), encoding: 'utf8' }).trim();
}

test('git revision: the newest commit touching the paths (empty commits skipped, as before), dirty files from a subdirectory; history counts them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-git-revision-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const git = gitIn(dir);
  const cli = new GitCli(gitEnv(dir));
  assert.equal(await cli.revision(dir, ['.']), undefined, 'not a work tree');
  assert.equal(await cli.history(dir, ['.']), undefined, 'not a work tree');
  git('init', '-q');
  mkdirSync(join(dir, 'app', 'chart'), { recursive: true });
  writeFileSync(join(dir, 'app', 'chart', 'Chart.yaml'), 'name: a\n');
  git('add', '-A');
  git('commit', '-qm', 'chart');
  const first = git('rev-parse', 'HEAD');
  writeFileSync(join(dir, 'app', 'chart', 'values.yaml'), 'a: 1\n');
  git('add', '-A');
  git('commit', '-qm', 'values');
  const chartCommit = git('rev-parse', 'HEAD');
  writeFileSync(join(dir, 'README.md'), 'readme\n');
  git('add', '-A');
  git('commit', '-qm', 'readme');
  const readmeCommit = git('rev-parse', 'HEAD');
  git('commit', '-q', '--allow-empty', '-m', 'empty');
  assert.notEqual(git('rev-parse', 'HEAD'), readmeCommit);

  assert.deepEqual(await cli.revision(dir, ['.']), { commit: readmeCommit, dirty: false, dirtyFiles: [] }, 'an empty commit changes nothing: the repository is at the readme commit');
  assert.deepEqual(await cli.revision(dir, ['app/chart']), { commit: chartCommit, dirty: false, dirtyFiles: [] }, 'the README commit did not touch the chart');
  assert.deepEqual(await cli.history(dir, ['app/chart']), { commit: chartCommit, commitCount: 2 });
  assert.deepEqual(await cli.history(dir, ['app/chart/Chart.yaml']), { commit: first, commitCount: 1 });

  writeFileSync(join(dir, 'app', 'chart', 'values.yaml'), 'a: 2\n');
  writeFileSync(join(dir, 'app', 'new.txt'), 'new\n');
  const fromApp = await cli.revision(join(dir, 'app'), ['.']);
  assert.deepEqual(fromApp, { commit: chartCommit, dirty: true, dirtyFiles: ['chart/values.yaml', 'new.txt'] }, 'paths relative to the directory git runs in');
});

/** A copy of the example application as a git work tree, with every call to git and to loadEnvironments recorded in order. */
function recordedApp(t: { after: (fn: () => void) => void }, gitignore: string) {
  const app = copyExampleApp();
  t.after(app.remove);
  writeFileSync(join(app.dir, '.gitignore'), gitignore);
  const git = gitIn(app.dir);
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'shop');
  const events: string[] = [];
  const real = new GitCli(gitEnv(app.dir));
  const recording: Git = {
    revision: (cwd, paths) => (events.push(`revision ${paths.join(' ')}`), real.revision(cwd, paths)),
    history: (cwd, paths) => (events.push(`history ${paths.join(' ')}`), real.history(cwd, paths)),
    actor: (cwd) => real.actor(cwd),
    commit: (cwd, files, message) => real.commit(cwd, files, message),
  };
  const repo = new AppRepo(app.dir);
  const loadEnvironments = repo.loadEnvironments.bind(repo);
  repo.loadEnvironments = (names) => (events.push('loadEnvironments'), loadEnvironments(names));
  const deps = fakeDeps({
    repo,
    git: recording,
    env: gitEnv(app.dir),
    helm: () => {
      events.push('helm');
      return new HelmCli(helmBinaries.helm4, { reporter: deps.reporter, mask: (s) => s, env: gitEnv(app.dir) });
    },
  });
  return { dir: app.dir, deps, events, head: git('rev-parse', 'HEAD') };
}

test('package asks git for the repository first, once; the chart history only for a prerelease', async (t) => {
  const app = recordedApp(t, 'charts/*/charts/*.tgz\n.chartctl/\n');
  // The dependencies built by an earlier run (this process remembers the builds it made itself).
  const out = mkdtempSync(join(tmpdir(), 'chartctl-package-git-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const earlier = await runCli(['--cwd', app.dir, 'package', '--destination', out]);
  assert.equal(earlier.exitCode, 0, earlier.stderr);

  const built = await buildPackage(app.deps, {});
  assert.deepEqual(app.events.splice(0), ['revision .', 'loadEnvironments'], 'git is asked before the environments are read, once; no helm, no chart history');
  assert.deepEqual(built.source, { commit: app.head, dirty: false });
  assert.equal((built.metadata.annotations as Record<string, string>)[PROVENANCE.gitCommit], app.head);

  const prerelease = await buildPackage(app.deps, { version: 'prerelease' });
  assert.deepEqual(app.events.splice(0), ['revision .', 'loadEnvironments', 'history charts/shop charts/api charts/web']);
  assert.match(prerelease.version, new RegExp(`^1\\.0\\.1-dev\\.1\\+g${app.head.slice(0, 7)}$`), 'one commit touched the chart');
});

test('package takes git status again after helm dependency build wrote into the chart', async (t) => {
  // Without the dependency archives in .gitignore, the ones helm builds are untracked files that get packaged.
  const app = recordedApp(t, '.chartctl/\n');
  const built = await buildPackage(app.deps, {});
  assert.deepEqual(built.source, { commit: app.head, dirty: true }, 'the archives helm wrote make the tree dirty');
  assert.deepEqual(app.events, ['revision .', 'loadEnvironments', 'helm', 'revision .'], 'the first status was taken before helm wrote');
  const annotations = built.metadata.annotations as Record<string, string>;
  assert.equal(annotations[PROVENANCE.gitDirty], 'true');
  assert.match(app.deps.reporter.lines.join('\n'), /Uncommitted changes in the repository: charts\/shop\/charts\//);
});
