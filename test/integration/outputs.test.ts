import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleApp, runCli } from '../support/project.js';

let app: ReturnType<typeof copyExampleApp>;
before(() => {
  app = copyExampleApp();
});
after(() => app.remove());

test('envs --output matrix: one line, a JSON array of objects a CI matrix takes (env, release, namespace, kubeContext, repository)', async () => {
  const r = await runCli(['envs', '--output', 'matrix'], { cwd: app.dir });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout.trimEnd().split('\n').length, 1, r.stdout);
  const matrix = JSON.parse(r.stdout);
  assert.ok(Array.isArray(matrix));
  assert.deepEqual(matrix.map((e: any) => e.env), ['dev', 'prod', 'staging']);
  for (const e of matrix) {
    assert.deepEqual(Object.keys(e), ['env', 'release', 'namespace', 'kubeContext', 'repository']);
    for (const v of Object.values(e)) assert.equal(typeof v, 'string');
  }
});

test('an --output a command does not render is a usage error naming the supported ones, not text', async () => {
  const r = await runCli(['envs', '--output', 'junit'], { cwd: app.dir });
  assert.equal(r.exitCode, 1, r.stdout);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /error: chartctl envs has no --output junit; it supports text, json, matrix\./);
  const deploy = await runCli(['deploy', 'dev', '--output', 'markdown'], { cwd: app.dir });
  assert.equal(deploy.exitCode, 1);
  assert.match(deploy.stderr, /chartctl deploy has no --output markdown; it supports text, json\./);
});

test('a usage error under --output json also prints the JSON error object on stdout', async () => {
  const r = await runCli(['lint', '--output', 'json', '--no-such-flag'], { cwd: app.dir });
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /unknown option '--no-such-flag'/);
  const body = JSON.parse(r.stdout);
  assert.equal(body.error.code, 'USAGE');
  assert.match(body.error.message, /unknown option '--no-such-flag'/);
});

test('lint of one environment: "1 environment", no "in parallel"; markdown is a job summary', async () => {
  const r = await runCli(['lint', 'dev'], { cwd: app.dir });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^1 environment: 0 errors, \d+ warnings?$/m);
  assert.doesNotMatch(r.stdout, /1 environments|\b1 warnings|\b1 errors/);
  assert.match(r.stderr, /Linting dev\n/);
  assert.doesNotMatch(r.stderr, /in parallel/);
  // Offline with an empty cache, so the findings do not depend on the machine: both environments have the schemas warning.
  const cache = mkdtempSync(join(tmpdir(), 'chartctl-empty-cache-'));
  try {
    const md = await runCli(['lint', 'dev', 'prod', '--output', 'markdown'], { cwd: app.dir, env: { CHARTCTL_OFFLINE: '1', XDG_CACHE_HOME: cache, CHARTCTL_SCHEMA_LOCATION: undefined } });
    assert.equal(md.exitCode, 0, md.stderr);
    assert.match(md.stdout, /^# chartctl lint\n\n\| Environment \| Result \| Resources \| Errors \| Warnings \|\n\| --- \|/);
    assert.match(md.stdout, /^\| dev \| ok \| \d+ \| 0 \| 1 \|$/m);
    assert.match(md.stdout, /^## Across environments\n\n\| Severity \| Check \| Environments \| Message \|\n\| --- \| --- \| --- \| --- \|\n\| warning \| schema \| both environments \| schemas unavailable, \d+ resources not schema-checked: /m);
    assert.match(md.stdout, /^2 environments: 0 errors, 2 warnings$/m);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('AWS_PROFILE naming a profile that does not exist: the error names the profile', async () => {
  const home = mkdtempSync(join(tmpdir(), 'chartctl-no-aws-'));
  try {
    const r = await runCli(['repo', 'list', 'dev'], {
      cwd: app.dir,
      env: {
        HOME: home,
        AWS_PROFILE: 'nonexistent',
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    assert.equal(r.exitCode, 1, r.stdout);
    assert.match(r.stderr, /no AWS credentials were found for AWS_PROFILE=nonexistent\./);
    assert.match(r.stderr, /hint: Check that the profile "nonexistent" exists in ~\/\.aws\/config/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('digests are always sha256:<hex>: package shows the same form deploy and history do', async () => {
  const out = mkdtempSync(join(tmpdir(), 'chartctl-pkg-'));
  try {
    const r = await runCli(['package', '--destination', out, '--output', 'json'], { cwd: app.dir });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).digest, /^sha256:[0-9a-f]{64}$/);
    const text = await runCli(['package', '--destination', out], { cwd: app.dir });
    assert.match(text.stderr, /: sha256:[0-9a-f]{64} \(\d+ bytes\)/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
