import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleApp, helmBinaries, projectRoot, runCli } from '../support/project.js';

const ownVersion = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
let app: ReturnType<typeof copyExampleApp>;
before(() => {
  app = copyExampleApp();
});
after(() => app.remove());

test('found from any subdirectory of the application repository, like git finds .git (charts/shop/templates)', async () => {
  const r = await runCli(['envs', '--output', 'json'], { cwd: join(app.dir, 'charts', 'shop', 'templates') });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual((JSON.parse(r.stdout) as Array<{ name: string }>).map((e) => e.name), ['dev', 'prod', 'staging']);
  // --cwd DIR is where the search starts, as with git -C.
  const viaCwd = await runCli(['--cwd', join(app.dir, 'charts'), 'envs', '--output', 'json']);
  assert.equal(viaCwd.exitCode, 0, viaCwd.stderr);
});

test('outside any application repository: the refusal names every directory searched', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'chartctl-nowhere-'));
  try {
    const start = join(empty, 'deep', 'er');
    mkdirSync(start, { recursive: true });
    const r = await runCli(['lint'], { cwd: start });
    assert.equal(r.exitCode, 1);
    assert.ok(r.stderr.includes(`error: ${start} is not in a chartctl application repository: none of ${start}, ${join(empty, 'deep')}, ${empty}, `), r.stderr);
    assert.match(r.stderr, /^hint: Run chartctl inside the repository \(any subdirectory of the one holding environments\/\), or point at it with --cwd DIR\.$/m);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('--version, -V and version print chartctl, helm (the one chartctl would run, with its path) and Node', async () => {
  for (const args of [['--version'], ['-V'], ['version']]) {
    const r = await runCli(args, { env: { CHARTCTL_HELM: helmBinaries.helm3 } });
    assert.equal(r.exitCode, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `chartctl ${ownVersion}`);
    assert.match(lines[1]!, /^helm v3\.\d+\.\d+ \(.+\/helm3\/helm\)$/);
    assert.equal(lines[2], `node ${process.version}`);
  }
  const json = await runCli(['--version', '--output', 'json'], { env: { CHARTCTL_HELM: helmBinaries.helm4 } });
  assert.equal(json.exitCode, 0, json.stderr);
  assert.deepEqual(Object.keys(JSON.parse(json.stdout) as object), ['chartctl', 'helm', 'node']);
  assert.equal((JSON.parse(json.stdout) as { helm: { path: string } }).helm.path, helmBinaries.helm4);
});

test('--version without a usable helm says so instead of failing; works outside any application repository', async () => {
  const nowhere = mkdtempSync(join(tmpdir(), 'chartctl-nohelm-'));
  try {
    const r = await runCli(['--version', '--output', 'json'], { cwd: nowhere, env: { CHARTCTL_HELM: '/nonexistent/helm' } });
    assert.equal(r.exitCode, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { chartctl: string; helm: { version: null; problem: string } };
    assert.equal(report.chartctl, ownVersion);
    assert.equal(report.helm.version, null);
    assert.match(report.helm.problem, /CHARTCTL_HELM points to \/nonexistent\/helm, which does not exist/);
  } finally {
    rmSync(nowhere, { recursive: true, force: true });
  }
});

test('paths typed on the command line are relative to where chartctl runs (like git), environment files\' to the repository', async () => {
  // In environments/values/, `--values prod.yaml` is that directory's prod.yaml, not the repository root's.
  const r = await runCli(['template', 'dev', '--values', 'prod.yaml'], { cwd: join(app.dir, 'environments', 'values') });
  assert.equal(r.exitCode, 0, r.stderr);
  const fromRoot = await runCli(['template', 'dev', '--values', 'environments/values/prod.yaml'], { cwd: app.dir });
  assert.equal(fromRoot.exitCode, 0, fromRoot.stderr);
  assert.equal(r.stdout, fromRoot.stdout);
  // The default sandbox directory stays the repository's, wherever chartctl runs.
  const status = await runCli(['sandbox', 'status', '--output', 'json'], { cwd: join(app.dir, 'charts', 'shop') });
  assert.ok(status.stdout.includes(join(app.dir, '.chartctl', 'sandbox')), `${status.stdout}\n${status.stderr}`);
});
