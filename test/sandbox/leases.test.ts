// coordination.k8s.io/v1 Lease as the real API server serves it: discovery,
// create (409 AlreadyExists), optimistic concurrency on update (409 Conflict on
// a stale resourceVersion), delete preconditions, list, MicroTime and validation.
// The server never expires a Lease; readers compute renewTime + leaseDurationSeconds.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';

let sim: Simulator;
before(async () => {
  sim = await startSimulator({ readinessDelayMs: 20 });
});
after(async () => {
  await sim.close();
});

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${sim.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const lease = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec });

test('discovery and OpenAPI list leases in coordination.k8s.io/v1', async () => {
  const resources = (await api('GET', '/apis/coordination.k8s.io/v1')).body.resources as Array<{ name: string; kind: string; namespaced: boolean; verbs: string[] }>;
  const leases = resources.find((r) => r.name === 'leases');
  assert.equal(leases?.kind, 'Lease');
  assert.equal(leases?.namespaced, true);
  assert.ok(['create', 'get', 'update', 'delete', 'list', 'watch'].every((v) => leases!.verbs.includes(v)));
  const doc = (await api('GET', '/openapi/v3/apis/coordination.k8s.io/v1')).body;
  assert.ok(doc.components.schemas['io.k8s.api.coordination.v1.LeaseSpec'], 'LeaseSpec schema is served');
});

test('a second create of the same Lease is 409 AlreadyExists and leaves the first holder', async () => {
  const first = await api('POST', LEASES, lease('lock-a', { holderIdentity: 'job-1', leaseDurationSeconds: 15, renewTime: '2026-01-01T10:00:00Z' }));
  assert.equal(first.status, 201);
  const second = await api('POST', LEASES, lease('lock-a', { holderIdentity: 'job-2', leaseDurationSeconds: 15 }));
  assert.equal(second.status, 409);
  assert.equal(second.body.reason, 'AlreadyExists');
  assert.equal((await api('GET', `${LEASES}/lock-a`)).body.spec.holderIdentity, 'job-1');
});

test('update with a stale resourceVersion is 409 Conflict; the current one wins once', async () => {
  const created = (await api('POST', LEASES, lease('lock-b', { holderIdentity: 'job-1', leaseDurationSeconds: 15 }))).body;
  const rv = created.metadata.resourceVersion;
  const takeOver = (holder: string) => api('PUT', `${LEASES}/lock-b`, { ...created, spec: { ...created.spec, holderIdentity: holder } });
  const [a, b] = await Promise.all([takeOver('job-2'), takeOver('job-3')]);
  assert.deepEqual([a.status, b.status].sort(), [200, 409]);
  const loser = a.status === 409 ? a : b;
  assert.equal(loser.body.reason, 'Conflict');
  const now = (await api('GET', `${LEASES}/lock-b`)).body;
  assert.notEqual(now.metadata.resourceVersion, rv);
  assert.equal(now.spec.holderIdentity, (a.status === 200 ? 'job-2' : 'job-3'));
});

test('delete honours a resourceVersion precondition; a deleted Lease is 404', async () => {
  const created = (await api('POST', LEASES, lease('lock-c', { holderIdentity: 'job-1', leaseDurationSeconds: 15 }))).body;
  const renewed = (await api('PUT', `${LEASES}/lock-c`, { ...created, spec: { ...created.spec, renewTime: '2026-01-01T10:00:05Z' } })).body;
  const stale = await api('DELETE', `${LEASES}/lock-c`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion: created.metadata.resourceVersion } });
  assert.equal(stale.status, 409);
  assert.match(stale.body.message, /Precondition failed: ResourceVersion/);
  const ok = await api('DELETE', `${LEASES}/lock-c`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion: renewed.metadata.resourceVersion } });
  assert.equal(ok.status, 200);
  assert.equal((await api('GET', `${LEASES}/lock-c`)).status, 404);
});

test('list returns the namespace\'s Leases; times come back as MicroTime; nothing expires server-side', async () => {
  await api('POST', LEASES, lease('lock-d', { holderIdentity: 'job-1', leaseDurationSeconds: 1, acquireTime: '2020-01-01T00:00:00Z', renewTime: '2020-01-01T00:00:00.5+01:00' }));
  const got = (await api('GET', `${LEASES}/lock-d`)).body;
  assert.equal(got.spec.acquireTime, '2020-01-01T00:00:00.000000Z');
  assert.equal(got.spec.renewTime, '2019-12-31T23:00:00.500000Z');
  // Six years past renewTime + 1 s: still stored and still naming its holder.
  assert.equal(got.spec.holderIdentity, 'job-1');
  const names = (await api('GET', LEASES)).body.items.map((o: { metadata: { name: string } }) => o.metadata.name);
  assert.ok(names.includes('lock-a') && names.includes('lock-d') && !names.includes('lock-c'));
  assert.equal((await api('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases')).body.items.length, 0);
});

test('invalid Lease fields are refused like the real server', async () => {
  const zero = await api('POST', LEASES, lease('lock-e', { holderIdentity: 'x', leaseDurationSeconds: 0 }));
  assert.equal(zero.status, 422);
  assert.match(zero.body.message, /leaseDurationSeconds: Invalid value: 0: must be greater than 0/);
  const badTime = await api('POST', LEASES, lease('lock-e', { holderIdentity: 'x', leaseDurationSeconds: 5, renewTime: 'yesterday' }));
  assert.equal(badTime.status, 400);
  assert.equal((await api('GET', `${LEASES}/lock-e`)).status, 404);
});

test('chartctl\'s KubeReleaseLocks against the simulator: create, conflict, conditional update, release', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { KubeReleaseLocks } = await import('../../src/adapters/kube-release-locks.js');
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-leases-'));
  try {
    sim.writeKubeconfig(join(dir, 'kubeconfig'));
    const locks = new KubeReleaseLocks({ KUBECONFIG: join(dir, 'kubeconfig') });
    const target = { release: 'shop', namespace: 'default', kubeContext: 'sandbox' };
    assert.equal(await locks.read(target), undefined);
    const write = { holder: 'job-a', acquiredAt: new Date('2026-12-02T13:00:00.123Z'), renewedAt: new Date('2026-12-02T13:00:00.123Z'), durationSeconds: 15, transitions: 0, operation: 'deploy shop 1.0.0' };
    const created = await locks.create(target, write);
    assert.equal(created.kind, 'written');
    assert.equal((await locks.create(target, { ...write, holder: 'job-b' })).kind, 'conflict');
    const read = (await locks.read(target))!;
    assert.deepEqual({ holder: read.holder, operation: read.operation, renewedAt: read.renewedAt?.toISOString(), durationSeconds: read.durationSeconds }, { holder: 'job-a', operation: 'deploy shop 1.0.0', renewedAt: '2026-12-02T13:00:00.123Z', durationSeconds: 15 });
    const stored = (await api('GET', '/apis/coordination.k8s.io/v1/namespaces/default/leases/chartctl-release-shop')).body;
    assert.equal(stored.spec.holderIdentity, 'job-a');
    assert.equal(stored.spec.renewTime, '2026-12-02T13:00:00.123000Z');
    const renewed = await locks.update(target, read.resourceVersion, { ...write, renewedAt: new Date('2026-12-02T13:00:05Z') });
    assert.equal(renewed.kind, 'written');
    assert.equal((await locks.update(target, read.resourceVersion, { ...write, holder: 'job-b' })).kind, 'conflict', 'stale resourceVersion');
    const released = await locks.update(target, (await locks.read(target))!.resourceVersion, { ...write, holder: undefined, lastHolder: 'job-a' });
    assert.equal(released.kind, 'written');
    const after = (await locks.read(target))!;
    assert.equal(after.holder, undefined);
    assert.equal(after.lastHolder, 'job-a');
    await assert.rejects(locks.create({ ...target, namespace: 'no-such-ns' }, write), /namespace no-such-ns does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
