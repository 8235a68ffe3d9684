/**
 * The heartbeat during `deploy`'s `helm upgrade --wait`: the real chartctl CLI,
 * real helm 4 and 3, the local S3 server and the Kubernetes simulator, where a
 * never-ready fault keeps the deploy waiting until the test clears it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';
import { cliPath, copyExampleApp, helmBinaries, projectRoot, runCli } from '../support/project.js';
import { isolateRepositories, startTestS3, type TestS3 } from '../support/s3.js';

/** Fast heartbeats keep the tests short; the default is 5 s. */
const INTERVAL = '200ms';
const HEARTBEAT_TEXT = /^waiting \d+s: 1 of 2 workloads not ready: Deployment\/shop-web 0\/1$/m;

for (const major of [4, 3] as const) {
  describe(`[helm ${major}] deploy --wait heartbeat`, () => {
    const helm = major === 4 ? helmBinaries.helm4 : helmBinaries.helm3;
    let sim: Simulator;
    let s3: TestS3;
    let app: ReturnType<typeof copyExampleApp>;
    let home: string;
    let env: Record<string, string>;
    let image = 0;

    const cli = (args: string[]) => runCli(args, { cwd: app.dir, env, timeoutMs: 120_000 });
    const ok = async (args: string[]) => {
      const r = await cli(args);
      assert.equal(r.exitCode, 0, `chartctl ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
      return r;
    };
    /** A change to shop-web, whose rollout the never-ready fault holds up. */
    const changeWeb = () => ok(['set-image', 'dev', 'web', `7.${major}.${++image}`]);

    /**
     * Starts `deploy dev --yes ...args`, waits until its stderr matches `until`
     * (bounded, against a hang), clears the fault so the rollout finishes, and
     * returns the finished run.
     */
    const deployHeldUntil = async (args: string[], until: RegExp) => {
      sim.injectFault('shop-dev/Deployment/shop-web', 'never-ready');
      // helm gives up after 30 s by itself (and the test fails) if no heartbeat ever shows.
      // --local: the working-tree edit is what changes (a repository version carries its own values).
      const child = execa(process.execPath, [cliPath, 'deploy', 'dev', '--local', '--yes', '--timeout', '30s', ...args], {
        cwd: app.dir,
        env: { ...process.env, NO_COLOR: '1', SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt'), ...env },
        extendEnv: false,
        reject: false,
        timeout: 110_000,
      });
      let stderr = '';
      let seen: () => void = () => undefined;
      const shown = new Promise<void>((resolve) => (seen = resolve));
      child.stderr!.on('data', (b: Buffer) => {
        stderr += b.toString();
        if (until.test(stderr)) seen();
      });
      try {
        // Ends when the heartbeat shows, or when the deploy ends without it (then the assertion below fails).
        await Promise.race([shown, child.then(() => undefined)]);
        assert.match(stderr, until, `no heartbeat while the deploy waited:\n${stderr}`);
      } finally {
        sim.injectFault('shop-dev/Deployment/shop-web', 'clear');
      }
      const r = await child;
      return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
    };

    before(async () => {
      sim = await startSimulator({ readinessDelayMs: 50 });
      s3 = await startTestS3();
      app = copyExampleApp();
      isolateRepositories(app.dir, s3);
      home = mkdtempSync(join(tmpdir(), 'chartctl-heartbeat-'));
      writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url, { aliases: ['dev', 'staging', 'prod'] }));
      env = { ...s3.env, KUBECONFIG: join(home, 'kubeconfig'), HOME: home, CHARTCTL_HELM: helm, CHARTCTL_ACTOR: 'heartbeat-tests', CHARTCTL_HEARTBEAT_INTERVAL: INTERVAL };
      await ok(['publish', 'dev', '--version', '1.0.0']);
      await ok(['deploy', 'dev', '--yes', '--no-tests']);
    });
    after(async () => {
      await sim?.close();
      await s3?.close();
      app?.remove();
      rmSync(home, { recursive: true, force: true });
    });

    test('a deploy kept waiting names the workloads not ready with ready/desired, then says when it was ready', async () => {
      await changeWeb();
      const r = await deployHeldUntil(['--no-tests'], HEARTBEAT_TEXT);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.match(r.stdout, /Deployed .* to dev as revision \d+/);
      assert.match(r.stderr, /^ready in \d+s: 2 workloads ready$/m);
      const lines = r.stderr.split('\n');
      assert.ok(lines.findIndex((l) => HEARTBEAT_TEXT.test(l)) < lines.findIndex((l) => /^ready in/.test(l)), 'the summary comes last');
    });

    test('with --output json the heartbeat and the summary are JSON lines on stderr; stdout is the one result', async () => {
      await changeWeb();
      const r = await deployHeldUntil(['--no-tests', '--output', 'json'], /"event":"waiting".*"name":"shop-web"/);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).outcome.kind, 'deployed', 'stdout is a single JSON document');
      const events = r.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { event: string; [k: string]: unknown });
      assert.doesNotMatch(r.stderr, /^(waiting \d+s|ready in)/m, 'no text heartbeat with --output json');
      const waiting = events.find((e) => e.event === 'waiting' && (e.notReady as unknown[]).length > 0);
      assert.ok(waiting, r.stderr);
      assert.equal(waiting.release, 'shop');
      assert.equal(waiting.namespace, 'shop-dev');
      assert.equal(typeof waiting.elapsed, 'number');
      assert.equal(waiting.workloads, 2);
      assert.deepEqual(waiting.notReady, [{ kind: 'Deployment', name: 'shop-web', ready: 0, desired: 1 }]);
      const summary = events.at(-1)!;
      assert.equal(summary.event, 'waited');
      assert.equal(summary.result, 'ready');
      assert.deepEqual(summary.notReady, []);
    });

    test('a wait that times out ends with what was still not ready; --quiet prints no heartbeat and no summary', async () => {
      const timedOut = /^timed out after \d+s; still not ready when last seen: Deployment\/shop-web 0\/1$/m;
      sim.injectFault('shop-dev/Deployment/shop-web', 'never-ready');
      try {
        for (const quiet of [false, true]) {
          await changeWeb();
          // helm's own --timeout ends the wait; with 200 ms heartbeats several would be due by then.
          const r = await cli(['deploy', 'dev', '--local', '--yes', '--timeout', '3s', ...(quiet ? ['--quiet'] : [])]);
          assert.equal(r.exitCode, 1, r.stderr);
          assert.match(r.stdout, /Deploy failed/);
          if (quiet) {
            assert.doesNotMatch(r.stderr, /waiting \d+s|timed out after|ready in/, r.stderr);
          } else {
            assert.match(r.stderr, HEARTBEAT_TEXT);
            assert.match(r.stderr, timedOut);
          }
        }
      } finally {
        sim.injectFault('shop-dev/Deployment/shop-web', 'clear');
      }
    });
  });
}
