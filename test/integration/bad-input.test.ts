import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { copyExampleApp, runCli } from '../support/project.js';

let app: ReturnType<typeof copyExampleApp>;
before(() => {
  app = copyExampleApp();
});
after(() => app.remove());

/** Every refusal is one readable paragraph plus a hint, never a stack trace. */
function assertCleanError(r: { stderr: string }) {
  assert.match(r.stderr, /^error: /m);
  assert.match(r.stderr, /^hint: /m);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
}

function editFile(rel: string, edit: (text: string) => string): () => void {
  const path = join(app.dir, rel);
  const original = readFileSync(path, 'utf8');
  writeFileSync(path, edit(original));
  return () => writeFileSync(path, original);
}

test('unknown environment exits 3 and lists the known ones', async () => {
  const r = await runCli(['template', 'qa'], { cwd: app.dir });
  assert.equal(r.exitCode, 3);
  assert.match(r.stderr, /Unknown environment "qa"\. Known environments: dev, prod, staging\./);
  assertCleanError(r);
});

test('not an application repository (no environments/)', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'chartctl-empty-'));
  try {
    const r = await runCli(['--cwd', empty, 'lint']);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /is not in a chartctl application repository: none of .*, \/ has an environments\/ directory/);
    assertCleanError(r);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('--cwd pointing nowhere is refused', async () => {
  const r = await runCli(['--cwd', '/nonexistent/chartctl', 'envs']);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /--cwd \/nonexistent\/chartctl: no such directory/);
});

test('invalid environment file: every problem with file:line:col', async () => {
  const restore = editFile('environments/staging.yaml', (t) => t.replace('release: shop', 'release: Shop_App\nreplicas: 3'));
  try {
    const r = await runCli(['template', 'staging'], { cwd: app.dir });
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /environments\/staging\.yaml:3:10: "release" does not look right/);
    assert.match(r.stderr, /environments\/staging\.yaml:4:1: unknown key "replicas"; expected one of: chart, release/);
    assertCleanError(r);
    const envs = await runCli(['envs'], { cwd: app.dir });
    assert.equal(envs.exitCode, 1, 'envs validates every file too');
  } finally {
    restore();
  }
});

test('environment file that is not YAML', async () => {
  const restore = editFile('environments/dev.yaml', (t) => t.replace('namespace: shop-dev', 'namespace: "shop-dev'));
  try {
    const r = await runCli(['template', 'dev'], { cwd: app.dir });
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /environments\/dev\.yaml:\d+:\d+: invalid YAML/);
    assertCleanError(r);
  } finally {
    restore();
  }
});

test('chart path missing', async () => {
  const restore = editFile('environments/dev.yaml', (t) => t.replace('chart: charts/shop', 'chart: charts/shopp'));
  try {
    const r = await runCli(['template', 'dev'], { cwd: app.dir });
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /environments\/dev\.yaml: chart "charts\/shopp" not found/);
    assertCleanError(r);
  } finally {
    restore();
  }
});

test('malformed YAML in a values file names file:line:col', async () => {
  const restore = editFile('environments/values/prod.yaml', (t) => `${t}web:\n  replicaCount: [3\n`);
  try {
    const r = await runCli(['template', 'prod'], { cwd: app.dir });
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /environments\/values\/prod\.yaml:\d+:\d+: invalid YAML/);
    assertCleanError(r);
    const lint = await runCli(['lint', 'prod', '--output', 'json'], { cwd: app.dir });
    assert.equal(lint.exitCode, 1);
    assert.match(lint.stdout, /environments\/values\/prod\.yaml:\d+:\d+: invalid YAML/);
  } finally {
    restore();
  }
});

test('missing values file names the environment file that lists it', async () => {
  const restore = editFile('environments/dev.yaml', (t) => t.replace('environments/values/dev.yaml', 'environments/values/dev-missing.yaml'));
  try {
    const r = await runCli(['template', 'dev'], { cwd: app.dir });
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /environments\/values\/dev-missing\.yaml: values file not found \(listed under "values" in environments\/dev\.yaml\)/);
    assertCleanError(r);
  } finally {
    restore();
  }
});

test('helm missing', async () => {
  const r = await runCli(['template', 'dev'], { cwd: app.dir, env: { CHARTCTL_HELM: '/nonexistent/helm' } });
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /CHARTCTL_HELM points to \/nonexistent\/helm, which does not exist/);
  assertCleanError(r);
});

test('helm too old', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-oldhelm-'));
  const fake = join(dir, 'helm');
  // A stand-in that answers `helm version` like helm 2 would; chartctl must refuse before anything else.
  writeFileSync(fake, '#!/bin/sh\necho v2.17.0\n');
  chmodSync(fake, 0o755);
  try {
    const r = await runCli(['template', 'dev'], { cwd: app.dir, env: { CHARTCTL_HELM: fake, XDG_CACHE_HOME: dir } });
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /is helm v2\.17\.0; chartctl needs helm 3\.x or 4\.x/);
    assertCleanError(r);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('helm failing: its stderr is shown with the command line', async () => {
  const tpl = join(app.dir, 'charts/shop/templates/fail.yaml');
  writeFileSync(tpl, '{{ fail "database.host must be set for this environment" }}\n');
  try {
    const r = await runCli(['template', 'dev', '--set', 'x=1'], { cwd: app.dir });
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /helm template shop .* --values - --set x=1 failed with exit status 1/);
    assert.match(r.stderr, /database\.host must be set for this environment/);
    assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/);
  } finally {
    unlinkSync(tpl);
  }
});

test('--verbose prints the helm argv; helm reads the values files, decrypted secrets travel on stdin, not argv', async () => {
  const r = await runCli(['template', 'dev', '--verbose'], { cwd: app.dir });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /\[verbose\] helm template shop \S+charts\/shop --namespace shop-dev --kube-version 1\.33 --values \S+environments\/values\/common\.yaml --values \S+environments\/values\/dev\.yaml --values -/);
  assert.doesNotMatch(r.stderr, /hunter2|password=/);
});

test('usage errors exit 1 and point at --help', async () => {
  const r = await runCli(['template'], { cwd: app.dir });
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /missing required argument 'env'/);
  const unknown = await runCli(['lint', '--bogus'], { cwd: app.dir });
  assert.equal(unknown.exitCode, 1);
  assert.match(unknown.stderr, /unknown option '--bogus'/);
});

test('--help teaches each command with an example; global flags work after the command', async () => {
  const help = await runCli(['template', '--help']);
  assert.equal(help.exitCode, 0);
  assert.match(help.stdout, /Values layering/);
  assert.match(help.stdout, /chartctl template prod > prod\.yaml/);
  const after = await runCli(['envs', '--output', 'json', '--cwd', app.dir]);
  assert.equal(after.exitCode, 0, after.stderr);
  assert.deepEqual(JSON.parse(after.stdout).map((e: any) => e.name), ['dev', 'prod', 'staging']);
});
