import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { copyExampleApp, helmBinaries, runCli } from '../support/project.js';
import { hasRegistry, REGISTRY_SKIP_REASON, startTestRegistry, type TestRegistry } from '../support/oci-registry.js';
import { startTokenServer, type TokenServer } from '../support/registry-token-server.js';

const skip = hasRegistry ? false : REGISTRY_SKIP_REASON;
const PASSWORD = 's3cr3t-Pa55word-never-shown';
let tokens: TokenServer;
let registry: TestRegistry;
let app: { dir: string; remove: () => void };
let home: string;

const cli = (args: string[], extra: Record<string, string> = {}) => runCli(['--cwd', app.dir, ...args], { env: { HOME: home, CHARTCTL_HELM: helmBinaries.helm4, ...extra }, timeoutMs: 120_000 });
const helmConfig = () => join(home, '.config', 'helm', 'registry', 'config.json');

before(async () => {
  if (skip) return;
  tokens = await startTokenServer({ ci: PASSWORD });
  registry = await startTestRegistry({ auth: tokens });
  app = copyExampleApp();
  home = mkdtempSync(join(tmpdir(), 'chartctl-oci-auth-'));
  const file = join(app.dir, 'environments', 'dev.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/repository:\n(  .*\n)+/, `repository:\n  url: oci://${registry.host}/dev\n  plainHttp: true\n`));
});
after(async () => {
  await registry?.close();
  await tokens?.close();
  app?.remove();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('without credentials: 401 says which credential sources were tried', { skip }, async () => {
  const r = await cli(['publish', 'dev', '--version', '1.0.0']);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /refused to authenticate \(HTTP 401/);
  assert.match(r.stderr, /no credential \(looked in: helm registry config \([^)]*config\.json\); docker config/);
  assert.match(r.stderr, /helm registry login 127\.0\.0\.1:\d+/);
});

test('helm registry login credentials: bearer-token flow for publish, list and helm pull; wrong password never shown', { skip }, async () => {
  const login = await execa(helmBinaries.helm4, ['registry', 'login', registry.host, '--username', 'ci', '--password-stdin', '--plain-http'], { input: PASSWORD, env: { HOME: home, PATH: process.env.PATH ?? '' }, reject: false });
  assert.equal(login.exitCode, 0, login.stderr);
  const published = await cli(['publish', 'dev', '--version', '1.0.0', '--output', 'json', '--verbose']);
  assert.equal(published.exitCode, 0, published.stderr);
  assert.equal(JSON.parse(published.stdout).outcome, 'published');
  assert.ok(!published.stderr.includes(PASSWORD) && !published.stdout.includes(PASSWORD), 'the password is never printed, even with --verbose');
  assert.ok(tokens.requests.some((t) => t.user === 'ci' && t.scopes.includes('repository:dev/shop:pull,push')), 'a push token was asked for with the login');
  const listed = await cli(['repo', 'list', 'dev', '--output', 'json']);
  assert.equal(listed.exitCode, 0, listed.stderr);
  assert.equal(JSON.parse(listed.stdout).entries[0].version, '1.0.0');
  const out = mkdtempSync(join(tmpdir(), 'chartctl-oci-auth-pull-'));
  const pulled = await execa(helmBinaries.helm4, ['pull', `oci://${registry.host}/dev/shop`, '--version', '1.0.0', '--plain-http', '-d', out], { env: { HOME: home, PATH: process.env.PATH ?? '' }, reject: false });
  rmSync(out, { recursive: true, force: true });
  assert.equal(pulled.exitCode, 0, pulled.stderr);
  assert.match(pulled.stdout + pulled.stderr, new RegExp(JSON.parse(published.stdout).manifestDigest));

  const saved = readFileSync(helmConfig(), 'utf8');
  const wrong = JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('ci:wrong-password-xyz').toString('base64') } } });
  writeFileSync(helmConfig(), wrong);
  try {
    const denied = await cli(['repo', 'list', 'dev']);
    assert.equal(denied.exitCode, 1);
    assert.match(denied.stderr, /chartctl used the credential from helm registry config/);
    assert.ok(!denied.stderr.includes('wrong-password-xyz'));
  } finally {
    writeFileSync(helmConfig(), saved);
  }
});

test('docker config.json with a credential helper (docker-credential-*)', { skip }, async () => {
  const bin = join(home, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'docker-credential-chartctltest'), `#!/bin/sh\nread host\n[ "$host" = "${registry.host}" ] && printf '{"Username":"ci","Secret":"${PASSWORD}"}' && exit 0\nexit 1\n`, { mode: 0o755 });
  const dockerDir = join(home, 'docker');
  mkdirSync(dockerDir, { recursive: true });
  writeFileSync(join(dockerDir, 'config.json'), JSON.stringify({ credHelpers: { [registry.host]: 'chartctltest' } }));
  const r = await cli(['repo', 'list', 'dev', '--output', 'json'], { HELM_REGISTRY_CONFIG: join(home, 'none.json'), DOCKER_CONFIG: dockerDir, PATH: `${bin}:${process.env.PATH}` });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).entries[0].version, '1.0.0');
});
