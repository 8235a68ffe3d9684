import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleApp, projectRoot, runCli } from '../support/project.js';

const golden = join(projectRoot, 'test', 'golden', 'set-image');
const digest = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
let app: ReturnType<typeof copyExampleApp>;
before(() => {
  app = copyExampleApp();
  copyFileSync(join(golden, 'before.yaml'), join(app.dir, 'environments/values/dev.yaml'));
});
after(() => app.remove());

test('set-image edits in place: comments, quotes, flow style and key order kept (golden file)', async () => {
  const api = await runCli(['set-image', 'dev', 'api', '1.2.0', '--digest', digest], { cwd: app.dir });
  assert.equal(api.exitCode, 0, api.stderr);
  const web = await runCli(['set-image', 'dev', 'web', '2.0.0-rc.1'], { cwd: app.dir });
  assert.equal(web.exitCode, 0, web.stderr);
  assert.equal(readFileSync(join(app.dir, 'environments/values/dev.yaml'), 'utf8'), readFileSync(join(golden, 'after.yaml'), 'utf8'));
  const rendered = await runCli(['template', 'dev'], { cwd: app.dir });
  assert.match(rendered.stdout, new RegExp(`image: "ghcr.io/acme/shop-api:1\\.2\\.0@${digest}"`));
});

test('set-image is idempotent and reports no change the second time', async () => {
  const before = readFileSync(join(app.dir, 'environments/values/dev.yaml'), 'utf8');
  const r = await runCli(['set-image', 'dev', 'api', '1.2.0', '--digest', digest, '--output', 'json'], { cwd: app.dir });
  assert.equal(r.exitCode, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.deepEqual(result.changedFiles, []);
  assert.equal(result.edits[0].changed, false);
  assert.equal(readFileSync(join(app.dir, 'environments/values/dev.yaml'), 'utf8'), before);
});

test('set-image without an environment writes the tag once where every environment reads it, and reports the overrides', async () => {
  const prodBefore = readFileSync(join(app.dir, 'environments/values/prod.yaml'), 'utf8');
  const r = await runCli(['set-image', '--all', 'web', '3.1.4', '--output', 'json'], { cwd: app.dir });
  assert.equal(r.exitCode, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.scope, 'shared');
  assert.deepEqual(result.changedFiles, ['environments/values/common.yaml']);
  assert.deepEqual(result.edits.map((e: any) => [e.env, e.file, e.overriddenBy?.file]), [
    ['dev', 'environments/values/common.yaml', 'environments/values/dev.yaml'],
    ['prod', 'environments/values/common.yaml', 'environments/values/prod.yaml'],
    ['staging', 'environments/values/common.yaml', 'environments/values/staging.yaml'],
  ]);
  assert.match(readFileSync(join(app.dir, 'environments/values/common.yaml'), 'utf8'), /^web:\n(?: {2}.*\n)*? {2}image:\n {4}tag: "3\.1\.4"$/m);
  assert.equal(readFileSync(join(app.dir, 'environments/values/prod.yaml'), 'utf8'), prodBefore, 'the overrides stay');
  assert.match(r.stderr, /prod keeps its own web\.image\.tag 1\.0\.0 from environments\/values\/prod\.yaml/);
  // Without the override, the shared tag is what renders.
  writeFileSync(join(app.dir, 'environments/values/prod.yaml'), prodBefore.replace(/(\nweb:\n(?: {2}.*\n)*?) {2}image:\n {4}tag: "1\.0\.0"\n/, '$1'));
  const rendered = await runCli(['template', 'prod'], { cwd: app.dir });
  assert.match(rendered.stdout, /image: "?ghcr\.io\/acme\/shop-web:3\.1\.4/);
  writeFileSync(join(app.dir, 'environments/values/prod.yaml'), prodBefore);
});

test('set-image --digest is refused, writing nothing, when the chart never reads the digest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-digest-'));
  try {
    mkdirSync(join(dir, 'charts', 'app', 'templates'), { recursive: true });
    mkdirSync(join(dir, 'environments', 'values'), { recursive: true });
    writeFileSync(join(dir, 'charts', 'app', 'Chart.yaml'), 'apiVersion: v2\nname: app\nversion: 0.1.0\n');
    // As `helm create` writes it: only the tag is read.
    writeFileSync(join(dir, 'charts', 'app', 'templates', 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n    - name: app\n      image: "nginx:{{ .Values.image.tag }}"\n');
    const values = 'image:\n  tag: "1.27.0"\n';
    writeFileSync(join(dir, 'environments', 'values', 'common.yaml'), values);
    writeFileSync(join(dir, 'environments', 'dev.yaml'), 'chart: charts/app\nrelease: app\nnamespace: app\nkubeVersion: "1.33"\nrepository: {url: s3://digest-charts/dev}\nvalues: [environments/values/common.yaml]\nimages: {app: image.tag}\n');
    const r = await runCli(['set-image', 'app', '1.27.1', '--digest', digest], { cwd: dir });
    assert.equal(r.exitCode, 1, r.stdout);
    assert.match(r.stderr, /does not read the image digest: rendering with --digest changes nothing for dev \(image\.digest\)\. Nothing was written/);
    assert.equal(readFileSync(join(dir, 'environments', 'values', 'common.yaml'), 'utf8'), values);
    const json = await runCli(['set-image', 'app', '1.27.1', '--digest', digest, '--output', 'json'], { cwd: dir });
    assert.equal(json.exitCode, 1);
    assert.match(`${json.stdout}${json.stderr}`, /"code": ?"DIGEST_NOT_READ"/);
    // The tag alone is fine.
    assert.equal((await runCli(['set-image', 'app', '1.27.1'], { cwd: dir })).exitCode, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('set-image refuses bad tags, bad digests and unknown services without touching files', async () => {
  const snapshot = readFileSync(join(app.dir, 'environments/values/dev.yaml'), 'utf8');
  const badTag = await runCli(['set-image', 'dev', 'api', 'v1/evil'], { cwd: app.dir });
  assert.equal(badTag.exitCode, 1);
  assert.match(badTag.stderr, /"v1\/evil" is not a valid image tag/);
  const badDigest = await runCli(['set-image', 'dev', 'api', '1.0.0', '--digest', 'md5:abc'], { cwd: app.dir });
  assert.equal(badDigest.exitCode, 1);
  assert.match(badDigest.stderr, /is not an image digest/);
  const unknown = await runCli(['set-image', 'dev', 'cart', '1.0.0'], { cwd: app.dir });
  assert.equal(unknown.exitCode, 3);
  assert.match(unknown.stderr, /Unknown service "cart" for dev\. Known services: api, web\./);
  assert.equal(readFileSync(join(app.dir, 'environments/values/dev.yaml'), 'utf8'), snapshot);
});

test('set-image --commit commits only the edited values file with a conventional message', async () => {
  const { execa } = await import('execa');
  const git = (...args: string[]) => execa('git', args, { cwd: app.dir, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' } });
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-qm', 'base');
  const r = await runCli(['set-image', 'staging', 'api', '4.5.6', '--commit', '--output', 'json'], {
    cwd: app.dir,
    env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' },
  });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(JSON.parse(r.stdout).commit, /^[0-9a-f]{40}$/);
  assert.equal((await git('log', '-1', '--format=%s')).stdout, 'chore(staging): set api image to 4.5.6');
  assert.equal((await git('show', '--name-only', '--format=', 'HEAD')).stdout.trim(), 'environments/values/staging.yaml');
  assert.equal((await git('status', '--porcelain')).stdout.trim(), '', 'nothing else left uncommitted');
  const again = await runCli(['set-image', 'staging', 'api', '4.5.6', '--commit', '--output', 'json'], { cwd: app.dir });
  assert.equal(JSON.parse(again.stdout).commit, null, 'no change, no commit');
});
