/**
 * `watch` on a canary environment end to end: the real chartctl CLI, a real
 * helm (3 or 4), the local S3 server and the simulator. The watcher starts
 * each newer version's canary walk through deploy's code, leaves approve steps
 * and recorded runs to a person, and goes on once a person promotes.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import type { Simulator } from '../../src/sandbox/simulator.js';
import { cliPath, copyExampleApp, projectRoot, runCli, type CliRun } from '../support/project.js';
import { startClusterApp, type ClusterApp } from '../support/cluster-app.js';
import { withReplicasCanary } from '../support/canary-environment.js';

const NS = 'shop-dev';
type Event = Record<string, any>;

export function canaryWatchScenario(helm: string, major: 3 | 4): void {
  let cluster: ClusterApp;
  let sim: Simulator;
  let app: ReturnType<typeof copyExampleApp>;
  let env: Record<string, string>;
  let envFile: string;
  let walkOnly: string;
  /** While this file exists the smoke check fails: a canary that fails its check, switched on and off under a running watcher. */
  let failFlag: string;

  const cli = (args: string[]): Promise<CliRun> => runCli(args, { cwd: app.dir, env, timeoutMs: 120_000 });
  const ok = async (args: string[]) => {
    const r = await cli(args);
    assert.equal(r.exitCode, 0, `chartctl ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
    return r;
  };
  const events = (r: CliRun): Event[] => r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const revisions = (release: string) => sim.releases(NS, release).map((r) => `${r.version}:${r.status}`);
  const record = () => {
    const data = sim.getObject('ConfigMap', NS, 'chartctl-canary-shop')?.data?.record;
    return data ? JSON.parse(data) : undefined;
  };
  const stable = async () => JSON.parse((await ok(['status', 'dev', '--output', 'json'])).stdout).live.chartVersion;
  const runLease = () => `${sim.url}/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/chartctl-release-shop-canary-run`;
  const runLockHolder = async () => ((await (await fetch(runLease())).json()) as { spec?: { holderIdentity?: string } }).spec?.holderIdentity;
  /** Waits (observing the record) until the run of `version` is at walk index 1, step 1's pause: the weight is set, the pause has begun. */
  const pausedAt = async (version: string, child: { exitCode: number | null }, output: () => string) => {
    for (let i = 0; i < 1200 && child.exitCode === null && !(record()?.version === version && record()?.next === 1); i++) await sleep(50);
    assert.deepEqual([record()?.version, record()?.next, record()?.weight], [version, 1, 50], `the walk reached the pause:\n${output().slice(-3000)}`);
  };
  const withApproveStep = () => writeFileSync(envFile, walkOnly.replace('        - {weight: 50, pause: 10ms, checks: [smoke]}\n', '        - {weight: 50, pause: 10ms, checks: [smoke]}\n        - approve: true\n'));

  /** A long-running watcher whose JSON lines are collected as they come. */
  const startWatcher = (extraEnv: Record<string, string> = {}) => {
    const child = execa(process.execPath, [cliPath, 'watch', 'dev', '--interval', '200ms', '--output', 'json'], {
      cwd: app.dir,
      env: { ...process.env, ...env, NO_COLOR: '1', SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt'), ...extraEnv },
      extendEnv: false,
      reject: false,
      // A canary walk in flight outlasts execa's default 5 s before its SIGKILL.
      forceKillAfterDelay: false,
    });
    const lines: Event[] = [];
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => {
      for (const l of b.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
    });
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const waitFor = async (pred: (e: Event) => boolean, what: string, from = 0) => {
      for (let i = 0; i < 900 && child.exitCode === null; i++) {
        const found = lines.slice(from).find(pred);
        if (found) return found;
        await sleep(100);
      }
      assert.fail(`no ${what} event; saw ${JSON.stringify(lines.map((l) => [l.event, l.version]))}\n${stderr.slice(-3000)}`);
    };
    /** Polls seen after `from` (observed, not slept for): each had its chance to start something. */
    const pollsAfter = async (from: number, count: number) => {
      const polls = () => lines.slice(from).filter((e) => e.event === 'unchanged' || e.event === 'up-to-date').length;
      for (let i = 0; i < 600 && polls() < count && child.exitCode === null; i++) await sleep(100);
      assert.ok(polls() >= count, `still polling; saw ${JSON.stringify(lines.slice(from).map((l) => l.event))}`);
    };
    return { child, lines, waitFor, pollsAfter, stderr: () => stderr };
  };

  before(async () => {
    cluster = await startClusterApp({ name: 'canary-watch', readinessDelayMs: 50, contexts: ['dev', 'staging', 'prod'], helm, env: { CHARTCTL_ACTOR: 'canary-watch-tests' } });
    ({ sim, app, env } = cluster);
    envFile = join(app.dir, 'environments', 'dev.yaml');
    failFlag = join(app.dir, 'fail-smoke');
    const smoke = `process.exit(require("node:fs").existsSync(${JSON.stringify(failFlag)}) ? 7 : process.env.CHARTCTL_RELEASE === "shop-canary" && process.env.CHARTCTL_TRACK === "canary" ? 0 : 9)`;
    walkOnly = withReplicasCanary(readFileSync(envFile, 'utf8'), ['{weight: 50, pause: 10ms, checks: [smoke]}'], smoke);
    assert.notEqual(walkOnly, readFileSync(envFile, 'utf8'), 'the canary strategy went into dev.yaml');
    writeFileSync(envFile, walkOnly);
    await ok(['publish', 'dev', '--version', '1.0.0']);
  });
  after(async () => {
    await cluster?.close();
  });

  test(`[helm ${major}] canary watch: the first version is installed as the stable release`, async () => {
    const r = events(await ok(['watch', 'dev', '--once', '--output', 'json']));
    assert.deepEqual(r.map((e) => e.event), ['started', 'deploying', 'deployed', 'stopped'], JSON.stringify(r));
    assert.deepEqual(revisions('shop'), ['1:deployed']);
    assert.deepEqual(revisions('shop-canary'), []);
  });

  test(`[helm ${major}] canary watch: a newer version walks the canary (check against the canary, promotion); the stable version then counts as deployed`, async () => {
    await ok(['publish', 'dev', '--version', '1.0.1']);
    const first = await ok(['watch', 'dev', '--once', '--output', 'json']);
    const r = events(first);
    assert.deepEqual(r.map((e) => e.event), ['started', 'deploying', 'deployed', 'stopped'], first.stdout);
    assert.deepEqual([r[1].version, r[1].from, r[2].version, r[2].revision], ['1.0.1', '1.0.0', '1.0.1', 2]);
    // The walk deploy runs, not a rolling upgrade: the canary release, its check, then the promotion of stable.
    assert.match(first.stderr, /Canary shop-canary at weight 50%[\s\S]*Check smoke against the canary\n\s+passed[\s\S]*Promoting 1\.0\.1: upgrading stable release shop/);
    assert.deepEqual(revisions('shop'), ['1:superseded', '2:deployed']);
    assert.deepEqual(revisions('shop-canary'), [], 'the canary is removed');
    assert.equal(record(), undefined);
    const again = events(await ok(['watch', 'dev', '--once', '--output', 'json']));
    assert.deepEqual(again.map((e) => e.event), ['started', 'up-to-date', 'stopped']);
    assert.equal(again[1].deployed, '1.0.1');
  });

  test(`[helm ${major}] canary watch (long-running): a failed canary is not retried; an approve step is left waiting, reported once, never retried; a newer version waits for it; once a person promotes it the watcher goes on`, async () => {
    withApproveStep();
    const w = startWatcher();
    try {
      await w.waitFor((e) => e.event === 'up-to-date', 'up-to-date');

      writeFileSync(failFlag, '');
      await ok(['publish', 'dev', '--version', '1.0.2']);
      const failed = await w.waitFor((e) => e.event === 'deploy-failed' && e.version === '1.0.2', 'deploy-failed 1.0.2');
      assert.match(failed.reason, /check smoke failed: .*exited 7; canary removed, stable release shop untouched/);
      rmSync(failFlag);
      assert.deepEqual(revisions('shop'), ['1:superseded', '2:deployed'], 'stable untouched');
      assert.equal(record(), undefined);
      await w.pollsAfter(w.lines.indexOf(failed), 3);
      assert.equal(w.lines.filter((e) => e.event === 'deploying' && e.version === '1.0.2').length, 1, 'a failed canary is not retried');

      await ok(['publish', 'dev', '--version', '1.0.3']);
      const waiting = await w.waitFor((e) => e.event === 'canary-waiting' && e.version === '1.0.3', 'canary-waiting 1.0.3');
      assert.deepEqual([waiting.state, waiting.weight, waiting.newer, waiting.resume, waiting.abort], ['awaiting-approval', 50, null, 'chartctl deploy dev --resume --yes', 'chartctl deploy dev --abort']);
      assert.deepEqual([record()?.version, record()?.state], ['1.0.3', 'awaiting-approval']);
      assert.equal(await stable(), '1.0.1', 'the watcher did not approve the step');
      await w.pollsAfter(w.lines.indexOf(waiting), 3);
      assert.equal(w.lines.filter((e) => e.event === 'deploying' && e.version === '1.0.3').length, 1, 'the waiting run is not started again');
      assert.equal(w.lines.filter((e) => e.event === 'canary-waiting').length, 1, 'reported once');

      await ok(['publish', 'dev', '--version', '1.0.4']);
      const behind = await w.waitFor((e) => e.event === 'canary-waiting' && e.newer === '1.0.4', 'canary-waiting with 1.0.4 behind it');
      assert.equal(behind.version, '1.0.3');
      await w.pollsAfter(w.lines.indexOf(behind), 3);
      assert.equal(w.lines.filter((e) => e.event === 'deploying' && e.version === '1.0.4').length, 0, 'the newer version waits for the recorded run');
      assert.equal(w.lines.filter((e) => e.event === 'canary-waiting' && e.newer === '1.0.4').length, 1, 'reported once');
      assert.deepEqual([record()?.version, record()?.state], ['1.0.3', 'awaiting-approval'], 'the recorded run is left alone');

      const resumed = await ok(['deploy', 'dev', '--resume', '--yes']);
      assert.match(resumed.stdout, /Promoted 1\.0\.3/);
      const next = await w.waitFor((e) => e.event === 'canary-waiting' && e.version === '1.0.4', 'canary-waiting 1.0.4');
      assert.equal(next.newer, null);
      const started = w.lines.filter((e) => e.event === 'deploying' && e.version === '1.0.4');
      assert.deepEqual(started.map((e) => e.from), ['1.0.3'], 'started once the promoted version is stable');
    } finally {
      w.child.kill('SIGTERM');
    }
    const result = await w.child;
    assert.equal(result.exitCode, 143, w.stderr());
    assert.equal(w.lines.at(-1)?.event, 'stopped');
    assert.equal(w.lines.filter((e) => e.event === 'refused' || e.event === 'error').length, 0, JSON.stringify(w.lines));
  });

  test(`[helm ${major}] canary watch: SIGTERM mid-walk stops after the action in flight; the record says where; another watcher leaves it alone; --resume finishes it`, async () => {
    await ok(['deploy', 'dev', '--abort']);
    // A pause only a stop ends.
    writeFileSync(envFile, readFileSync(envFile, 'utf8').replace('pause: 10ms', 'pause: 10m'));
    await ok(['publish', 'dev', '--version', '1.0.5']);
    const w = startWatcher();
    try {
      for (let i = 0; i < 1200 && w.child.exitCode === null && !(record()?.version === '1.0.5' && record()?.next === 1); i++) await sleep(50);
      assert.deepEqual([record()?.version, record()?.next, record()?.weight], ['1.0.5', 1, 50], `the walk reached the pause:\n${w.stderr().slice(-3000)}`);
    } finally {
      w.child.kill('SIGTERM');
    }
    const result = await w.child;
    assert.equal(result.exitCode, 143, w.stderr());
    const stopped = w.lines.find((e) => e.event === 'canary-stopped');
    assert.deepEqual([stopped?.version, stopped?.next, stopped?.resume], ['1.0.5', 'step 1: pause 600s', 'chartctl deploy dev --resume'], JSON.stringify(w.lines));
    assert.equal(w.lines.at(-1)?.event, 'stopped');
    assert.deepEqual([record()?.state, record()?.next], ['running', 1], 'recorded where it stopped');
    assert.ok(record()?.stoppedAt, 'recorded as stopped on purpose: no watcher continues it');
    assert.deepEqual(revisions('shop-canary'), ['1:deployed'], 'the canary step that finished is in place');

    const other = events(await ok(['watch', 'dev', '--once', '--output', 'json']));
    assert.deepEqual(other.map((e) => e.event), ['started', 'canary-waiting', 'stopped'], JSON.stringify(other));
    assert.deepEqual([other[1].version, other[1].state, other[1].resume], ['1.0.5', 'running', 'chartctl deploy dev --resume']);
    assert.match((await ok(['watch', 'dev', '--once'])).stdout, /dev: the canary of 1\.0\.5 is recorded as running at 50% \(another job walks it, or its job was stopped or killed\); the watcher leaves it to a person: chartctl deploy dev --resume continues it once no job walks it, chartctl deploy dev --abort removes it\n/);
    assert.deepEqual([record()?.state, record()?.next], ['running', 1], 'left alone');

    writeFileSync(envFile, readFileSync(envFile, 'utf8').replace('pause: 10m', 'pause: 10ms'));
    assert.match((await ok(['deploy', 'dev', '--resume', '--yes'])).stdout, /Promoted 1\.0\.5/);
    assert.equal(existsSync(failFlag), false);
    assert.equal(await stable(), '1.0.5');
  });

  test(`[helm ${major}] canary watch: a walk another job's release lock refuses is reported as waiting (exit 0, no failure), then left to a person like any recorded run`, async () => {
    await ok(['publish', 'dev', '--version', '1.0.6']);
    // The canary release's lock, as another job holding it writes it (the walks before left it freed, with no holder).
    const lease = `${sim.url}/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/chartctl-release-shop-canary`;
    const freed = (await (await fetch(lease)).json()) as { metadata: Record<string, unknown>; spec?: Record<string, unknown> };
    assert.equal(freed.spec?.holderIdentity, undefined);
    const now = new Date().toISOString().replace(/Z$/, '000Z');
    const held = await fetch(lease, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...freed, spec: { holderIdentity: 'another-job', leaseDurationSeconds: 600, acquireTime: now, renewTime: now } }) });
    assert.equal(held.status, 200);
    try {
      const r = await ok(['watch', 'dev', '--once', '--no-wait-lock', '--output', 'json']);
      const seen = events(r);
      assert.deepEqual(seen.map((e) => e.event), ['started', 'deploying', 'waiting', 'stopped'], r.stdout);
      assert.match(seen[2].reason, /another-job/);
      const again = events(await ok(['watch', 'dev', '--once', '--no-wait-lock', '--output', 'json']));
      assert.deepEqual(again.map((e) => [e.event, e.version, e.state]), [['started', undefined, undefined], ['canary-waiting', '1.0.6', 'running'], ['stopped', undefined, undefined]], 'the run recorded before the lock refused is not walked over');
    } finally {
      await fetch(lease, { method: 'DELETE' });
    }
    assert.match((await ok(['deploy', 'dev', '--resume', '--yes'])).stdout, /Promoted 1\.0\.6/);
  });

  test(`[helm ${major}] canary watch: a watcher SIGKILLed mid-walk leaves its run and its run's lock; once the lock's lease expires, the next watcher continues the run from the record to promotion`, async () => {
    // A walk with no approve step, and a pause only a kill ends.
    writeFileSync(envFile, walkOnly.replace('pause: 10ms', 'pause: 10m'));
    await ok(['publish', 'dev', '--version', '1.0.7']);
    // A short lease: the dead watcher's lock frees itself soon after the kill.
    const killed = startWatcher({ CHARTCTL_LOCK_LEASE_SECONDS: '3' });
    try {
      await pausedAt('1.0.7', killed.child, killed.stderr);
    } finally {
      killed.child.kill('SIGKILL');
    }
    await killed.child;
    assert.deepEqual([record()?.state, record()?.startedBy, record()?.stoppedAt], ['running', 'watch', undefined], 'a killed walk records no stop');
    assert.match((await runLockHolder()) ?? '', /canary-watch-tests, host .*, pid \d+/, "the dead watcher's run lock is left held until its lease expires");
    assert.deepEqual(revisions('shop-canary'), ['1:deployed']);

    writeFileSync(envFile, walkOnly);
    const next = startWatcher();
    try {
      const continued = await next.waitFor((e) => e.event === 'canary-continued', 'canary-continued');
      assert.deepEqual([continued.version, continued.next, continued.weight], ['1.0.7', 'step 1: pause 0.01s', 50]);
      const deployed = await next.waitFor((e) => e.event === 'deployed' && e.version === '1.0.7', 'deployed 1.0.7');
      assert.ok(next.lines.indexOf(continued) < next.lines.indexOf(deployed));
      assert.equal(next.lines.filter((e) => e.event === 'deploying' && e.version === '1.0.7').length, 0, 'continued, not started over');
      // Until the lease expired (if the watcher came up that early) the run was a walk in progress: waited for, reported once.
      assert.ok(next.lines.filter((e) => e.event === 'canary-waiting').length <= 1, JSON.stringify(next.lines));
      assert.match(next.stderr(), /took over the release lock of canary-watch-tests, .*\(canary walk of shop 1\.0\.7\)/);
      assert.match(next.stderr(), /Check smoke against the canary\n\s+passed[\s\S]*Promoting 1\.0\.7: upgrading stable release shop/);
    } finally {
      next.child.kill('SIGTERM');
    }
    assert.equal((await next.child).exitCode, 143, next.stderr());
    assert.equal(await stable(), '1.0.7');
    assert.deepEqual(revisions('shop-canary'), [], 'the canary is removed');
    assert.equal(record(), undefined);
    assert.equal(await runLockHolder(), undefined, 'the run lock is freed');
    assert.equal(next.lines.filter((e) => e.event === 'refused' || e.event === 'error' || e.event === 'deploy-failed').length, 0, JSON.stringify(next.lines));
  });

  test(`[helm ${major}] canary watch: a run a deploy started, killed the same way and its run lock released, is left to a person`, async () => {
    writeFileSync(envFile, walkOnly.replace('pause: 10ms', 'pause: 10m'));
    await ok(['publish', 'dev', '--version', '1.0.8']);
    const child = execa(process.execPath, [cliPath, 'deploy', 'dev', '--version', '1.0.8', '--yes'], { cwd: app.dir, env: { ...process.env, NO_COLOR: '1', SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt'), ...env }, extendEnv: false, reject: false, forceKillAfterDelay: false });
    let output = '';
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    try {
      await pausedAt('1.0.8', child, () => output);
    } finally {
      child.kill('SIGKILL');
    }
    await child;
    assert.deepEqual([record()?.state, record()?.startedBy, record()?.stoppedAt], ['running', 'deploy', undefined]);
    // Released, so only who started the run keeps the watcher off it.
    assert.equal((await fetch(runLease(), { method: 'DELETE' })).status, 200);
    writeFileSync(envFile, walkOnly);
    const seen = events(await ok(['watch', 'dev', '--once', '--output', 'json']));
    assert.deepEqual(seen.map((e) => [e.event, e.version, e.state]), [['started', undefined, undefined], ['canary-waiting', '1.0.8', 'running'], ['stopped', undefined, undefined]]);
    assert.deepEqual([record()?.next, record()?.startedBy], [1, 'deploy'], 'left alone');
    assert.equal(await stable(), '1.0.7');
    assert.match((await ok(['deploy', 'dev', '--resume', '--yes'])).stdout, /Promoted 1\.0\.8/);
  });
}
