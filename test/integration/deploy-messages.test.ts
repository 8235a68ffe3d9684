/**
 * Messages of deploy that pointed the wrong way (issue #19): the real CLI, real helm 4,
 * the local S3 server and the Kubernetes simulator, on the bundled example.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startClusterApp, type ClusterApp } from '../support/cluster-app.js';

let cluster: ClusterApp;

const cli = (args: string[]) => cluster.cli(args);

before(async () => {
  // Schemas cannot be fetched: the default location is an address nothing listens on.
  cluster = await startClusterApp({ name: 'deploy-messages', readinessDelayMs: 20, contexts: ['dev', 'staging', 'prod'], env: { CHARTCTL_SCHEMA_BASE_URL: 'http://127.0.0.1:1/schemas' } });
  cluster.env.XDG_CACHE_HOME = join(cluster.home, 'cache');
});
after(() => cluster?.close());

test('deploy to an environment without requireApproval, no terminal: asks for --yes without claiming approval is required', async () => {
  const r = await cli(['deploy', 'dev', '--local']);
  assert.equal(r.exitCode, 1, r.stdout);
  assert.match(r.stderr, /error: Deploy to dev not confirmed: it needs a confirmation and there is no terminal to ask: pass --yes\./);
  assert.doesNotMatch(r.stderr, /requires approval/);
});

test('deploy in text mode says when schemas were unavailable, as --output json does', async () => {
  const r = await cli(['deploy', 'dev', '--local', '--dry-run']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /^warning: dev: schemas unavailable, \d+ resources not schema-checked: /m);
  assert.match(r.stdout, /Dry run: nothing was changed/);
});

test('a version missing from the first environment: publish it there, not "promote it to dev first"', async () => {
  const published = await cli(['publish', 'dev', '--version', '1.0.0']);
  assert.equal(published.exitCode, 0, published.stderr);
  const r = await cli(['deploy', 'dev', '--version', '9.9.9', '--dry-run']);
  assert.equal(r.exitCode, 3, r.stderr);
  assert.match(r.stderr, /hint: Publish it to dev first \(chartctl publish dev --version 9\.9\.9\), or pick one of the versions listed\./);
  assert.doesNotMatch(r.stderr, /Promote it to dev/);
});
