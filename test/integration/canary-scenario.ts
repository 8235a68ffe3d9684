/**
 * Canary end to end: the real chartctl CLI (one process per command, as CI
 * jobs run it), a real helm (3 or 4), the local S3 server and the simulator,
 * whose EndpointSlices show the canary's share of the shared Service.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Simulator } from '../../src/sandbox/simulator.js';
import { execa } from 'execa';
import { cliPath, copyExampleApp, projectRoot, runCli, type CliRun } from '../support/project.js';
import { prometheusSkip, startPrometheus } from '../support/prometheus.js';
import { startClusterApp, type ClusterApp } from '../support/cluster-app.js';
import { withReplicasCanary } from '../support/canary-environment.js';

const NS = 'shop-dev';
/** A smoke check that fails on demand (FAIL_SMOKE=1), and proves it ran against the canary. */
const SMOKE = 'process.exit(process.env.FAIL_SMOKE === "1" ? 7 : process.env.CHARTCTL_RELEASE === "shop-canary" && process.env.CHARTCTL_TRACK === "canary" ? 0 : 9)';

export function canaryScenario(helm: string, major: 3 | 4): void {
  let cluster: ClusterApp;
  let sim: Simulator;
  let app: ReturnType<typeof copyExampleApp>;
  let env: Record<string, string>;

  const cli = (args: string[], extra: Record<string, string> = {}): Promise<CliRun> => runCli(args, { cwd: app.dir, env: { ...env, ...extra }, timeoutMs: 120_000 });
  const ok = async (args: string[], extra: Record<string, string> = {}) => {
    const r = await cli(args, extra);
    assert.equal(r.exitCode, 0, `chartctl ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
    return r;
  };
  /** Release → ready endpoints of the shared Service `shop`, once the EndpointSlice controller shows `want` releases. */
  const endpoints = async (want: number): Promise<Record<string, number>> => {
    const deadline = performance.now() + 5000;
    let last: Record<string, number> = {};
    while (performance.now() < deadline) {
      const slice = sim.listObjects({ kind: 'EndpointSlice', namespace: NS }).find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'shop');
      last = {};
      for (const e of slice?.endpoints ?? []) {
        if (!e.conditions.ready) continue;
        const release = sim.getObject('Pod', NS, e.targetRef.name)?.metadata.labels?.['app.kubernetes.io/instance'];
        last[release] = (last[release] ?? 0) + 1;
      }
      if (Object.keys(last).length === want) return last;
      await new Promise((r) => setTimeout(r, 25));
    }
    return last;
  };
  const revisions = (release: string) => sim.releases(NS, release).map((r) => `${r.version}:${r.status}`);
  const record = () => sim.getObject('ConfigMap', NS, 'chartctl-canary-shop');

  before(async () => {
    cluster = await startClusterApp({ name: 'canary', readinessDelayMs: 50, contexts: ['dev', 'staging', 'prod'], helm, env: { CHARTCTL_ACTOR: 'canary-tests' } });
    ({ sim, app, env } = cluster);
    const file = join(app.dir, 'environments', 'dev.yaml');
    writeFileSync(file, withReplicasCanary(readFileSync(file, 'utf8'), ['{weight: 50, pause: 10ms, checks: [smoke]}', 'approve: true'], SMOKE));
    for (const version of ['1.0.0', '1.0.1', '1.0.2', '1.0.3']) await ok(['publish', 'dev', '--version', version]);
  });
  after(async () => {
    await cluster?.close();
  });

  test(`[helm ${major}] canary: the first version is installed as the stable release (nothing to compare a canary with)`, async () => {
    const r = JSON.parse((await ok(['deploy', 'dev', '--version', '1.0.0', '--yes', '--output', 'json'])).stdout);
    assert.equal(r.outcome.kind, 'deployed', JSON.stringify(r.outcome));
    assert.deepEqual(revisions('shop'), ['1:deployed']);
    assert.deepEqual(revisions('shop-canary'), []);
  });

  test(`[helm ${major}] canary: --dry-run lists the walk and changes nothing`, async () => {
    const r = await ok(['deploy', 'dev', '--version', '1.0.1', '--dry-run']);
    assert.match(r.stdout, /Plan: install 1\.0\.1 as canary release shop-canary beside shop, then:\n  step 1: weight 50%\n  step 1: pause 0\.01s\n  step 1: checks smoke\n  step 2: wait for approval\n  promote:/);
    assert.deepEqual(revisions('shop-canary'), []);
    assert.equal(record(), undefined);
  });

  test(`[helm ${major}] canary: a CI job without --yes walks to the approve step and leaves it waiting (exit 0); the shared Service has the canary's share; status shows it`, async () => {
    const r = await ok(['deploy', 'dev', '--version', '1.0.1']);
    assert.match(r.stdout, /Canary of 1\.0\.1 waits for approval at step 2 \(weight 50%; last checks: smoke passed/);
    assert.deepEqual(revisions('shop'), ['1:deployed'], 'stable untouched');
    assert.deepEqual(revisions('shop-canary'), ['1:deployed']);
    assert.deepEqual(await endpoints(2), { shop: 1, 'shop-canary': 1 });
    const s = JSON.parse((await ok(['status', 'dev', '--output', 'json'])).stdout);
    assert.deepEqual([s.canary.release, s.canary.version, s.canary.state, s.canary.weight, s.canary.next], ['shop-canary', '1.0.1', 'awaiting-approval', 50, 'step 2: wait for approval']);
    assert.deepEqual(s.canary.lastChecks.map((c: { name: string; passed: boolean; value: number }) => [c.name, c.passed, c.value]), [['smoke', true, 0]]);
    assert.match((await ok(['status', 'dev'])).stdout, /canary: shop-canary 1\.0\.1 \(sha256:.*\) at 50%, waiting for approval/);
  });

  test(`[helm ${major}] canary: another deploy is refused while one waits`, async () => {
    const r = await cli(['deploy', 'dev', '--version', '1.0.2', '--yes']);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, /a canary of 1\.0\.1 is waiting for approval \(weight 50%\); 1\.0\.2 cannot start beside it/);
  });

  test(`[helm ${major}] canary: diff shows the walk deploy would run and the run that waits`, async () => {
    const d = JSON.parse((await ok(['diff', 'dev', '--version', '1.0.2', '--output', 'json'])).stdout);
    assert.equal(d.release, 'shop');
    assert.equal(d.canary.release, 'shop-canary');
    assert.deepEqual(d.canary.walk.at(-1), 'promote: upgrade the stable release to this artifact, remove the canary');
    assert.deepEqual(d.canary.recorded, { version: '1.0.1', state: 'awaiting-approval', weight: 50 });
    assert.match((await cli(['diff', 'dev', '--version', '1.0.2'])).stdout, /Canary: this is against the stable release shop .*install it as shop-canary[\s\S]*A canary run is recorded: 1\.0\.1, awaiting-approval, weight 50%/);
  });

  test(`[helm ${major}] canary: a second process resumes with --yes; stable ends on the canary's digest and no canary is left`, async () => {
    const digest = JSON.parse((await ok(['status', 'dev', '--output', 'json'])).stdout).canary.digest;
    // The run started without command-line values: a resume giving some would promote what the canary did not run.
    assert.match(JSON.parse(String((record() as { data?: { record?: string } } | undefined)?.data?.record ?? '{}')).inputs ?? '', /^[0-9a-f]{64}$/);
    const other = await cli(['deploy', 'dev', '--resume', '--yes', '--set', 'api.replicaCount=3']);
    assert.equal(other.exitCode, 1, other.stderr);
    assert.match(other.stderr, /started with other command-line values/);
    assert.deepEqual(revisions('shop'), ['1:deployed']);
    const r = await ok(['deploy', 'dev', '--resume', '--yes']);
    assert.match(r.stdout, /Promoted 1\.0\.1: stable release shop is revision 2/);
    const s = JSON.parse((await ok(['status', 'dev', '--output', 'json'])).stdout);
    assert.equal(s.live.chartVersion, '1.0.1');
    assert.equal(s.live.provenance.digest, digest);
    assert.equal(s.canary, null);
    assert.deepEqual(revisions('shop-canary'), []);
    assert.equal(record(), undefined);
    assert.deepEqual(await endpoints(1), { shop: 1 });
  });

  test(`[helm ${major}] canary: a failing check aborts it (exit 1, the check and its value), stable untouched`, async () => {
    const stableBefore = revisions('shop');
    const r = await cli(['deploy', 'dev', '--version', '1.0.2', '--yes'], { FAIL_SMOKE: '1' });
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stdout, /Canary aborted: check smoke failed: .*exited 7/);
    assert.match(r.stdout, /all traffic is on the stable release shop, which was not touched/);
    assert.deepEqual(revisions('shop'), stableBefore);
    assert.deepEqual(revisions('shop-canary'), []);
    assert.equal(record(), undefined);
    assert.deepEqual(await endpoints(1), { shop: 1 });
  });

  test(`[helm ${major}] canary: a canary whose Prometheus check fails at step 2 is aborted with stable untouched`, { skip: prometheusSkip() }, async () => {
    const prometheus = await startPrometheus(0.001);
    const file = join(app.dir, 'environments', 'dev.yaml');
    const original = readFileSync(file, 'utf8');
    // Step 2's first check turns the exporter bad and returns once Prometheus has scraped it, so step 2's `errors` sees it (no timing guess).
    const turnBad = `(async () => { await fetch(${JSON.stringify(prometheus.exporterUrl)} + "/error-ratio?value=0.2", {method: "POST"}); for (;;) { const b = await (await fetch(${JSON.stringify(prometheus.url)} + "/api/v1/query?query=shop_error_ratio")).json(); if (b.data.result.some((r) => r.metric.track === "canary" && Number(r.value[1]) === 0.2)) process.exit(0); await new Promise((r) => setTimeout(r, 100)); } })()`;
    writeFileSync(
      file,
      original
        .replace('        - {weight: 50, pause: 10ms, checks: [smoke]}\n', '        - {weight: 25, pause: 10ms, checks: [errors]}\n        - {weight: 50, pause: 10ms, checks: [traffic, errors]}\n')
        .replace('      checks:\n', `      checks:\n        errors: {prometheus: {url: ${JSON.stringify(prometheus.url)}, query: 'max(shop_error_ratio{track="canary"})', max: 0.01}}\n        traffic: {command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(turnBad)}]}\n`),
    );
    try {
      const before = JSON.parse((await ok(['status', 'dev', '--output', 'json'])).stdout).live;
      const stableBefore = revisions('shop');
      const r = await cli(['deploy', 'dev', '--version', '1.0.2', '--yes']);
      assert.equal(r.exitCode, 1, `${r.stderr}\n${r.stdout}`);
      assert.match(r.stdout, /Canary aborted: check errors failed: value 0\.2 is outside max 0\.01/);
      assert.match(r.stderr, /Check errors against the canary\n\s+passed: value 0\.001 is within max 0\.01[\s\S]*Check traffic against the canary[\s\S]*Check errors against the canary\n\s+FAILED: value 0\.2/, 'step 1 passed, step 2 failed');
      assert.deepEqual(revisions('shop'), stableBefore);
      assert.deepEqual(revisions('shop-canary'), []);
      assert.equal(record(), undefined);
      assert.deepEqual(await endpoints(1), { shop: 1 });
      const after = JSON.parse((await ok(['status', 'dev', '--output', 'json'])).stdout).live;
      assert.deepEqual([after.revision, after.chartVersion, after.provenance.digest], [before.revision, before.chartVersion, before.provenance.digest]);
    } finally {
      writeFileSync(file, original);
      await prometheus.close();
    }
  });

  test(`[helm ${major}] canary: a waiting canary is removed by deploy --abort from another process`, async () => {
    await ok(['deploy', 'dev', '--version', '1.0.2']);
    assert.deepEqual(revisions('shop-canary'), ['1:deployed']);
    const r = await ok(['deploy', 'dev', '--abort']);
    assert.match(r.stdout, /Canary shop-canary \(1\.0\.2\) removed as asked; all traffic is on the stable release shop, which was not touched\./);
    assert.deepEqual(revisions('shop-canary'), []);
    assert.equal(record(), undefined);
    assert.equal(JSON.parse((await ok(['status', 'dev', '--output', 'json'])).stdout).live.chartVersion, '1.0.1');
  });

  test(`[helm ${major}] canary: a job killed (SIGKILL) mid-walk is visible in status and another process resumes it to promotion`, async () => {
    const file = join(app.dir, 'environments', 'dev.yaml');
    const original = readFileSync(file, 'utf8');
    // A pause only SIGKILL ends.
    writeFileSync(file, original.replace('pause: 10ms', 'pause: 10m'));
    // The walk holds its run's lock to the end: a short lease, so the dead job's frees itself soon after the kill.
    const child = execa(process.execPath, [cliPath, 'deploy', 'dev', '--version', '1.0.2', '--yes'], { cwd: app.dir, env: { ...process.env, NO_COLOR: '1', SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt'), ...env, CHARTCTL_LOCK_LEASE_SECONDS: '3' }, reject: false, forceKillAfterDelay: false });
    let output = '';
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    try {
      const paused = async () => {
        for (let i = 0; i < 1200 && child.exitCode === null; i++) {
          const data = record()?.data?.record;
          // Walk index 1 is step 1's pause: the weight is set, the pause has begun.
          if (data && JSON.parse(data).next === 1) return JSON.parse(data);
          await new Promise((r) => setTimeout(r, 50));
        }
        return undefined;
      };
      const seen = await paused();
      assert.equal(seen?.weight, 50, `the killed job got as far as the first pause:\n${output.slice(-3000)}`);
    } finally {
      child.kill('SIGKILL');
      await child;
    }
    const s = JSON.parse((await ok(['status', 'dev', '--output', 'json'])).stdout);
    assert.deepEqual([s.canary.version, s.canary.state, s.canary.next], ['1.0.2', 'running', 'step 1: pause 600s']);
    writeFileSync(file, original);
    // As after any killed job: the next one waits for the dead holder's lease to expire, then takes the lock over.
    const r = await ok(['deploy', 'dev', '--resume', '--yes', '--lock-timeout', '1m']);
    assert.match(r.stderr, /took over the release lock of .*\(canary walk of shop 1\.0\.2\)/);
    assert.match(r.stdout, /Promoted 1\.0\.2: stable release shop is revision 3/);
    assert.deepEqual(revisions('shop-canary'), []);
    assert.equal(JSON.parse((await ok(['status', 'dev', '--output', 'json'])).stdout).live.chartVersion, '1.0.2');
  });

  test(`[helm ${major}] canary: deploy --yes approves the approve step too: one job walks the canary to promotion`, async () => {
    const r = await ok(['deploy', 'dev', '--version', '1.0.3', '--yes', '--set', 'api.config.LOG_LEVEL=debug']);
    assert.match(r.stdout, /Promoted 1\.0\.3: stable release shop is revision 4/);
    // The command line's values reach stable as they reached the canary: what was tested is what is promoted.
    assert.equal(sim.release(NS, 'shop')?.record.config?.api?.config?.LOG_LEVEL, 'debug');
    assert.deepEqual(revisions('shop-canary'), []);
    assert.equal(record(), undefined);
    assert.equal(JSON.parse((await ok(['status', 'dev', '--output', 'json'])).stdout).live.chartVersion, '1.0.3');
  });
}
