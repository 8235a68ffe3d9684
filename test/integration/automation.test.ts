/**
 * Continuous deployment end to end (helm 4, the local S3 server, the simulator):
 * bump rules, the repository watcher, promotion gates and freeze windows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';
import { cliPath, copyExampleApp, helmBinaries, projectRoot, runCli, type CliRun } from '../support/project.js';
import { isolateRepositories, startTestS3, type TestS3 } from '../support/s3.js';

let sim: Simulator;
let s3: TestS3;
let app: ReturnType<typeof copyExampleApp>;
let home: string;
let env: Record<string, string>;

const cli = (args: string[], extra: Record<string, string | undefined> = {}): Promise<CliRun> => runCli(args, { cwd: app.dir, env: { ...env, ...extra }, timeoutMs: 120_000 });
const ok = async (args: string[], extra: Record<string, string | undefined> = {}) => {
  const r = await cli(args, extra);
  assert.equal(r.exitCode, 0, `chartctl ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
  return r;
};
const editEnv = (name: string, edit: (t: string) => string) => {
  const file = join(app.dir, 'environments', `${name}.yaml`);
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
};
const chartYaml = () => join(app.dir, 'charts', 'shop', 'Chart.yaml');

before(async () => {
  sim = await startSimulator({ readinessDelayMs: 50 });
  s3 = await startTestS3();
  app = copyExampleApp();
  isolateRepositories(app.dir, s3);
  home = mkdtempSync(join(tmpdir(), 'chartctl-automation-'));
  writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url, { aliases: ['dev', 'staging', 'prod'] }));
  env = { ...s3.env, KUBECONFIG: join(home, 'kubeconfig'), HOME: home, CHARTCTL_HELM: helmBinaries.helm4, CHARTCTL_ACTOR: 'automation-tests' };
  for (const name of ['dev', 'staging', 'prod']) editEnv(name, (t) => t.replace(/deploy: \{timeout: 5m/, 'deploy: {timeout: 4s'));
});
after(async () => {
  await sim?.close();
  await s3?.close();
  app?.remove();
  rmSync(home, { recursive: true, force: true });
});

test('bump: patch/prerelease edit Chart.yaml in place and never go behind the first repository', async () => {
  const original = readFileSync(chartYaml(), 'utf8');
  const bumped = JSON.parse((await ok(['bump', 'patch', '--output', 'json'])).stdout);
  assert.deepEqual([bumped.from, bumped.to], ['1.0.0', '1.0.1']);
  assert.deepEqual(bumped.checked, { env: 'dev', repository: bumped.checked.repository, newest: null });
  assert.equal(readFileSync(chartYaml(), 'utf8'), original.replace('version: 1.0.0', 'version: 1.0.1'), 'only the version moved; comments kept');
  const pre = JSON.parse((await ok(['bump', 'prerelease', '--preid', 'rc', '--output', 'json'])).stdout);
  assert.equal(pre.to, '1.0.2-rc.0');
  await ok(['publish', 'dev']);
  writeFileSync(chartYaml(), original);
  const back = await cli(['bump', 'patch']);
  assert.equal(back.exitCode, 1);
  assert.match(back.stderr, /Bumping shop 1\.0\.0 → 1\.0\.1 would go backwards: the dev repository \(s3:\/\/.*\/dev\) already holds 1\.0\.2-rc\.0/);
  assert.equal(readFileSync(chartYaml(), 'utf8'), original, 'a refused bump leaves Chart.yaml alone');
  await ok(['bump', 'minor']);
  assert.match(readFileSync(chartYaml(), 'utf8'), /^version: 1\.1\.0$/m);
});

test('watch --once deploys each new version exactly once, then reports up to date', async () => {
  const first = await ok(['watch', 'dev', '--once', '--output', 'json']);
  const events = first.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => e.event), ['started', 'deploying', 'deployed', 'stopped']);
  assert.equal(events[1].version, '1.0.2-rc.0', 'dev accepts prereleases');
  const again = await ok(['watch', 'dev', '--once', '--output', 'json']);
  assert.deepEqual(again.stdout.trim().split('\n').map((l) => JSON.parse(l).event), ['started', 'up-to-date', 'stopped']);
  const history = JSON.parse((await ok(['history', 'dev', '--output', 'json'])).stdout).revisions;
  assert.equal(history.length, 1, 'deployed once');
});

test('watch (long-running) deploys a new version, rolls back a bad one, does not retry it, stops cleanly on SIGTERM', async () => {
  const child = execa(process.execPath, [cliPath, 'watch', 'dev', '--interval', '300ms', '--output', 'json'], {
    cwd: app.dir,
    env: { ...process.env, ...env, NO_COLOR: '1', SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt') },
    extendEnv: false,
    reject: false,
    // The deploy in flight may take longer than execa's default 5 s before its SIGKILL.
    forceKillAfterDelay: false,
  });
  const lines: any[] = [];
  child.stdout!.on('data', (b: Buffer) => {
    for (const l of b.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
  });
  const waitFor = async (pred: (e: any) => boolean, what: string) => {
    for (let i = 0; i < 300; i++) {
      if (lines.some(pred)) return;
      await sleep(100);
    }
    assert.fail(`no ${what} event; saw ${JSON.stringify(lines.map((l) => l.event))}`);
  };
  try {
    await waitFor((e) => e.event === 'up-to-date', 'up-to-date');
    await ok(['publish', 'dev', '--version', '1.1.0-dev.1']);
    await waitFor((e) => e.event === 'deployed' && e.version === '1.1.0-dev.1', 'deployed 1.1.0-dev.1');
    sim.injectFault('shop-dev/Pod/shop-test-connection', 'fail');
    await ok(['publish', 'dev', '--version', '1.1.0-dev.2']);
    await waitFor((e) => e.event === 'rolled-back' && e.version === '1.1.0-dev.2', 'rolled-back 1.1.0-dev.2');
    sim.injectFault('shop-dev/Pod/shop-test-connection', 'clear');
    // Three more polls after the rollback (observed, not slept for) had their chance to retry it.
    const polls = lines.length;
    const pollsSince = () => lines.slice(polls).filter((e) => e.event === 'unchanged' || e.event === 'up-to-date').length;
    for (let i = 0; i < 300 && pollsSince() < 3; i++) await sleep(100);
    assert.ok(pollsSince() >= 3, `still polling after the rollback; saw ${JSON.stringify(lines.slice(polls).map((l) => l.event))}`);
    assert.equal(lines.filter((e) => e.event === 'deploying' && e.version === '1.1.0-dev.2').length, 1, 'a failed version is not retried');
  } finally {
    child.kill('SIGTERM');
  }
  const result = await child;
  assert.equal(result.exitCode, 143);
  assert.equal(lines.at(-1).event, 'stopped');
  assert.equal(lines.filter((e) => e.event === 'deploying').length, 2, 'one deploy per new version');
  const head = JSON.parse((await ok(['history', 'dev', '--output', 'json'])).stdout).revisions[0];
  assert.equal(head.status, 'deployed');
  assert.equal(head.chartVersion, '1.1.0-dev.1');
});

test('gates: prereleases refused where not allowed; requireDeployedIn; approval in CI needs an actor', async () => {
  editEnv('prod', (t) => t.replace('promotion: {from: staging,', 'promotion: {from: staging, requireDeployedIn: staging,'));
  await ok(['publish', 'dev', '--version', '1.2.0']);
  await ok(['promote', 'dev', 'staging', '--version', '1.2.0']);
  const pre = await cli(['promote', 'dev', 'staging', '--version', '1.1.0-dev.1']);
  assert.equal(pre.exitCode, 1);
  assert.match(pre.stderr, /prerelease/);
  const notYet = await cli(['promote', 'staging', 'prod', '--version', '1.2.0', '--yes']);
  assert.equal(notYet.exitCode, 1);
  assert.match(notYet.stderr, /has not been deployed and tested successfully in staging, which prod requires/);
  await ok(['deploy', 'staging', '--yes', '--version', '1.2.0']);
  const ci = await cli(['promote', 'staging', 'prod', '--version', '1.2.0', '--yes'], { CI: 'true', CHARTCTL_ACTOR: undefined });
  assert.equal(ci.exitCode, 1);
  assert.match(ci.stderr, /CHARTCTL_ACTOR/);
  await ok(['promote', 'staging', 'prod', '--version', '1.2.0', '--yes'], { CI: 'true', CHARTCTL_ACTOR: 'alice' });
  const noTty = await cli(['deploy', 'prod', '--version', '1.2.0']);
  assert.equal(noTty.exitCode, 1);
  assert.match(noTty.stderr, /not confirmed/);
  await ok(['deploy', 'prod', '--version', '1.2.0', '--yes'], { CI: 'true', CHARTCTL_ACTOR: 'alice' });
  const head = JSON.parse((await ok(['history', 'prod', '--output', 'json'])).stdout).revisions[0];
  assert.equal(head.provenance.actor, 'alice');
});

test('freeze windows refuse deploys unless overridden with a reason, which is recorded', async () => {
  const now = Date.now();
  const from = new Date(now - 3_600_000).toISOString();
  const to = new Date(now + 3_600_000).toISOString();
  editEnv('staging', (t) => `${t}freeze: [{from: "${from}", to: "${to}", reason: "holiday freeze"}]\n`);
  // A change to deploy: a new version, which carries staging's new tag (the working tree alone changes nothing).
  await ok(['set-image', '--only-env', 'staging', 'api', '1.2.1']);
  await ok(['publish', 'dev', '--version', '1.2.1']);
  await ok(['promote', 'dev', 'staging', '--version', '1.2.1']);
  const frozen = await cli(['deploy', 'staging', '--yes', '--version', '1.2.1']);
  assert.equal(frozen.exitCode, 1);
  assert.match(frozen.stderr, /staging is frozen from .* \(holiday freeze\): deploys are refused/);
  const noReason = await cli(['deploy', 'staging', '--yes', '--version', '1.2.1', '--override-freeze']);
  assert.equal(noReason.exitCode, 1);
  assert.match(noReason.stderr, /--override-freeze needs --reason/);
  await ok(['deploy', 'staging', '--yes', '--version', '1.2.1', '--override-freeze', '--reason', 'hotfix INC-42']);
  const head = JSON.parse((await ok(['history', 'staging', '--output', 'json'])).stdout).revisions[0];
  assert.equal(head.provenance.freezeOverride, 'hotfix INC-42');
});
