import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployCanary, type CanaryFlags } from '../../src/actions/deploy/canary.js';
import { commandLineFingerprint } from '../../src/actions/deploy/canary-inputs.js';
import { rollback } from '../../src/actions/rollback.js';
import type { AppRepo } from '../../src/adapters/app-repo.js';
import type { DeployOutcome, DeployPlanSummary } from '../../src/actions/deploy/outcome.js';
import { FakeChecks } from '../../src/adapters/fake-checks.js';
import { MemoryCanaryRecords } from '../../src/adapters/memory-canary-records.js';
import { MemoryCanaryTraffic } from '../../src/adapters/memory-canary-traffic.js';
import { MemoryReleases } from '../../src/adapters/memory-releases.js';
import { MemoryReleaseLocks } from '../../src/adapters/memory-release-locks.js';
import { MemoryTrafficRouters } from '../../src/adapters/memory-traffic-routers.js';
import { parseEnvironment } from '../../src/core/environment-file.js';
import type { Environment } from '../../src/core/environment.js';
import { ChartctlError } from '../../src/core/errors.js';
import { diffReleases } from '../../src/core/release-diff.js';
import type { CanaryRecord } from '../../src/core/strategy/canary-plan.js';
import type { CanaryStrategy } from '../../src/core/strategy/strategy-config.js';
import { actorOnlyGit, FAKE_NOW, fakeDeps } from '../support/fake-deps.js';

const WALK = `      steps:
        - {weight: 20, checks: [errors]}
        - approve: true
      checks:
        errors: {command: [./smoke.sh]}
`;
const envOf = (traffic: string, extra: string, walk = WALK) =>
  parseEnvironment('dev', 'environments/dev.yaml', `chart: charts/shop
release: shop
namespace: shop-dev
kubeVersion: "1.33"
repository: {url: s3://acme-charts/dev}
deploy:
  strategy:
    canary:
      traffic: ${traffic}
${extra}
${walk}`);
const replicasEnv = envOf('replicas', '      router: {service: shop, backend: api}\n      replicasValue: api.replicaCount');
const DIGEST = 'sha256:' + 'a'.repeat(64);
const STABLE = `apiVersion: v1
kind: Service
metadata: {name: shop-api}
spec: {selector: {app.kubernetes.io/name: api, app.kubernetes.io/instance: shop}, ports: [{name: http, port: 80, nodePort: 30001}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop-api}
spec: {replicas: 4}
`;

/** The stable release at 1.0.0 (4 replicas), a recorded run of 1.0.1 at walk index `next`, and a deployOne that records its calls. */
function world(env: Environment, next: number, state: CanaryRecord['state'] = 'running', checks = new FakeChecks()) {
  const releases = new MemoryReleases();
  releases.seed({ release: 'shop', namespace: 'shop-dev' }, { status: 'deployed', chartVersion: '1.0.0', manifest: STABLE });
  const canaryRecords = new MemoryCanaryRecords();
  const routers = new MemoryTrafficRouters();
  const canaryTraffic = new MemoryCanaryTraffic();
  // Release locks name their holder: git's user here.
  const git = actorOnlyGit();
  const deps = fakeDeps({ releases, canaryRecords, routers, canaryTraffic, checks, git, repo: { root: '/app' } as Pick<AppRepo, 'root'> as AppRepo });
  const record: CanaryRecord = { version: '1.0.1', digest: DIGEST, next, state, weight: 0, lastChecks: [], startedAt: 'then', updatedAt: 'then' };
  const deployed: Array<{ release: string; version?: string; set?: string[] }> = [];
  const deployOne = async (_d: unknown, e: Environment, o: CanaryFlags): Promise<{ outcome: DeployOutcome }> => {
    deployed.push({ release: e.release, version: o.version, set: o.set });
    releases.seed({ release: e.release, namespace: 'shop-dev' }, { status: 'deployed', chartVersion: o.version ?? '?', manifest: e.release === 'shop' ? STABLE : '' });
    const plan: DeployPlanSummary = { env: 'dev', release: e.release, namespace: 'shop-dev', version: o.version ?? '?', digest: DIGEST, source: 's3', fromRevision: null, fromVersion: null, reasons: [], drift: [], diff: diffReleases('', '', { namespace: 'shop-dev' }) };
    return { outcome: { kind: 'deployed', plan, revision: 1, tests: 'skipped' } };
  };
  return { deps, releases, canaryRecords, routers, canaryTraffic, record, deployed, deployOne, strategy: env.deploy.strategy as CanaryStrategy };
}

async function seeded(w: ReturnType<typeof world>) {
  await w.canaryRecords.write({ namespace: 'shop-dev' }, 'shop', w.record);
  return w;
}

test('resume from the start: the canary gets the replica count for its weight, the shared Service selects both tracks, checks run against the canary, and it waits at approve', async () => {
  const w = await seeded(world(replicasEnv, 0));
  const { outcome } = await deployCanary(w.deps, replicasEnv, w.strategy, { resume: true }, w.deployOne);
  assert.equal(outcome.kind, 'canaryWaiting');
  // 20% of 4 stable replicas: 1 canary replica (20% of the endpoints).
  assert.deepEqual(w.deployed, [{ release: 'shop-canary', version: '1.0.1', set: ['api.replicaCount=1'] }]);
  const shared = await w.routers.readService({ namespace: 'shop-dev' }, 'shop');
  assert.deepEqual(shared?.selector, { 'app.kubernetes.io/name': 'api' });
  assert.deepEqual(shared?.ports, [{ name: 'http', port: 80 }]);
  assert.deepEqual((w.deps.checks as FakeChecks).calls.map((c) => [c.name, c.target.release, c.target.track]), [['errors', 'shop-canary', 'canary']]);
  const stored = (await w.canaryRecords.read({ namespace: 'shop-dev' }, 'shop'))!.record;
  assert.deepEqual([stored.state, stored.weight, stored.next, stored.lastChecks.length], ['awaiting-approval', 20, 2, 1]);
});

test('resume without --yes at an approve step waits again and changes nothing', async () => {
  const w = await seeded(world(replicasEnv, 2, 'awaiting-approval'));
  const { outcome } = await deployCanary(w.deps, replicasEnv, w.strategy, { resume: true }, w.deployOne);
  assert.equal(outcome.kind, 'canaryWaiting');
  assert.deepEqual(w.deployed, []);
});

test('resume --yes at an approve step promotes: stable upgraded to the recorded version without the canary replica count, canary and record removed', async () => {
  const w = await seeded(world(replicasEnv, 2, 'awaiting-approval'));
  const { outcome } = await deployCanary(w.deps, replicasEnv, w.strategy, { resume: true, yes: true }, w.deployOne);
  assert.equal(outcome.kind, 'canaryPromoted');
  assert.deepEqual(w.deployed, [{ release: 'shop', version: '1.0.1', set: undefined }]);
  assert.ok(w.releases.calls.includes('uninstall shop-canary'));
  assert.equal(await w.canaryRecords.read({ namespace: 'shop-dev' }, 'shop'), undefined);
});

test('a failed check aborts: canary uninstalled, record removed, stable never deployed, the failing check and value reported', async () => {
  const w = await seeded(world(replicasEnv, 0, 'running', new FakeChecks(() => ({ passed: false, value: 0.2, detail: 'value 0.2 > max 0.01' }))));
  const { outcome } = await deployCanary(w.deps, replicasEnv, w.strategy, { resume: true, yes: true }, w.deployOne);
  assert.equal(outcome.kind, 'canaryAborted');
  assert.equal(outcome.kind === 'canaryAborted' && outcome.failed?.value, 0.2);
  assert.match(outcome.kind === 'canaryAborted' ? outcome.reason : '', /check errors failed: value 0\.2 > max 0\.01/);
  assert.deepEqual(w.deployed.map((d) => d.release), ['shop-canary']);
  assert.ok(w.releases.calls.includes('uninstall shop-canary'));
  assert.equal(await w.canaryRecords.read({ namespace: 'shop-dev' }, 'shop'), undefined);
});

test('ingress-nginx: the weight goes through the traffic splitter, and an abort resets it', async () => {
  const env = envOf('ingress-nginx', '      ingress: shop');
  const w = await seeded(world(env, 0, 'running', new FakeChecks(() => ({ passed: false, detail: 'bad' }))));
  w.releases.seed({ release: 'shop-canary', namespace: 'shop-dev' }, { status: 'deployed', manifest: STABLE.replaceAll('shop-api', 'shop-canary-api') });
  await deployCanary(w.deps, env, w.strategy, { resume: true }, async (d, e, o) => {
    const r = await w.deployOne(d, e, o);
    // The canary release's own Service, as helm would render it.
    w.releases.seed({ release: 'shop-canary', namespace: 'shop-dev' }, { status: 'deployed', manifest: STABLE.replaceAll('shop-api', 'shop-canary-api') });
    return r;
  });
  assert.deepEqual(w.canaryTraffic.writes, [{ route: 'shop', weight: 20 }, { route: 'shop', weight: 0 }]);
  assert.deepEqual(w.deployed[0]?.set, [], 'no replica count outside traffic: replicas');
});

test('a resume must give the command-line values the run started with: other --set refused before anything changes, the same ones walk on; the record holds no value', async () => {
  const w = world(replicasEnv, 2, 'awaiting-approval');
  w.record.inputs = await commandLineFingerprint(w.deps, { set: ['image.tag=abc123'] }, w.record);
  await seeded(w);
  assert.doesNotMatch(JSON.stringify(await w.canaryRecords.read({ namespace: 'shop-dev' }, 'shop')), /abc123/);
  for (const flags of [{}, { set: ['image.tag=other'] }, { set: ['image.tag=abc123'], setString: ['x=y'] }]) {
    await assert.rejects(deployCanary(w.deps, replicasEnv, w.strategy, { resume: true, yes: true, ...flags }, w.deployOne), (e: unknown) => e instanceof ChartctlError && e.code === 'CANARY_REFUSED' && /other command-line values/.test(e.message));
  }
  assert.deepEqual(w.deployed, []);
  const { outcome } = await deployCanary(w.deps, replicasEnv, w.strategy, { resume: true, yes: true, set: ['image.tag=abc123'] }, w.deployOne);
  assert.equal(outcome.kind, 'canaryPromoted');
  assert.deepEqual(w.deployed, [{ release: 'shop', version: '1.0.1', set: ['image.tag=abc123'] }]);
});

test('--abort takes the canary release\'s lock, which each helm change of the walk holds: another job holding it means wait (here --no-wait-lock: refused) and nothing is removed', async () => {
  const w = await seeded(world(replicasEnv, 2, 'awaiting-approval'));
  const locks = new MemoryReleaseLocks();
  const now = w.deps.now();
  locks.put({ release: 'shop-canary', namespace: 'shop-dev' }, { holder: 'other-job', acquiredAt: now, renewedAt: now, durationSeconds: 60, transitions: 1, operation: 'deploy shop-canary 1.0.1' });
  const deps = { ...w.deps, locks };
  await assert.rejects(deployCanary(deps, replicasEnv, w.strategy, { abort: true, noWaitLock: true }, w.deployOne), (e: unknown) => e instanceof ChartctlError && e.code === 'RELEASE_LOCKED');
  assert.ok(!w.releases.calls.includes('uninstall shop-canary'));
  assert.ok(await w.canaryRecords.read({ namespace: 'shop-dev' }, 'shop'), 'the record is kept');
});

test('a walk whose run another job removed (deploy --abort, rollback) stops before its next helm change: no canary reinstalled', async () => {
  const twoWeights = envOf('replicas', '      router: {service: shop, backend: api}\n      replicasValue: api.replicaCount', `      steps:
        - {weight: 20, pause: 1m}
        - {weight: 50}
`);
  const w = await seeded(world(twoWeights, 0));
  // The other job's abort lands during the pause.
  const deps = { ...w.deps, sleep: async () => void (await w.canaryRecords.remove({ namespace: 'shop-dev' }, 'shop')) };
  await assert.rejects(deployCanary(deps, twoWeights, twoWeights.deploy.strategy as CanaryStrategy, { resume: true }, w.deployOne), (e: unknown) => e instanceof ChartctlError && e.code === 'CANARY_CONFLICT' && /removed by another job/.test(e.message));
  assert.deepEqual(w.deployed.map((d) => d.set), [['api.replicaCount=1']], 'only the first weight was deployed');
});

test('a resume that another job aborts between reading the run and its first helm change changes nothing', async () => {
  const w = await seeded(world(replicasEnv, 0));
  let reads = 0;
  // The other job's abort lands right after this job read the run.
  const racing = Object.assign(Object.create(w.canaryRecords) as MemoryCanaryRecords, {
    read: async (t: { namespace: string }, release: string) => {
      const found = await w.canaryRecords.read(t, release);
      if (reads++ === 0) await w.canaryRecords.remove(t, release);
      return found;
    },
  });
  await assert.rejects(deployCanary({ ...w.deps, canaryRecords: racing }, replicasEnv, w.strategy, { resume: true }, w.deployOne), (e: unknown) => e instanceof ChartctlError && e.code === 'CANARY_CONFLICT' && /removed by another job/.test(e.message));
  assert.deepEqual(w.deployed, []);
});

test('--abort and --resume without a recorded run are refused', async () => {
  const w = world(replicasEnv, 0);
  for (const flags of [{ abort: true }, { resume: true }]) {
    await assert.rejects(deployCanary(w.deps, replicasEnv, w.strategy, flags, w.deployOne), (e: unknown) => e instanceof ChartctlError && e.code === 'CANARY_REFUSED');
  }
});

test('the schema refuses an edge-split canary without the route it splits', () => {
  assert.throws(() => envOf('gateway', ''), /traffic: gateway needs "httpRoute"/);
  assert.throws(() => envOf('ingress-nginx', ''), /traffic: ingress-nginx needs "ingress"/);
});

test('rollback of a canary environment: a recorded run is aborted (canary uninstalled, record removed, stable not rolled back)', async () => {
  const w = await seeded(world(replicasEnv, 2, 'awaiting-approval'));
  const deps = { ...w.deps, repo: { loadEnvironment: async () => replicasEnv } as Pick<AppRepo, 'loadEnvironment'> as AppRepo };
  const outcome = await rollback(deps, { env: 'dev', yes: true });
  assert.equal(outcome.kind, 'canaryAborted');
  assert.deepEqual(outcome.plan.canary, { release: 'shop-canary', version: '1.0.1', weight: 0 });
  assert.ok(w.releases.calls.includes('uninstall shop-canary'));
  assert.ok(!w.releases.calls.some((c) => c.startsWith('rollback')), w.releases.calls.join('\n'));
  assert.equal(await w.canaryRecords.read({ namespace: 'shop-dev' }, 'shop'), undefined);
});

test('rollback of a canary environment with no recorded run rolls the stable release back like any release', async () => {
  const w = world(replicasEnv, 0);
  w.releases.seed({ release: 'shop', namespace: 'shop-dev' }, { status: 'deployed', chartVersion: '1.0.1', manifest: STABLE.replace('replicas: 4', 'replicas: 5') });
  const deps = { ...w.deps, repo: { loadEnvironment: async () => replicasEnv } as Pick<AppRepo, 'loadEnvironment'> as AppRepo };
  const outcome = await rollback(deps, { env: 'dev', yes: true });
  assert.equal(outcome.kind, 'rolledBack');
  assert.deepEqual([outcome.plan.from.revision, outcome.plan.to.revision], [2, 1]);
  assert.ok(!w.releases.calls.includes('uninstall shop-canary'));
});

const probedEnv = envOf(
  'replicas',
  '      router: {service: shop, backend: api}',
  `      steps:
        - {weight: 20, pause: 1m, checks: [latency]}
        - approve: true
      checks:
        latency: {http: {url: http://shop-canary.example/healthz, every: 20s}}
`,
);

/** A world whose clock records each wait instead of waiting. */
function probedWorld(checks: FakeChecks) {
  const w = world(probedEnv, 0, 'running', checks);
  const waits: number[] = [];
  const deps = { ...w.deps, sleep: async (ms: number) => void waits.push(ms) };
  return { ...w, deps, waits };
}

test('http `every` during a pause: probed at each interval on deps\' clock, then once more by the checks action; all pass, it waits at approve', async () => {
  const w = probedWorld(new FakeChecks());
  await w.canaryRecords.write({ namespace: 'shop-dev' }, 'shop', w.record);
  const { outcome } = await deployCanary(w.deps, probedEnv, w.strategy, { resume: true }, w.deployOne);
  assert.equal(outcome.kind, 'canaryWaiting');
  assert.deepEqual(w.waits, [20_000, 20_000, 20_000], 'probes at 20 s and 40 s, then the rest of the 1 m pause');
  assert.deepEqual((w.deps.checks as FakeChecks).calls.map((c) => c.name), ['latency', 'latency', 'latency']);
});

test('http `every` during a pause: the first failed probe aborts the canary at once (the rest of the pause is not waited)', async () => {
  const w = probedWorld(new FakeChecks((_name, call) => (call === 2 ? { passed: false, value: 503, detail: 'status 503, expected 200' } : { passed: true, value: 200, detail: 'status 200' })));
  await w.canaryRecords.write({ namespace: 'shop-dev' }, 'shop', w.record);
  const { outcome } = await deployCanary(w.deps, probedEnv, w.strategy, { resume: true }, w.deployOne);
  assert.equal(outcome.kind, 'canaryAborted');
  assert.match(outcome.kind === 'canaryAborted' ? outcome.reason : '', /check latency failed: status 503, expected 200/);
  assert.deepEqual(w.waits, [20_000, 20_000]);
  assert.deepEqual(w.deployed.map((d) => d.release), ['shop-canary'], 'stable never deployed');
  assert.ok(w.releases.calls.includes('uninstall shop-canary'));
  assert.equal(await w.canaryRecords.read({ namespace: 'shop-dev' }, 'shop'), undefined);
});

test('canary.set: values set on the canary release only (its own Ingress off), never carried to stable by promotion', async () => {
  const env = envOf('replicas', '      router: {service: shop, backend: api}\n      replicasValue: api.replicaCount\n      set: {api.ingress.enabled: false, api.hpa.max: 2}');
  const w = await seeded(world(env, 0));
  assert.equal((await deployCanary(w.deps, env, w.strategy, { resume: true }, w.deployOne)).outcome.kind, 'canaryWaiting');
  assert.deepEqual(w.deployed, [{ release: 'shop-canary', version: '1.0.1', set: ['api.ingress.enabled=false', 'api.hpa.max=2', 'api.replicaCount=1'] }]);
  assert.equal((await deployCanary(w.deps, env, w.strategy, { resume: true, yes: true }, w.deployOne)).outcome.kind, 'canaryPromoted');
  assert.deepEqual(w.deployed.at(-1), { release: 'shop', version: '1.0.1', set: undefined });
});

test('canary.set: a key that is not a values path is refused when the environment file is read', () => {
  assert.throws(() => envOf('replicas', '      set: {"api ingress": false}'), (e: unknown) => e instanceof ChartctlError && /set/.test(e.message));
});

test('approveStepsWait (watch): --yes does not approve an approve step; the run is recorded waiting there', async () => {
  const w = await seeded(world(replicasEnv, 2, 'awaiting-approval'));
  const { outcome } = await deployCanary(w.deps, replicasEnv, w.strategy, { resume: true, yes: true, approveStepsWait: true }, w.deployOne);
  assert.equal(outcome.kind, 'canaryWaiting');
  assert.deepEqual(w.deployed, [], 'stable not promoted');
  assert.equal((await w.canaryRecords.read({ namespace: 'shop-dev' }, 'shop'))?.record.state, 'awaiting-approval');
});

test("watch's first SIGTERM (drain alone) during a pause: the pause ends, the walk stops there, and the record keeps the pause for --resume", async () => {
  const drain = new AbortController();
  const w = world(probedEnv, 0);
  await w.canaryRecords.write({ namespace: 'shop-dev' }, 'shop', w.record);
  const waits: number[] = [];
  const deps = { ...w.deps, drain: drain.signal, sleep: async (ms: number, signal: AbortSignal) => {
    waits.push(ms);
    drain.abort();
    assert.ok(signal.aborted, 'the pause listens to the drain');
  } };
  const { outcome } = await deployCanary(deps, probedEnv, w.strategy, { resume: true, yes: true }, w.deployOne);
  assert.deepEqual(outcome.kind === 'canaryStopped' && [outcome.next, outcome.weight], ['step 1: pause 60s', 20]);
  assert.deepEqual(waits, [20_000], 'no probe after the drain');
  assert.deepEqual(w.deployed.map((d) => d.release), ['shop-canary'], 'the weight step in flight finished; stable untouched');
  assert.deepEqual((await w.canaryRecords.read({ namespace: 'shop-dev' }, 'shop'))?.record.next, 1, 'still at the pause');
});

test('a plain deploy interrupted (signal and drain both aborted) is not turned into a stop: it is interrupted as before', async () => {
  const drain = new AbortController();
  const abort = new AbortController();
  const w = world(probedEnv, 0);
  await w.canaryRecords.write({ namespace: 'shop-dev' }, 'shop', w.record);
  const deps = { ...w.deps, drain: drain.signal, signal: abort.signal, sleep: async () => {
    drain.abort();
    abort.abort(new Error('interrupted'));
  } };
  await assert.rejects(deployCanary(deps, probedEnv, w.strategy, { resume: true, yes: true }, w.deployOne), /interrupted/);
});

const runLock = { release: 'shop-canary-run', namespace: 'shop-dev' };

test("a walk holds its run's lock from start to end, pauses included, and frees it after: a watcher tells a walk in progress from a dead one's by it", async () => {
  const w = await seeded(world(probedEnv, 0));
  const holders: Array<string | undefined> = [];
  const deps = { ...w.deps, sleep: async () => void holders.push((await w.deps.locks.read(runLock))?.holder) };
  const { outcome } = await deployCanary(deps, probedEnv, w.strategy, { resume: true }, w.deployOne);
  assert.equal(outcome.kind, 'canaryWaiting');
  assert.ok(holders.length > 0 && holders.every((h) => h === 'git-user <git@example.com>, host test-host, pid 4242'), JSON.stringify(holders));
  assert.equal((await w.deps.locks.read(runLock))?.holder, undefined, 'freed');
});

test("a resume waits for the run's lock a live job holds (runLockNoWait: refused at once, nothing deployed); a holder whose lease expired is taken over", async () => {
  const w = await seeded(world(replicasEnv, 0));
  const locks = w.deps.locks as MemoryReleaseLocks;
  locks.put(runLock, { holder: 'another watcher', acquiredAt: w.deps.now(), renewedAt: w.deps.now(), durationSeconds: 30, transitions: 0 });
  await assert.rejects(deployCanary(w.deps, replicasEnv, w.strategy, { resume: true, runLockNoWait: true }, w.deployOne), (e: unknown) => e instanceof ChartctlError && e.code === 'RELEASE_LOCKED' && /another watcher/.test(e.message));
  assert.equal(w.deployed.length, 0);
  const stale = new Date(w.deps.now().getTime() - 31_000);
  locks.put(runLock, { holder: 'a killed watcher', acquiredAt: stale, renewedAt: stale, durationSeconds: 30, transitions: 0 });
  const { outcome } = await deployCanary(w.deps, replicasEnv, w.strategy, { resume: true, runLockNoWait: true }, w.deployOne);
  assert.equal(outcome.kind, 'canaryWaiting');
  assert.deepEqual(w.deployed.map((d) => d.release), ['shop-canary']);
});

test("a resume whose run another job changed while it waited for the run's lock changes nothing", async () => {
  const w = await seeded(world(replicasEnv, 0));
  const locks = w.deps.locks as MemoryReleaseLocks;
  // The other job's walk records a step just before this one gets the lock.
  locks.beforeWrite = () => {
    locks.beforeWrite = undefined;
    void w.canaryRecords.write({ namespace: 'shop-dev' }, 'shop', { ...w.record, next: 1 }, '1');
  };
  await assert.rejects(deployCanary(w.deps, replicasEnv, w.strategy, { resume: true }, w.deployOne), (e: unknown) => e instanceof ChartctlError && e.code === 'CANARY_CONFLICT');
  assert.deepEqual(w.deployed, []);
});

test("a stop on purpose is recorded (stoppedAt): watch's first SIGTERM, and a signal's interruption; a resume clears it", async () => {
  const drain = new AbortController();
  const w = await seeded(world(probedEnv, 0));
  const { outcome } = await deployCanary({ ...w.deps, drain: drain.signal, sleep: async () => drain.abort() }, probedEnv, w.strategy, { resume: true }, w.deployOne);
  assert.equal(outcome.kind, 'canaryStopped');
  const stopped = (await w.canaryRecords.read({ namespace: 'shop-dev' }, 'shop'))!.record;
  assert.deepEqual([stopped.next, stopped.stoppedAt], [1, FAKE_NOW.toISOString()]);

  await deployCanary(w.deps, probedEnv, w.strategy, { resume: true }, w.deployOne);
  const resumed = (await w.canaryRecords.read({ namespace: 'shop-dev' }, 'shop'))!.record;
  assert.deepEqual([resumed.state, 'stoppedAt' in resumed], ['awaiting-approval', false]);

  const interrupted = await seeded(world(probedEnv, 0));
  const abort = new AbortController();
  const deps = { ...interrupted.deps, signal: abort.signal, sleep: async () => abort.abort(new Error('interrupted')) };
  await assert.rejects(deployCanary(deps, probedEnv, interrupted.strategy, { resume: true }, interrupted.deployOne), /interrupted/);
  assert.equal((await interrupted.canaryRecords.read({ namespace: 'shop-dev' }, 'shop'))!.record.stoppedAt, FAKE_NOW.toISOString());
});
