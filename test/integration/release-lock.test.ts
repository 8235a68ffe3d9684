/**
 * The release lock with the real chartctl CLI, real helm 3 and 4, the local S3
 * server and the Kubernetes simulator (which serves the Leases): concurrent
 * deploys run one after another, a rollback waits for a deploy in flight, and
 * a job SIGKILLed at random points leaves a release the next job can deploy.
 * Every wait polls observable state (the simulator's releases and Leases, the
 * children of a process, a line on stderr); none is a fixed sleep.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';
import { cliPath, copyExampleApp, helmBinaries, projectRoot, runCli } from '../support/project.js';
import { isolateRepositories, startTestS3, type TestS3 } from '../support/s3.js';
import { seededRandom } from '../support/seeded-random.js';

const VERSIONS = ['1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5'];
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** Pids of the processes whose parent is `pid` (procps `ps --ppid`). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' }).split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when no process matched
  }
}

const chartVersion = (r: { record: Record<string, any> }): string => r.record.chart?.metadata?.version;

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls `condition` every 25 ms until it holds, or fails after `limitMs` naming `what`. */
async function until(what: string, condition: () => boolean, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const major of [4, 3] as const) {
  describe(`[helm ${major}] release lock`, () => {
    const helm = major === 4 ? helmBinaries.helm4 : helmBinaries.helm3;
    let sim: Simulator;
    let s3: TestS3;
    let app: ReturnType<typeof copyExampleApp>;
    let home: string;
    let env: Record<string, string>;
    const envFile = () => join(app.dir, 'environments', 'dev.yaml');

    const cli = (args: string[]) => runCli(args, { cwd: app.dir, env, timeoutMs: 180_000 });
    const ok = async (args: string[]) => {
      const r = await cli(args);
      assert.equal(r.exitCode, 0, `chartctl ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
      return r;
    };
    const start = (args: string[]): ResultPromise =>
      execa(process.execPath, [cliPath, ...args], {
        cwd: app.dir,
        env: { ...process.env, NO_COLOR: '1', SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt'), ...env },
        extendEnv: false,
        reject: false,
        timeout: 170_000,
        forceKillAfterDelay: false,
      });
    const revisions = () => sim.releases('shop-dev', 'shop');
    const lease = () => sim.getObject('Lease', 'shop-dev', 'chartctl-release-shop');
    const setRecoverStuck = (on: boolean) => writeFileSync(envFile(), readFileSync(envFile(), 'utf8').replace(/, recoverStuck: (true|false)/, '').replace('historyMax: 50}', `historyMax: 50, recoverStuck: ${on}}`));

    before(async () => {
      sim = await startSimulator({ readinessDelayMs: 300 });
      s3 = await startTestS3();
      app = copyExampleApp();
      isolateRepositories(app.dir, s3);
      home = mkdtempSync(join(tmpdir(), 'chartctl-lock-'));
      writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url, { aliases: ['dev', 'staging', 'prod'] }));
      // The default 30 s Lease: on this loaded machine a 1 s one can lapse while its holder is busy rendering.
      env = { ...s3.env, KUBECONFIG: join(home, 'kubeconfig'), HOME: home, CHARTCTL_HELM: helm, CHARTCTL_ACTOR: 'lock-tests', CHARTCTL_HEARTBEAT_INTERVAL: '500ms' };
      // historyMax 5 would prune the revisions the concurrency test counts.
      writeFileSync(envFile(), readFileSync(envFile(), 'utf8').replace('historyMax: 5}', 'historyMax: 50}'));
      for (const v of ['1.0.0', ...VERSIONS]) await ok(['publish', 'dev', '--version', v]);
      await ok(['deploy', 'dev', '--yes', '--version', '1.0.0', '--no-tests']);
    });
    after(async () => {
      await sim?.close();
      await s3?.close();
      app?.remove();
      rmSync(home, { recursive: true, force: true });
    });

    test('5 deploys of different versions started at once run one after another; each ends deployed, none pending', async () => {
      const before = revisions().length;
      const runs = await Promise.all(VERSIONS.map((v) => start(['deploy', 'dev', '--yes', '--no-tests', '--version', v, '--output', 'json'])));
      const results = runs.map((r, i) => ({ version: VERSIONS[i]!, exitCode: r.exitCode, out: JSON.parse(String(r.stdout)), stderr: String(r.stderr) }));
      for (const r of results) assert.equal(r.exitCode, 0, `${r.version}: ${r.stderr}\n${JSON.stringify(r.out)}`);
      const after = revisions().slice(before);
      assert.equal(after.length, VERSIONS.length, 'one new revision per deploy');
      assert.ok(after.every((r) => !r.status.startsWith('pending')), JSON.stringify(after.map((r) => r.status)));
      assert.deepEqual(after.map(chartVersion).sort(), [...VERSIONS].sort(), 'history shows each version once');
      for (const r of results) {
        assert.equal(r.out.outcome.kind, 'deployed', r.version);
        // The revision each job reports is the one its own upgrade made.
        const made = revisions().find((x) => x.version === r.out.outcome.revision);
        assert.equal(made && chartVersion(made), r.version, `${r.version} reported revision ${r.out.outcome.revision}`);
      }
      // Only the last one is live; every waiting job said who held the lock (JSON lines on stderr).
      assert.equal(revisions().at(-1)!.status, 'deployed');
      const waited = results.filter((r) => r.stderr.split('\n').some((l) => l.startsWith('{') && JSON.parse(l).event === 'lockWaiting'));
      assert.ok(waited.length >= 1, 'at least one job waited for the lock');
      for (const r of waited) {
        const event = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((e) => e.event === 'lockWaiting');
        assert.match(event.holder, /^lock-tests, host .+, pid \d+$/);
        assert.match(event.operation, /^deploy shop 1\.0\.\d$/);
      }
      assert.equal(lease()?.spec.holderIdentity, undefined, 'the last job freed the lock');
    });

    test('--no-wait-lock fails at once naming the holder; the waiting job is refused after --lock-timeout', async () => {
      sim.injectFault('shop-dev/Deployment/shop-web', 'never-ready');
      const slow = start(['deploy', 'dev', '--yes', '--no-tests', '--set', `web.image.tag=7.${major}.1`]);
      try {
        await until('the slow deploy to hold the lock', () => Boolean(lease()?.spec.holderIdentity) && revisions().at(-1)!.status === 'pending-upgrade');
        const now = await cli(['deploy', 'dev', '--yes', '--no-wait-lock']);
        assert.equal(now.exitCode, 1);
        assert.match(now.stderr, /Release shop in shop-dev is locked by lock-tests, host .+, pid \d+ \(deploy shop [\d.]+\) since \d{4}-\d\d-\d\dT[\d:]+Z\./);
        assert.match(now.stderr, /hint: Another chartctl job is changing this release\. Run again without --no-wait-lock/);
        const timedOut = await cli(['rollback', 'dev', '--yes', '--lock-timeout', '1s']);
        assert.equal(timedOut.exitCode, 1);
        assert.match(timedOut.stderr, /Waiting for the release lock of shop in shop-dev: held by lock-tests/);
        assert.match(timedOut.stderr, /is locked by .*; gave up after waiting 1s\./);
        assert.equal(revisions().at(-1)!.status, 'pending-upgrade', 'neither touched the release');
      } finally {
        sim.injectFault('shop-dev/Deployment/shop-web', 'clear');
        const r = await slow;
        assert.equal(r.exitCode, 0, String(r.stderr));
      }
    });

    test('rollback started during a slow deploy waits for the lock instead of rolling the deploy back', async () => {
      sim.injectFault('shop-dev/Deployment/shop-web', 'never-ready');
      const deploying = start(['deploy', 'dev', '--yes', '--no-tests', '--output', 'json', '--set', `web.image.tag=7.${major}.2`]);
      await until('the deploy to be mid-upgrade', () => revisions().at(-1)!.status === 'pending-upgrade' && Boolean(lease()?.spec.holderIdentity));
      const pendingRevision = revisions().at(-1)!.version;
      const rollingBack = start(['rollback', 'dev', '--yes', '--output', 'json']);
      let stderr = '';
      rollingBack.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
      await until('rollback to wait for the lock', () => stderr.includes('"event":"lockWaiting"'));
      assert.equal(revisions().at(-1)!.version, pendingRevision, 'rollback did not touch the release while it waited');
      sim.injectFault('shop-dev/Deployment/shop-web', 'clear');
      const [d, r] = await Promise.all([deploying, rollingBack]);
      assert.equal(d.exitCode, 0, String(d.stderr));
      const deployed = JSON.parse(String(d.stdout)).outcome;
      assert.equal(deployed.kind, 'deployed');
      assert.equal(deployed.revision, pendingRevision, 'the deploy reports the revision its own upgrade made');
      assert.equal(r.exitCode, 0, String(r.stderr));
      const rolledBack = JSON.parse(String(r.stdout));
      assert.equal(rolledBack.kind, 'rolledBack');
      assert.equal(rolledBack.plan.from.revision, pendingRevision, 'rollback started from the finished deploy');
      assert.equal(rolledBack.plan.from.status, 'deployed');
      assert.equal(rolledBack.plan.recoveringPending, false, 'nothing was "recovered"');
      const deployedRevision = revisions().find((x) => x.version === pendingRevision)!;
      assert.doesNotMatch(String(deployedRevision.record.info?.description), /^Rollback/, 'the deploy\'s revision is its upgrade');
    });

    test('a pending upgrade written outside chartctl (a bare helm run) is in progress while young: deploy and rollback refuse it', async () => {
      sim.injectFault('shop-dev/Deployment/shop-api', 'never-ready');
      const values = join(home, 'values.yaml');
      writeFileSync(values, 'api:\n  image:\n    tag: bare-helm\n');
      const bare = execa(helm, ['upgrade', 'shop', join(app.dir, 'charts', 'shop'), '-n', 'shop-dev', '--kube-context', 'dev', '-f', values, major === 4 ? '--wait=watcher' : '--wait', '--timeout', '60s'], { env: { ...process.env, ...env }, reject: false });
      try {
        await until('helm to be mid-upgrade', () => revisions().at(-1)!.status === 'pending-upgrade');
        const d = await cli(['deploy', 'dev', '--yes']);
        assert.equal(d.exitCode, 1);
        assert.match(d.stderr, /is being changed: revision \d+ is pending-upgrade and it was written at .* outside chartctl's lock and is younger than the deploy timeout .*Not deploying over it; it is not stuck\./);
        const r = await cli(['rollback', 'dev', '--yes']);
        assert.equal(r.exitCode, 1);
        assert.match(r.stderr, /Not rolling back a change in progress\./);
      } finally {
        sim.injectFault('shop-dev/Deployment/shop-api', 'clear');
        await bare;
      }
      assert.equal(revisions().at(-1)!.status, 'deployed', 'helm finished its own upgrade, untouched');
    });

    test('a bare helm run that starts while a chartctl deploy holds the lock but runs no helm (a person declines it) stays in progress: rollback refuses it while young', async () => {
      sim.injectFault('shop-dev/Deployment/shop-api', 'never-ready');
      const values = join(home, 'values.yaml');
      writeFileSync(values, 'api:\n  image:\n    tag: bare-helm-2\n');
      // A terminal (script(1)'s pty) so that the deploy asks "Deploy …? [y/N]", holding the lock while it waits for the answer.
      const command = [process.execPath, cliPath, 'deploy', 'dev', '--no-tests', '--set', 'web.image.tag=declined'].map((a) => `'${a}'`).join(' ');
      const asking = execa('script', ['-qfec', command, '/dev/null'], {
        cwd: app.dir,
        env: { ...process.env, NO_COLOR: '1', SHELL: '/bin/sh', SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt'), ...env },
        extendEnv: false,
        reject: false,
        timeout: 170_000,
        stdin: 'pipe',
        all: true,
      });
      let said = '';
      asking.all!.on('data', (chunk: Buffer) => (said += chunk.toString()));
      let bare: ResultPromise | undefined;
      try {
        await until('the deploy to ask', () => /Deploy [\d.]+ to dev\? \[y\/N\]/.test(said) || asking.exitCode !== null);
        assert.match(lease()?.spec.holderIdentity ?? '', /^lock-tests, /, `the asking deploy holds the lock:\n${said}`);
        bare = execa(helm, ['upgrade', 'shop', join(app.dir, 'charts', 'shop'), '-n', 'shop-dev', '--kube-context', 'dev', '-f', values, major === 4 ? '--wait=watcher' : '--wait', '--timeout', '60s'], { env: { ...process.env, ...env }, reject: false });
        await until('helm to be mid-upgrade', () => revisions().at(-1)!.status === 'pending-upgrade');
        asking.stdin!.end('n\n');
        const declined = await asking;
        assert.equal(declined.exitCode, 1, said);
        assert.match(said, /cancelled/i);
        assert.equal(lease()?.spec.holderIdentity, undefined, 'the declined deploy freed the lock');
        assert.equal(lease()?.metadata.annotations?.['chartctl.dev/helm-started'], '', 'and its Lease says it started no helm run');
        const r = await cli(['rollback', 'dev', '--yes']);
        assert.equal(r.exitCode, 1, `${r.stderr}\n${r.stdout}`);
        assert.match(r.stderr, /is pending-upgrade and it was written at .* while lock-tests, .*\(deploy shop [\d.]+\) held the lock, which started no helm run, and is younger than the deploy timeout .*Not rolling back a change in progress\./);
        assert.equal(revisions().at(-1)!.status, 'pending-upgrade', 'nothing was rolled back under the running helm');
      } finally {
        sim.injectFault('shop-dev/Deployment/shop-api', 'clear');
        if (asking.exitCode === null) asking.kill('SIGKILL');
        await asking;
        await bare;
      }
      assert.equal(revisions().at(-1)!.status, 'deployed', 'helm finished its own upgrade, untouched');
    });

    test(`SIGKILL of chartctl and its helm at random points (${SEEDS.length} seeds): the next job recovers (recoverStuck) or is told it is stuck, and rollback recovers`, async () => {
      let leftPending = 0;
      // A dead holder's Lease expires after 3 s here, so the next job's wait for it is short.
      env.CHARTCTL_LOCK_LEASE_SECONDS = '3';
      for (const seed of SEEDS) {
        const random = seededRandom(seed * 7919 + major);
        const recover = seed % 2 === 1;
        setRecoverStuck(recover);
        // Half the seeds kill during helm's upgrade (seen as pending-upgrade), the others at a random moment of the run.
        const atPending = random() < 0.5;
        const delayMs = Math.floor(random() * (atPending ? 400 : 3000));
        // At-pending seeds hold the rollout (never ready) so the kill lands while helm waits, however loaded the machine.
        if (atPending) sim.injectFault('shop-dev/Deployment/shop-web', 'never-ready');
        const job = start(['deploy', 'dev', '--yes', '--no-tests', '--set', `web.image.tag=8.${seed}.${major}`]);
        const startedAt = Date.now();
        if (atPending) await until(`seed ${seed}: helm mid-upgrade`, () => revisions().at(-1)!.status === 'pending-upgrade' || job.exitCode !== null);
        const killAt = Date.now() + delayMs;
        await until(`seed ${seed}: kill time`, () => Date.now() >= killAt || job.exitCode !== null);
        const helms = childrenOf(job.pid!);
        job.kill('SIGKILL');
        for (const pid of helms) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
        await job;
        await until(`seed ${seed}: helm gone`, () => helms.every((pid) => !isAlive(pid)));
        sim.injectFault('shop-dev/Deployment/shop-web', 'clear');
        const head = revisions().at(-1)!;
        const where = `seed ${seed} (${atPending ? 'at pending' : 'random'} +${delayMs} ms, ${Date.now() - startedAt} ms in; recoverStuck ${recover}; head ${head.version} ${head.status})`;
        if (head.status.startsWith('pending')) leftPending++;
        const next = await cli(['deploy', 'dev', '--yes', '--no-tests', '--output', 'json', '--set', `web.image.tag=8.${seed}.${major}-next`]);
        if (recover || !head.status.startsWith('pending')) {
          assert.equal(next.exitCode, 0, `${where}: ${next.stderr}`);
          assert.equal(JSON.parse(next.stdout).outcome.kind, 'deployed', where);
          if (head.status.startsWith('pending')) assert.match(next.stderr, /is stuck in pending-\w+ at revision \d+ \(it was written by lock-tests.*\); rolling back to revision \d+ first \(deploy.recoverStuck\)/, where);
        } else {
          assert.equal(next.exitCode, 1, `${where}: ${next.stderr}`);
          const error = JSON.parse(next.stdout).error;
          assert.equal(error.code, 'RELEASE_STUCK', where);
          assert.match(error.message, new RegExp(`is stuck in ${head.status} at revision ${head.version}: it was written by lock-tests, host .+, pid ${job.pid} \\(deploy shop [\\d.]+\\), whose lock expired without finishing`), where);
          assert.match(error.hint, /Recover with "chartctl rollback dev".*deploy.recoverStuck: true/, where);
          const recovered = JSON.parse((await ok(['rollback', 'dev', '--yes', '--output', 'json'])).stdout);
          assert.equal(recovered.kind, 'rolledBack', where);
          assert.equal(recovered.plan.recoveringPending, true, where);
          await ok(['deploy', 'dev', '--yes', '--no-tests', '--set', `web.image.tag=8.${seed}.${major}-next`]);
        }
        assert.equal(revisions().at(-1)!.status, 'deployed', where);
        assert.equal(lease()?.spec.holderIdentity, undefined, `${where}: the lock is free again`);
      }
      // Guards against passing vacuously: some kills must have left the release pending.
      assert.ok(leftPending >= 3, `only ${leftPending} of ${SEEDS.length} kills left a pending release`);
    });
  });
}
