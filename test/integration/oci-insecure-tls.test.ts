import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleApp, runCli } from '../support/project.js';
import { hasRegistry, REGISTRY_SKIP_REASON, startTestRegistry, type TestRegistry } from '../support/oci-registry.js';

const skip = hasRegistry ? false : REGISTRY_SKIP_REASON;
let registry: TestRegistry;
let app: { dir: string; remove: () => void };
let home: string;

function pointAt(name: string, repository: string): void {
  const file = join(app.dir, 'environments', `${name}.yaml`);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/repository:\n(  .*\n)+/, `repository:\n${repository}`));
}
const cli = (args: string[]) => runCli(['--cwd', app.dir, ...args], { env: { HOME: home, CHARTCTL_ACTOR: 'tls-tests' }, timeoutMs: 120_000 });

before(async () => {
  if (skip) return;
  home = mkdtempSync(join(tmpdir(), 'chartctl-oci-tls-'));
  const certFile = join(home, 'registry.crt');
  const keyFile = join(home, 'registry.key');
  // A certificate no CA vouches for, valid for the loopback address the registry listens on.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  registry = await startTestRegistry({ tls: { certFile, keyFile } });
  app = copyExampleApp();
  pointAt('dev', `  url: oci://${registry.host}/dev\n  insecure: true\n`);
  pointAt('staging', `  url: oci://${registry.host}/staging\n`);
});

after(async () => {
  if (skip) return;
  await registry.close();
  app.remove();
  rmSync(home, { recursive: true, force: true });
});

test('insecure: true publishes to a TLS registry whose certificate does not verify; repo list reads it back', { skip }, async () => {
  const published = await cli(['publish', 'dev', '--version', '3.0.0', '--output', 'json']);
  assert.equal(published.exitCode, 0, published.stderr);
  assert.equal(JSON.parse(published.stdout).outcome, 'published');
  const listed = await cli(['repo', 'list', 'dev', '--output', 'json']);
  assert.equal(listed.exitCode, 0, listed.stderr);
  assert.match(listed.stdout, /"3\.0\.0"/);
  assert.ok(registry.requests().some((line) => /"PUT \/v2\/dev\/shop\/manifests\/3\.0\.0 /.test(line)), 'the manifest went to the TLS registry');
});

test('without insecure, the same registry is refused and the error says the certificate does not verify', { skip }, async () => {
  const r = await cli(['publish', 'staging', '--version', '3.0.1']);
  assert.notEqual(r.exitCode, 0);
  assert.match(r.stderr, /Cannot reach the staging registry .*SELF_SIGNED_CERT/);
  assert.match(r.stderr, /TLS certificate does not verify/);
  assert.match(r.stderr, /insecure: true/);
  assert.ok(!registry.requests().some((line) => /\/v2\/staging\//.test(line)), 'no request reached the registry over an unverified connection');
});
