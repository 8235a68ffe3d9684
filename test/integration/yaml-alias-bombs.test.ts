import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyExampleApp, runCli, type CliRun } from '../support/project.js';
import { isolateRepositories, startTestS3, testRepository, type TestS3 } from '../support/s3.js';
import { billionLaughs } from '../support/yaml-bombs.js';

// Before the alias check these commands grew to gigabytes or spun for minutes. The heap cap and the
// timeout make such a run fail quickly (crash or kill) instead of taking the machine with it.
const BOUNDS = { timeoutMs: 60_000, env: { NODE_OPTIONS: '--max-old-space-size=512' } };

let s3: TestS3;
let app: { dir: string; remove: () => void };
let root: string;
const cli = (args: string[]) => runCli(['--cwd', app.dir, ...args], { ...BOUNDS, env: { ...s3.env, ...BOUNDS.env } });

before(async () => {
  s3 = await startTestS3();
  app = copyExampleApp();
  root = isolateRepositories(app.dir, s3);
});
after(async () => {
  app?.remove();
  await s3?.close();
});

function assertRefused(r: CliRun, where: string): void {
  assert.equal(r.exitCode, 1, r.stderr);
  assert.ok(r.stderr.includes(`error: ${where}:`), r.stderr);
  assert.match(r.stderr, /refused: excessive aliasing/);
  assert.match(r.stderr, /^hint: /m);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
}

function withFile(rel: string, edit: (text: string) => string): () => void {
  const path = join(app.dir, rel);
  const original = readFileSync(path, 'utf8');
  writeFileSync(path, edit(original));
  return () => writeFileSync(path, original);
}

test('a billion-laughs values file in an environment: template and lint exit 1 naming the file', async () => {
  const restore = withFile('environments/values/dev.yaml', (t) => `${t}\n${billionLaughs(9)}`);
  try {
    assertRefused(await cli(['template', 'dev']), 'environments/values/dev.yaml');
    const lint = await cli(['lint', 'dev']);
    assert.equal(lint.exitCode, 1, lint.stderr);
    assert.match(`${lint.stdout}${lint.stderr}`, /environments\/values\/dev\.yaml:\d+:\d+: refused: excessive aliasing/);
  } finally {
    restore();
  }
});

test('a billion-laughs environment file: envs exits 1 naming the file', async () => {
  const restore = withFile('environments/staging.yaml', (t) => `${t}\n${billionLaughs(9)}`);
  try {
    assertRefused(await cli(['envs']), 'environments/staging.yaml');
  } finally {
    restore();
  }
});

test('an alias bomb in a sops file: secrets decrypt exits 1 naming the file', async () => {
  const restore = withFile('environments/secrets/dev.yaml', (t) => `${billionLaughs(9)}${t}`);
  try {
    const r = await runCli(['--cwd', app.dir, 'secrets', 'decrypt', '--force', 'environments/secrets/dev.yaml'], BOUNDS);
    assertRefused(r, 'environments/secrets/dev.yaml');
  } finally {
    restore();
  }
});

const entry = `  - apiVersion: v2\n    created: "2026-01-01T00:00:00Z"\n    digest: ${'ab'.repeat(32)}\n    name: shop\n    urls:\n    - shop-0.9.0.tgz\n    version: 0.9.0\n`;

async function putBombIndex(env: string): Promise<{ index: string; where: string }> {
  const index = `apiVersion: v1\n${billionLaughs(9)}entries:\n  shop:\n${entry}generated: "2026-01-01T00:00:00Z"\n`;
  await testRepository(s3, root, env).put('index.yaml', new TextEncoder().encode(index));
  return { index, where: `s3://${s3.bucket}/${root}/${env}/index.yaml` };
}

test('an index.yaml with anchors in top-level keys: repo list exits 1 naming index.yaml', async () => {
  const { where } = await putBombIndex('dev');
  assertRefused(await cli(['repo', 'list', 'dev']), where);
});

test('an index.yaml with anchors in top-level keys: publish exits 1 naming index.yaml and leaves it as it was', async () => {
  const { index, where } = await putBombIndex('prod');
  assertRefused(await cli(['publish', 'prod']), where);
  const got = await testRepository(s3, root, 'prod').get('index.yaml');
  assert.equal(got.kind === 'found' && new TextDecoder().decode(got.body), index);
});

test('an index.yaml with anchors in one entry\'s annotations: repo list exits 1 naming index.yaml', async () => {
  const repository = testRepository(s3, root, 'staging');
  const annotated = entry.replace('    name: shop\n', `    annotations:\n${billionLaughs(9, '      ')}    name: shop\n`);
  await repository.put('index.yaml', new TextEncoder().encode(`apiVersion: v1\nentries:\n  shop:\n${annotated}generated: "2026-01-01T00:00:00Z"\n`));
  assertRefused(await cli(['repo', 'list', 'staging']), `s3://${s3.bucket}/${root}/staging/index.yaml`);
});
