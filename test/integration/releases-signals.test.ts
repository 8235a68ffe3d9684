/**
 * SIGTERM/SIGINT during deploy and rollback: the real chartctl CLI, real helm 3 and 4, the
 * local S3 server and the Kubernetes simulator. chartctl must forward the signal
 * to helm, wait for it, and only then report the release's real state.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';
import { cliPath, copyExampleApp, helmBinaries, projectRoot, runCli } from '../support/project.js';
import { isolateRepositories, startTestS3, type TestS3 } from '../support/s3.js';

/** Pids of the processes whose parent is `pid` (procps `ps --ppid`). */
function childrenOf(pid: number): { pid: number; command: string }[] {
  let text = '';
  try {
    text = execFileSync('ps', ['--ppid', String(pid), '-o', 'pid=,args='], { encoding: 'utf8' });
  } catch {
    // ps exits 1 when no process matched.
  }
  return text
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), command: m[2]! }));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

for (const major of [4, 3] as const) {
  describe(`[helm ${major}] signals during deploy and rollback`, () => {
    const helm = major === 4 ? helmBinaries.helm4 : helmBinaries.helm3;
    let sim: Simulator;
    let s3: TestS3;
    let app: ReturnType<typeof copyExampleApp>;
    let home: string;
    let env: Record<string, string>;

    const cli = (args: string[]) => runCli(args, { cwd: app.dir, env, timeoutMs: 120_000 });
    const ok = async (args: string[]) => {
      const r = await cli(args);
      assert.equal(r.exitCode, 0, `chartctl ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
      return r;
    };
    const revisions = () => sim.releases('shop-dev', 'shop').map((r) => `${r.version}:${r.status}`);
    /** `chartctl deploy dev --local --yes` (the working-tree edit is the change), with its own TMPDIR to see what it leaves behind. */
    const startDeploy = (tmp: string, extra: string[] = []) => start(tmp, ['deploy', 'dev', '--local', '--yes', ...extra]);
    const start = (tmp: string, args: string[]) =>
      execa(process.execPath, [cliPath, ...args], {
        cwd: app.dir,
        env: { ...process.env, NO_COLOR: '1', SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt'), ...env, TMPDIR: tmp },
        extendEnv: false,
        reject: false,
        // Guards against a hang only; the deploy would otherwise wait 40 s for readiness.
        timeout: 110_000,
        // execa's kill() sends SIGKILL 5 s after the signal by default: chartctl must get all the time it takes to wait for helm.
        forceKillAfterDelay: false,
      });

    before(async () => {
      sim = await startSimulator({ readinessDelayMs: 0 });
      s3 = await startTestS3();
      app = copyExampleApp();
      isolateRepositories(app.dir, s3);
      home = mkdtempSync(join(tmpdir(), 'chartctl-signals-'));
      writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url, { aliases: ['dev', 'staging', 'prod'] }));
      env = { ...s3.env, KUBECONFIG: join(home, 'kubeconfig'), HOME: home, CHARTCTL_HELM: helm, CHARTCTL_ACTOR: 'signal-tests' };
      // Long enough that only the signal ends the upgrade.
      const file = join(app.dir, 'environments', 'dev.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/deploy: \{timeout: 5m/, 'deploy: {timeout: 40s'));
      await ok(['publish', 'dev', '--version', '1.0.0']);
      await ok(['deploy', 'dev', '--yes']);
    });
    after(async () => {
      await sim?.close();
      await s3?.close();
      app?.remove();
      rmSync(home, { recursive: true, force: true });
    });

    for (const [signal, exitCode] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
      test(`${signal} during helm upgrade: helm is stopped and waited for, the real state and the recovery command are reported, exit ${exitCode}`, async () => {
        await ok(['set-image', 'dev', 'web', `9.${exitCode}.0`]);
        sim.injectFault('shop-dev/Deployment/shop-web', 'never-ready');
        try {
          const tmp = mkdtempSync(join(home, 'tmp-'));
          const child = startDeploy(tmp, ['--output', 'json']);
          let stderr = '';
          child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
          // Wait until helm is mid-upgrade: the newest revision is pending-upgrade and helm is chartctl's child.
          let helmPids: number[] = [];
          for (let i = 0; i < 600; i++) {
            helmPids = childrenOf(child.pid!).filter((c) => /\bhelm\b.*\bupgrade\b/.test(c.command)).map((c) => c.pid);
            if (helmPids.length > 0 && sim.release('shop-dev', 'shop')?.status === 'pending-upgrade') break;
            await new Promise((r) => setTimeout(r, 50));
          }
          assert.equal(sim.release('shop-dev', 'shop')?.status, 'pending-upgrade', `helm upgrade did not start:\n${stderr}`);
          assert.equal(helmPids.length, 1, 'one helm upgrade child');
          // helm's first write after the signal (marking the upgrade failed, before its own rollback)
          // is held for 4 s: helm stops later than chartctl used to wait for it.
          sim.addRequestFault({ method: 'PUT', resource: 'secrets', namespace: 'shop-dev', delayMs: 4000, times: 1 });
          child.kill(signal);
          const r = await child;
          assert.equal(r.exitCode, exitCode, `${r.stderr}\n${r.stdout}`);
          assert.ok(!isAlive(helmPids[0]!), `helm (pid ${helmPids[0]}) is still running after chartctl exited`);
          const right = revisions();
          const newest = sim.release('shop-dev', 'shop')!;
          assert.doesNotMatch(newest.status, /^pending/, `the release is left ${newest.status}`);
          assert.deepEqual(revisions(), right, 'the release does not change after chartctl exited');
          const shown = `release shop in shop-dev is at revision ${newest.version} (${newest.status}`;
          assert.ok(r.stderr.includes(shown), `stderr names the real state "${shown}":\n${r.stderr}`);
          // helm rolls back an interrupted upgrade (--rollback-on-failure / --atomic): chartctl says so, with the revisions.
          const rolledBackTo = /^Rollback to (\d+)/.exec(newest.record.info?.description ?? '')?.[1];
          assert.ok(rolledBackTo, `helm rolled back (revision ${newest.version}: ${newest.record.info?.description})`);
          assert.match(r.stderr, new RegExp(`helm stopped it \\(revision \\d+ failed\\) and rolled back to revision ${rolledBackTo}; now release shop in shop-dev is at revision ${newest.version} \\(deployed`));
          assert.match(r.stderr, new RegExp(`Interrupted by ${signal} during helm upgrade shop -n shop-dev: helm stopped`));
          assert.match(r.stderr, /hint: .*chartctl (rollback|deploy) dev/);
          const error = JSON.parse(r.stdout).error;
          assert.equal(error.code, 'INTERRUPTED');
          assert.ok(error.message.includes(shown), error.message);
          assert.match(error.hint, /chartctl (rollback|deploy) dev/);
          assert.deepEqual(readdirSync(tmp), [], 'temp dirs (chart, decrypted values) removed once helm was done');
        } finally {
          sim.clearFaults();
        }
      });
    }

    test('a second SIGTERM exits at once and names the helm left running', async () => {
      await ok(['set-image', 'dev', 'web', '9.9.9']);
      sim.injectFault('shop-dev/Deployment/shop-web', 'never-ready');
      let helmPid: number | undefined;
      try {
        const tmp = mkdtempSync(join(home, 'tmp-'));
        const child = startDeploy(tmp);
        let stderr = '';
        child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
        for (let i = 0; i < 600 && helmPid === undefined; i++) {
          if (sim.release('shop-dev', 'shop')?.status === 'pending-upgrade') helmPid = childrenOf(child.pid!).find((c) => /\bhelm\b.*\bupgrade\b/.test(c.command))?.pid;
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.ok(helmPid, `helm upgrade started:\n${stderr}`);
        // helm's first write after the first signal is held for 3 s: it is still running at the second.
        sim.addRequestFault({ method: 'PUT', resource: 'secrets', namespace: 'shop-dev', delayMs: 3000, times: 1 });
        child.kill('SIGTERM');
        for (let i = 0; i < 600 && !/waiting for helm upgrade/.test(stderr); i++) await new Promise((r) => setTimeout(r, 50));
        assert.match(stderr, new RegExp(`chartctl: SIGTERM: waiting for helm upgrade shop -n shop-dev \\(pid ${helmPid}\\) to stop; a second signal exits at once`));
        child.kill('SIGTERM');
        const r = await child;
        assert.equal(r.exitCode, 143, r.stderr);
        assert.match(r.stderr, new RegExp(`second SIGTERM: exiting without waiting for helm; still running: helm upgrade shop -n shop-dev \\(pid ${helmPid}\\)`));
        assert.match(r.stderr, /hint: helm may still change the release: once it ends, see it with "chartctl status dev"; if it is pending-\* or failed, recover with "chartctl rollback dev"/);
        assert.ok(isAlive(helmPid), 'helm was left to finish its rollback, not killed');
        assert.deepEqual(readdirSync(tmp), [], 'temp dirs removed even so');
        // Left alone (not killed by chartctl, nor by a broken pipe once chartctl is gone), helm completes its rollback.
        for (let i = 0; i < 1200 && isAlive(helmPid); i++) await new Promise((res) => setTimeout(res, 50));
        assert.ok(!isAlive(helmPid), 'helm finished within a minute');
        const newest = sim.release('shop-dev', 'shop')!;
        assert.equal(newest.status, 'deployed', `helm finished its rollback: ${JSON.stringify(revisions())}`);
        assert.match(newest.record.info.description, /^Rollback to \d+/);
      } finally {
        sim.clearFaults();
        // Whatever failed above, let the helm left running finish before the next test reads the release.
        for (let i = 0; i < 1200 && helmPid !== undefined && isAlive(helmPid); i++) await new Promise((r) => setTimeout(r, 50));
      }
    });

    test('SIGTERM during helm rollback: helm stops, the release is reported pending-rollback with the way out, which works', async () => {
      // A good revision whose web image differs from the one before, so that rolling back rolls pods out.
      await ok(['set-image', 'dev', 'web', '1.2.3']);
      await ok(['deploy', 'dev', '--local', '--yes']);
      const before = sim.release('shop-dev', 'shop')!.version;
      // The rollback's --wait then waits 30 s for the pods: only the signal ends it.
      sim.setReadinessDelay(30_000);
      try {
        const tmp = mkdtempSync(join(home, 'tmp-'));
        const child = start(tmp, ['rollback', 'dev', '--yes']);
        let stderr = '';
        child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
        let helmPid: number | undefined;
        for (let i = 0; i < 600 && helmPid === undefined; i++) {
          if (sim.release('shop-dev', 'shop')?.status === 'pending-rollback') helmPid = childrenOf(child.pid!).find((c) => /\bhelm\b.*\brollback\b/.test(c.command))?.pid;
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.ok(helmPid, `helm rollback started:\n${stderr}`);
        child.kill('SIGTERM');
        const r = await child;
        assert.equal(r.exitCode, 143, r.stderr);
        assert.ok(!isAlive(helmPid), 'helm rollback stopped before chartctl exited');
        // helm rollback has no signal handling: it stops at once, leaving the release pending-rollback.
        const newest = sim.release('shop-dev', 'shop')!;
        assert.equal(newest.version, before + 1);
        assert.equal(newest.status, 'pending-rollback');
        assert.match(r.stderr, new RegExp(`Interrupted by SIGTERM during helm rollback shop -n shop-dev: helm stopped; release shop in shop-dev is at revision ${newest.version} \\(pending-rollback`));
        assert.match(r.stderr, /hint: Recover with "chartctl rollback dev"/);
        assert.deepEqual(readdirSync(tmp), []);
      } finally {
        sim.setReadinessDelay(0);
      }
      const recovered = await ok(['rollback', 'dev', '--yes', '--output', 'json']);
      assert.equal(JSON.parse(recovered.stdout).kind, 'rolledBack');
      assert.equal(sim.release('shop-dev', 'shop')!.status, 'deployed');
    });
  });
}
