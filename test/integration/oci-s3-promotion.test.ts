import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyExampleApp, helmBinaries, runCli } from '../support/project.js';
import { isolateRepositories, startTestS3, testRepository, type TestS3 } from '../support/s3.js';
import { hasRegistry, REGISTRY_SKIP_REASON, startTestRegistry, type TestRegistry } from '../support/oci-registry.js';
import { parseChartIndex } from '../../src/core/chart-index.js';

// dev is S3, staging an OCI registry, prod S3 again: S3 → OCI and OCI → S3, the tarball's sha256 the invariant.
const skip = hasRegistry ? false : REGISTRY_SKIP_REASON;
let s3: TestS3;
let registry: TestRegistry;
let app: { dir: string; remove: () => void };
let root: string;
const cli = (args: string[]) => runCli(['--cwd', app.dir, ...args], { env: { ...s3.env, CHARTCTL_HELM: helmBinaries.helm4, CHARTCTL_ACTOR: 'mixed-tests' }, timeoutMs: 120_000 });
async function ok(args: string[]) {
  const r = await cli(args);
  assert.equal(r.exitCode, 0, `chartctl ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

before(async () => {
  if (skip) return;
  [s3, registry] = await Promise.all([startTestS3(), startTestRegistry()]);
  app = copyExampleApp();
  root = isolateRepositories(app.dir, s3);
  const file = join(app.dir, 'environments', 'staging.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/repository:\n(  .*\n)+/, `repository:\n  url: oci://${registry.host}/staging\n  plainHttp: true\n`));
});
after(async () => {
  await Promise.all([s3?.close(), registry?.close()]);
  app?.remove();
});

test('S3 → OCI → S3 promotion keeps the very same tarball, with provenance on each side', { skip }, async () => {
  const published = await ok(['publish', 'dev', '--version', '1.0.0', '--output', 'json']);
  const toOci = await ok(['promote', 'dev', 'staging', '--version', '1.0.0', '--output', 'json']);
  assert.equal(toOci.kind, 'promoted');
  assert.equal(toOci.transfer, 'stream');
  const staging = (await ok(['repo', 'list', 'staging', '--output', 'json'])).entries[0];
  assert.equal(staging.digest, published.digest);
  assert.equal(staging.provenance['chartctl.io/promoted-from'], 'dev');
  assert.equal(`sha256:${staging.provenance['chartctl.io/source-digest']}`, published.digest);

  const toS3 = await ok(['promote', 'staging', 'prod', '--version', '1.0.0', '--yes', '--output', 'json']);
  assert.equal(toS3.kind, 'promoted');
  const got = await testRepository(s3, root, 'prod').get('index.yaml');
  assert.equal(got.kind, 'found');
  const entry = parseChartIndex(new TextDecoder().decode(got.kind === 'found' ? got.body : new Uint8Array()), 'prod').entries.shop?.[0];
  assert.equal(`sha256:${entry?.digest}`, published.digest, 'prod lists the same sha256');
  assert.equal(entry?.annotations?.['chartctl.io/promoted-from'], 'staging');
  assert.equal(entry?.appVersion, (await ok(['repo', 'list', 'dev', '--output', 'json'])).entries[0].appVersion, 'the S3 entry carries the chart metadata');
  assert.equal((await ok(['repo', 'verify', 'prod', '--output', 'json'])).ok, true);
  const again = await ok(['promote', 'staging', 'prod', '--version', '1.0.0', '--yes', '--output', 'json']);
  assert.equal(again.kind, 'alreadyPromoted');
});
