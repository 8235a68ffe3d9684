/**
 * chartctl init end to end: the real CLI in an empty directory, then lint with real
 * helm 4, a second init that keeps everything, publish + deploy of the first
 * environment on the local S3 server and the Kubernetes simulator, and adopting
 * the deployed release with --from-helm-release.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { CI_ACTOR_VARIABLES } from '../../src/core/actor.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';
import { fixtureDefinitions } from '../support/kube-schema-fixture.js';
import { helmBinaries, runCli, type CliRun } from '../support/project.js';
import { startTestS3, type TestS3 } from '../support/s3.js';

let sim: Simulator;
let s3: TestS3;
let home: string;
let app: string;
let env: Record<string, string | undefined>;

const cli = (args: string[], cwd = app): Promise<CliRun> => runCli(args, { cwd, env, timeoutMs: 120_000 });
const ok = async (args: string[], cwd = app) => {
  const r = await cli(args, cwd);
  assert.equal(r.exitCode, 0, `chartctl ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
  return r;
};
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
const snapshot = (dir: string) => new Map(filesUnder(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
const keyFile = () => join(home, 'config', 'sops', 'age', 'keys.txt');

before(async () => {
  sim = await startSimulator({ readinessDelayMs: 50 });
  s3 = await startTestS3();
  home = mkdtempSync(join(tmpdir(), 'chartctl-init-'));
  app = join(home, 'shop');
  mkdirSync(app);
  execFileSync('git', ['init', '-q', app]);
  const schemas = join(home, 'definitions.json');
  writeFileSync(schemas, JSON.stringify(fixtureDefinitions));
  writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url));
  env = {
    ...s3.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    // No key of the test run's own: init must generate one in the default location.
    SOPS_AGE_KEY_FILE: undefined,
    SOPS_AGE_KEY: undefined,
    KUBECONFIG: join(home, 'kubeconfig'),
    CHARTCTL_HELM: helmBinaries.helm4,
    CHARTCTL_SCHEMA_LOCATION: schemas,
  };
});
after(async () => {
  await sim?.close();
  await s3?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('init in an empty directory writes a repository, generates the age key (0600 in 0700) without printing it, and lint passes', async () => {
  const root = `t-init-${Date.now().toString(36)}`;
  const r = await ok(['init', '--repository', `s3://${s3.bucket}/${root}`, '--ci', 'github']);
  const files = filesUnder(app).filter((f) => !f.startsWith('.git/') || f === '.git/hooks/pre-commit');
  for (const f of ['environments/dev.yaml', 'environments/staging.yaml', 'environments/prod.yaml', 'environments/values/common.yaml', 'environments/values/dev.yaml', 'environments/secrets/dev.yaml', '.sops.yaml', '.gitignore', '.git/hooks/pre-commit', '.github/workflows/chartctl.yml', 'charts/shop/Chart.yaml']) {
    assert.ok(files.includes(f), `${f} written (have ${files.join(', ')})`);
  }
  assert.match(readFileSync(join(app, '.gitignore'), 'utf8'), /^\.chartctl\/\ncharts\/\*\/charts\/\*\.tgz$/m);
  assert.equal(statSync(keyFile()).mode & 0o777, 0o600);
  assert.equal(statSync(join(home, 'config', 'sops', 'age')).mode & 0o777, 0o700);
  const identity = readFileSync(keyFile(), 'utf8').match(/AGE-SECRET-KEY-1[0-9A-Z]+/)?.[0];
  assert.ok(identity, 'an identity in the default key file');
  assert.ok(!(r.stdout + r.stderr).includes('AGE-SECRET-KEY'), 'the secret key is never printed');
  assert.ok(r.stdout.includes(keyFile()) && /Back it up/.test(r.stdout), r.stdout);
  assert.match(readFileSync(join(app, '.sops.yaml'), 'utf8'), /age: age1[0-9a-z]+/);
  assert.match(readFileSync(join(app, 'environments', 'secrets', 'dev.yaml'), 'utf8'), /ENC\[AES256_GCM/);
  assert.equal(statSync(join(app, '.git', 'hooks', 'pre-commit')).mode & 0o111, 0o111, 'the hook is executable');

  await ok(['secrets', 'check']);
  const lint = await ok(['lint', '--output', 'json']);
  const report = JSON.parse(lint.stdout);
  assert.equal(report.ok, true);
  assert.deepEqual(report.environments.map((e: { env: string; counts: { error: number; warning: number } }) => [e.env, e.counts.error, e.counts.warning]), [['dev', 0, 0], ['prod', 0, 0], ['staging', 0, 0]], JSON.stringify(report.environments.map((e: { findings: unknown }) => e.findings)));
});

test('init a second time keeps every file and says which', async () => {
  const before = snapshot(app);
  const keyBefore = readFileSync(keyFile(), 'utf8');
  const r = await ok(['init', '--ci', 'github']);
  assert.doesNotMatch(r.stdout, /wrote|added/);
  for (const f of ['environments/dev.yaml', '.sops.yaml', 'environments/secrets/prod.yaml', '.git/hooks/pre-commit', '.github/workflows/chartctl.yml', 'charts/shop/values.yaml']) {
    assert.match(r.stdout, new RegExp(`kept +${f.replace(/[.*/]/g, '\\$&')} \\(exists\\)`), r.stdout);
  }
  assert.match(r.stdout, /kept +\.gitignore \(already lists the entries\)/);
  assert.deepEqual(snapshot(app), before, 'no file changed');
  assert.equal(readFileSync(keyFile(), 'utf8'), keyBefore, 'no second key');
});

test('init -> publish -> deploy the first environment on the sandbox; then --from-helm-release adopts the live release', async () => {
  writeFileSync(join(app, 'environments', 'values', 'dev.yaml'), 'replicaCount: 2\n');
  await ok(['publish', 'dev', '--version', '0.1.0']);
  const deploy = JSON.parse((await ok(['deploy', 'dev', '--yes', '--output', 'json'])).stdout);
  assert.equal(deploy.outcome.kind, 'deployed', JSON.stringify(deploy.outcome));
  assert.equal(sim.getObject('Deployment', 'shop-dev', 'shop')?.spec.replicas, 2);

  const adopter = join(home, 'adopted');
  mkdirSync(adopter);
  const r = await ok(['init', '--from-helm-release', 'shop', '--namespace', 'shop-dev', '--envs', 'dev,prod'], adopter);
  assert.match(r.stdout, /Adopted release shop \(namespace shop-dev, revision 1, chart shop 0\.1\.0\)/);
  assert.match(readFileSync(join(adopter, 'environments', 'values', 'dev.yaml'), 'utf8'), /^replicaCount: 2$/m);
  assert.match(readFileSync(join(adopter, 'environments', 'dev.yaml'), 'utf8'), /^namespace: shop-dev /m);
  const missing = await cli(['init', '--from-helm-release', 'nope', '--namespace', 'shop-dev'], adopter);
  assert.equal(missing.exitCode, 1);
  assert.match(missing.stderr, /INIT_RELEASE_NOT_FOUND|Cannot read the helm release nope in namespace shop-dev/);
});

test('in CI without CHARTCTL_ACTOR, GITHUB_ACTOR approves a promotion and a deploy, recorded as such; with no CI user it is refused', async () => {
  // No actor of the machine running the tests either.
  const ci = { ...env, ...Object.fromEntries(CI_ACTOR_VARIABLES.map((v) => [v, undefined])), CI: 'true', CHARTCTL_ACTOR: undefined };
  const run = (args: string[], extra: Record<string, string | undefined>) => runCli(args, { cwd: app, env: { ...ci, ...extra }, timeoutMs: 120_000 });
  await ok(['promote', 'dev', 'staging', '--version', '0.1.0']);
  const refused = await run(['promote', 'staging', 'prod', '--version', '0.1.0', '--yes'], {});
  assert.equal(refused.exitCode, 1, refused.stderr);
  assert.match(refused.stderr, /in CI, --yes must come with CHARTCTL_ACTOR/);
  const promoted = await run(['promote', 'staging', 'prod', '--version', '0.1.0', '--yes'], { GITHUB_ACTOR: 'octocat' });
  assert.equal(promoted.exitCode, 0, promoted.stderr);
  const deployed = await run(['deploy', 'prod', '--yes', '--output', 'json'], { GITLAB_USER_LOGIN: 'maria' });
  assert.equal(deployed.exitCode, 0, deployed.stderr);
  const history = JSON.parse((await ok(['history', 'prod', '--output', 'json'])).stdout);
  assert.equal(history.revisions[0].provenance.actor, 'maria (GITLAB_USER_LOGIN)');
});

test('init refuses bad options before writing anything', async () => {
  const empty = mkdtempSync(join(home, 'refused-'));
  for (const [args, code] of [
    [['--envs', 'dev,Prod'], 'INIT_BAD_ENVS'],
    [['--envs', 'dev,dev'], 'INIT_BAD_ENVS'],
    [['--chart', home], 'INIT_BAD_CHART'],
    [['--namespace', 'shop'], 'INIT_BAD_OPTIONS'],
    [['--repository', 'https://charts.example.com'], 'INIT_BAD_OPTIONS'],
  ] as const) {
    const r = await cli(['init', ...args, '--output', 'json'], empty);
    assert.equal(r.exitCode, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(JSON.parse(r.stdout || r.stderr).error.code, code, r.stdout + r.stderr);
  }
  assert.deepEqual(readdirSync(empty), [], 'nothing written');
});
