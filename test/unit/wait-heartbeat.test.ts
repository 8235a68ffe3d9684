import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heartbeatIntervalMs, observeWait, waitEventText, waitResult, type WaitEvent } from '../../src/core/wait-heartbeat.js';
import { unreadyWorkloads, workloadReadiness } from '../../src/core/workload-readiness.js';
import type { KubeObject } from '../../src/core/manifests.js';
import { startWaitHeartbeat, type Sleep } from '../../src/actions/deploy/wait-heartbeat.js';
import type { NewestResources } from '../../src/adapters/releases.js';
import { MemoryReporter, StderrReporter } from '../../src/adapters/reporter.js';

const deployment = (name: string, replicas: number, status: Record<string, number>, generation = 2): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop-dev', generation }, spec: { replicas }, status: { observedGeneration: generation, ...status } }) as KubeObject;
const statefulSet = (name: string, replicas: number, status: Record<string, number>): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: 'shop-dev', generation: 1 }, spec: { replicas }, status: { observedGeneration: 1, ...status } }) as KubeObject;

// What `helm status shop -n shop-dev -o json` (helm 4; helm 3 with --show-resources) holds while a rollout of shop-web waits.
const rolling: Record<string, KubeObject[]> = {
  'v1/Deployment': [
    deployment('shop-api', 1, { replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 }, 1),
    // The old pod still serves (ready 1 of 2 pods), the new one is not ready.
    deployment('shop-web', 1, { replicas: 2, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 }),
  ],
  'v1/Service': [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop-web' } } as KubeObject],
  'v1/Pod(related)': [{ apiVersion: 'v1', kind: 'PodList', items: [] } as unknown as KubeObject],
};

test('workload readiness counts only pods of the current template, like kubectl rollout status', () => {
  assert.deepEqual(workloadReadiness(rolling, 'shop-dev'), [
    { kind: 'Deployment', namespace: 'shop-dev', name: 'shop-api', ready: 1, desired: 1, stale: false },
    { kind: 'Deployment', namespace: 'shop-dev', name: 'shop-web', ready: 0, desired: 1, stale: false },
  ]);
  const more = {
    'apps/v1/StatefulSet': [statefulSet('db', 3, { replicas: 3, updatedReplicas: 2, readyReplicas: 3 })],
    'apps/v1/DaemonSet': [{ kind: 'DaemonSet', metadata: { name: 'agent' }, status: { desiredNumberScheduled: 4, numberReady: 4, updatedNumberScheduled: 3 } } as unknown as KubeObject],
    'v1/Deployment': [deployment('late', 2, { replicas: 2, updatedReplicas: 2, readyReplicas: 2 }, 3)].map((d) => ({ ...d, status: { ...(d.status as object), observedGeneration: 2 } })),
  };
  assert.deepEqual(
    workloadReadiness(more, 'shop-dev').map((w) => `${w.kind}/${w.name} ${w.ready}/${w.desired}${w.stale ? ' stale' : ''}`),
    ['DaemonSet/agent 3/4', 'Deployment/late 0/2 stale', 'StatefulSet/db 2/3'],
  );
  assert.deepEqual(unreadyWorkloads(rolling, 'shop-dev'), ['Deployment shop-dev/shop-web: 0/1 ready']);
});

test('readiness is read only from the revision helm is installing, not the previous one nor its rollback', () => {
  const at = (revision: number, status = 'pending-upgrade', description = 'Preparing upgrade') => ({ revision, status, description, resources: rolling });
  assert.deepEqual(observeWait(undefined, 'shop-dev', undefined), { workloads: null, notReady: [], note: 'helm has not stored the new revision yet' });
  assert.equal(observeWait(at(3, 'deployed'), 'shop-dev', 3).workloads, null);
  assert.deepEqual(observeWait(at(4), 'shop-dev', 3), { workloads: 2, notReady: [{ kind: 'Deployment', name: 'shop-web', ready: 0, desired: 1 }] });
  assert.deepEqual(observeWait(at(1, 'pending-install', 'Initial install underway'), 'shop-dev', undefined).workloads, 2);
  const rollback = observeWait(at(5, 'deployed', 'Rollback to 3'), 'shop-dev', 3);
  assert.equal(rollback.rollingBack, true);
  assert.equal(rollback.note, 'helm is rolling back the failed upgrade (revision 5)');
  assert.equal(observeWait(at(5, 'pending-rollback'), 'shop-dev', 3).rollingBack, true);
});

test('heartbeat and summary lines say how long, how many and which workloads are not ready (ready/desired)', () => {
  const ids = { release: 'shop', namespace: 'shop-dev' };
  const notReady = [
    { kind: 'Deployment', name: 'shop-web', ready: 0, desired: 2 },
    { kind: 'StatefulSet', name: 'db', ready: 1, desired: 3 },
  ];
  const line = (e: WaitEvent) => waitEventText(e);
  assert.equal(line({ event: 'waiting', ...ids, elapsed: 15, workloads: 5, notReady }), 'waiting 15s: 2 of 5 workloads not ready: Deployment/shop-web 0/2, StatefulSet/db 1/3');
  assert.equal(line({ event: 'waiting', ...ids, elapsed: 5, workloads: null, notReady: [], note: 'helm has not stored the new revision yet' }), 'waiting 5s: helm has not stored the new revision yet');
  assert.equal(line({ event: 'waiting', ...ids, elapsed: 20, workloads: 5, notReady: [] }), "waiting 20s: all 5 workloads ready; helm is checking the release's other resources");
  const many = Array.from({ length: 10 }, (_, i) => ({ kind: 'Deployment', name: `d${i}`, ready: 0, desired: 1 }));
  assert.match(line({ event: 'waiting', ...ids, elapsed: 5, workloads: 12, notReady: many }), /^waiting 5s: 10 of 12 workloads not ready: Deployment\/d0 0\/1, .*Deployment\/d7 0\/1 and 2 more$/);
  assert.equal(line({ event: 'waited', ...ids, elapsed: 23, result: 'ready', workloads: 5, notReady: [] }), 'ready in 23s: 5 workloads ready');
  assert.equal(line({ event: 'waited', ...ids, elapsed: 1, result: 'ready', workloads: null, notReady: [] }), 'ready in 1s');
  assert.equal(line({ event: 'waited', ...ids, elapsed: 300, result: 'timedOut', workloads: 5, notReady }), 'timed out after 300s; still not ready when last seen: Deployment/shop-web 0/2, StatefulSet/db 1/3');
  assert.equal(line({ event: 'waited', ...ids, elapsed: 4, result: 'failed', workloads: null, notReady: [], note: 'helm has not stored the new revision yet' }), 'the upgrade failed after 4s (readiness was not known: helm has not stored the new revision yet)');
  assert.equal(waitResult(undefined), 'ready');
  assert.equal(waitResult('Error: UPGRADE FAILED: context deadline exceeded'), 'timedOut');
  assert.equal(waitResult('Error: UPGRADE FAILED: timed out waiting for the condition'), 'timedOut');
  assert.equal(waitResult('Error: UPGRADE FAILED: admission webhook denied'), 'failed');
});

test('CHARTCTL_HEARTBEAT_INTERVAL: 5 s by default, a duration otherwise; nonsense is refused naming the variable', () => {
  assert.equal(heartbeatIntervalMs(undefined), 5000);
  assert.equal(heartbeatIntervalMs('30s'), 30_000);
  assert.equal(heartbeatIntervalMs('200ms'), 200);
  for (const bad of ['5', 'soon', '10ms']) {
    assert.throws(() => heartbeatIntervalMs(bad), (err: any) => {
      assert.equal(err.code, 'BAD_DURATION');
      assert.equal(err.message, `CHARTCTL_HEARTBEAT_INTERVAL="${bad}" is not a duration of at least 100ms.`);
      return true;
    });
  }
});

/** A sleep the test ends by hand, and a clock it moves. */
function handDriven() {
  const waiting: (() => void)[] = [];
  const sleep: Sleep = (_ms, signal) =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  let now = new Date('2026-12-02T08:00:00Z');
  return {
    sleep,
    now: () => now,
    /** Moves the clock by `seconds` and ends the pending sleep. */
    tick(seconds: number) {
      now = new Date(now.getTime() + seconds * 1000);
      waiting.shift()?.();
    },
    sleeping: () => waiting.length > 0,
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(condition(), `timed out waiting for ${what}`);
}

const target = { release: 'shop', namespace: 'shop-dev' };

test('the heartbeat reads helm status once per tick, never two at once, and stops reading when the upgrade ends', async () => {
  const clock = handDriven();
  const reporter = new MemoryReporter();
  let reads = 0;
  let inFlight = 0;
  let overlapped = false;
  const releases = {
    async newestResources(): Promise<NewestResources | undefined> {
      reads++;
      inFlight++;
      overlapped ||= inFlight > 1;
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return { revision: 4, status: 'pending-upgrade', description: 'Preparing upgrade', resources: rolling };
    },
  };
  const heartbeat = startWaitHeartbeat({ reporter, now: clock.now, signal: new AbortController().signal }, releases, target, { before: 3, intervalMs: 5000, sleep: clock.sleep });
  await until(clock.sleeping, 'the first sleep');
  assert.equal(reads, 0, 'nothing is read before the first interval');
  clock.tick(5);
  await until(() => reporter.lines.length === 1, 'the first heartbeat');
  assert.deepEqual(reporter.lines, ['waiting 5s: 1 of 2 workloads not ready: Deployment/shop-web 0/1']);
  assert.deepEqual(reporter.events[0], { event: 'waiting', release: 'shop', namespace: 'shop-dev', elapsed: 5, workloads: 2, notReady: [{ kind: 'Deployment', name: 'shop-web', ready: 0, desired: 1 }] });
  await until(clock.sleeping, 'the second sleep');
  clock.tick(5);
  await until(() => reporter.lines.length === 2, 'the second heartbeat');
  await until(clock.sleeping, 'the third sleep');
  clock.tick(3);
  await heartbeat.end('ready');
  assert.equal(reads, 2, 'no read after the upgrade ended');
  assert.equal(overlapped, false);
  assert.equal(reporter.lines.at(-1), 'ready in 13s: 2 workloads ready');
  assert.deepEqual(reporter.events.at(-1), { event: 'waited', release: 'shop', namespace: 'shop-dev', elapsed: 13, result: 'ready', workloads: 2, notReady: [] });
});

test('after a signal the heartbeat starts no helm call and prints no summary (the interruption message reports the state)', async () => {
  const clock = handDriven();
  const reporter = new MemoryReporter();
  const abort = new AbortController();
  let reads = 0;
  const releases = {
    async newestResources(): Promise<NewestResources | undefined> {
      reads++;
      return { revision: 4, status: 'pending-upgrade', description: '', resources: rolling };
    },
  };
  const heartbeat = startWaitHeartbeat({ reporter, now: clock.now, signal: abort.signal }, releases, target, { before: 3, intervalMs: 5000, sleep: clock.sleep });
  await until(clock.sleeping, 'the first sleep');
  abort.abort();
  // Ending the sleep after the signal must not lead to a read.
  clock.tick(5);
  await heartbeat.end('failed');
  assert.equal(reads, 0);
  assert.deepEqual(reporter.lines, []);
});

test('a failed wait is summarised with what the upgrade was still waiting for, not what helm rolled back to', async () => {
  const clock = handDriven();
  const reporter = new MemoryReporter();
  const answers: NewestResources[] = [
    { revision: 4, status: 'pending-upgrade', description: 'Preparing upgrade', resources: rolling },
    { revision: 5, status: 'pending-rollback', description: 'Rollback to 3', resources: {} },
  ];
  const releases = { newestResources: async () => answers.shift() };
  const heartbeat = startWaitHeartbeat({ reporter, now: clock.now, signal: new AbortController().signal }, releases, target, { before: 3, intervalMs: 5000, sleep: clock.sleep });
  for (const n of [1, 2]) {
    await until(clock.sleeping, `sleep ${n}`);
    clock.tick(5);
    await until(() => reporter.lines.length === n, `heartbeat ${n}`);
  }
  await heartbeat.end('timedOut');
  assert.deepEqual(reporter.lines, [
    'waiting 5s: 1 of 2 workloads not ready: Deployment/shop-web 0/1',
    'waiting 10s: helm is rolling back the failed upgrade (revision 5)',
    'timed out after 10s; still not ready when last seen: Deployment/shop-web 0/1',
  ]);
});

test('a helm status that fails is said as helm said it, and does not hide what was seen before', async () => {
  const clock = handDriven();
  const reporter = new MemoryReporter();
  const answers: (() => Promise<NewestResources | undefined>)[] = [
    async () => ({ revision: 4, status: 'pending-upgrade', description: '', resources: rolling }),
    async () => {
      // As the helm adapter throws it: helm's own first line (test/unit/helm-releases.test.ts).
      throw new Error('Error: Kubernetes cluster unreachable: dial tcp 127.0.0.1:1: connect: connection refused');
    },
  ];
  const releases = { newestResources: () => answers.shift()!() };
  const heartbeat = startWaitHeartbeat({ reporter, now: clock.now, signal: new AbortController().signal }, releases, target, { before: 3, intervalMs: 5000, sleep: clock.sleep });
  for (const n of [1, 2]) {
    await until(clock.sleeping, `sleep ${n}`);
    clock.tick(5);
    await until(() => reporter.lines.length === n, `heartbeat ${n}`);
  }
  await heartbeat.end('timedOut');
  assert.deepEqual(reporter.lines.slice(1), [
    'waiting 10s: helm status failed: Error: Kubernetes cluster unreachable: dial tcp 127.0.0.1:1: connect: connection refused',
    'timed out after 10s; still not ready when last seen: Deployment/shop-web 0/1',
  ]);
});

test('stderr gets the text, or with --output json the event as one JSON line (masked); --quiet gets neither', () => {
  const written: string[] = [];
  const event = { event: 'waiting', note: 'token hunter2' };
  const mask = (t: string) => t.replaceAll('hunter2', '***');
  for (const opts of [{ json: false }, { json: true }, { json: true, quiet: true }]) {
    new StderrReporter({ quiet: false, verbose: false, mask, ...opts }, (t) => written.push(t)).progress('waiting 5s: hunter2', event);
  }
  new StderrReporter({ quiet: false, verbose: false, json: true, mask }, (t) => written.push(t)).progress('Reading release shop');
  assert.deepEqual(written, ['waiting 5s: ***\n', '{"event":"waiting","note":"token ***"}\n', 'Reading release shop\n']);
});
