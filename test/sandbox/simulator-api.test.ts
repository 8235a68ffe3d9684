// The simulator's HTTP API as client-go sees it: discovery, Status errors, CRDs
// joining discovery, watch with initial events + bookmark, resume and 410, faults.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { waitFor } from '../support/wait-for.js';
import { isConnectionDropped } from '../support/network-errors.js';

let sim: Simulator;
before(async () => {
  sim = await startSimulator({ readinessDelayMs: 20 });
});
after(async () => {
  await sim.close();
});

const api = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
  const res = await fetch(`${sim.url}${path}`, { method, headers: { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

/** Reads watch events until `count` arrived (or the stream ends). */
async function watchEvents(path: string, count: number): Promise<Array<{ type: string; object: Record<string, any> }>> {
  const controller = new AbortController();
  const res = await fetch(`${sim.url}${path}`, { signal: controller.signal });
  const events: Array<{ type: string; object: Record<string, any> }> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
    }
    if (events.length >= count) break;
  }
  controller.abort();
  return events;
}

test('discovery lists built-in groups, and a created CRD adds its kind', async () => {
  const groups = (await api('GET', '/apis')).body.groups.map((g: { name: string }) => g.name);
  assert.ok(groups.includes('apps') && groups.includes('networking.k8s.io'));
  const core = (await api('GET', '/api/v1')).body.resources.map((r: { name: string }) => r.name);
  assert.ok(core.includes('secrets') && core.includes('pods/log'));
  assert.equal((await api('GET', '/apis/example.com/v1')).status, 404);

  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets', singular: 'widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] },
  };
  assert.equal((await api('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status, 201);
  const stored = (await api('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')).body;
  assert.ok(stored.status.conditions.some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True'));
  const widgets = (await api('GET', '/apis/example.com/v1')).body.resources.map((r: { name: string }) => r.name);
  assert.deepEqual(widgets, ['widgets']);
  const created = await api('POST', '/apis/example.com/v1/namespaces/default/widgets', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } });
  assert.equal(created.status, 201);
  const doc = (await api('GET', '/openapi/v3/apis/example.com/v1')).body;
  assert.ok(doc.components.schemas['com.example.v1.Widget'], 'the CRD schema is published in OpenAPI v3');
});

test('errors are Status objects with the real reasons', async () => {
  const missing = await api('GET', '/api/v1/namespaces/default/configmaps/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.kind, 'Status');
  assert.equal(missing.body.reason, 'NotFound');
  assert.equal(missing.body.message, 'configmaps "nope" not found');

  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } };
  const first = await api('POST', '/api/v1/namespaces/default/configmaps', cm);
  assert.equal(first.status, 201);
  assert.equal((await api('POST', '/api/v1/namespaces/default/configmaps', cm)).body.reason, 'AlreadyExists');
  const stale = await api('PUT', '/api/v1/namespaces/default/configmaps/c', { ...cm, metadata: { name: 'c', resourceVersion: '1' } });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.reason, 'Conflict');
  const badName = await api('POST', '/api/v1/namespaces/default/configmaps', { ...cm, metadata: { name: 'Bad_Name', labels: { ok: 'x'.repeat(64) } } });
  assert.equal(badName.status, 422);
  assert.equal(badName.body.reason, 'Invalid');
  assert.match(badName.body.message, /RFC 1123 subdomain.*at most 63 characters/);
  const noNamespace = await api('POST', '/api/v1/namespaces/ghost/configmaps', cm);
  assert.equal(noNamespace.status, 404);
  assert.match(noNamespace.body.message, /namespaces "ghost" not found/);
});

test('watch: initial events end with an initial-events-end bookmark; resume replays; too old is 410', async () => {
  await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'w' } });
  const a = await api('POST', '/api/v1/namespaces/w/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
  const initial = await watchEvents('/api/v1/namespaces/w/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan', 2);
  assert.deepEqual(initial.map((e) => e.type), ['ADDED', 'BOOKMARK']);
  assert.equal(initial[1]!.object.metadata.annotations['k8s.io/initial-events-end'], 'true');

  await api('PATCH', '/api/v1/namespaces/w/configmaps/a', { data: { x: '1' } }, 'application/merge-patch+json');
  await api('DELETE', '/api/v1/namespaces/w/configmaps/a');
  const resumed = await watchEvents(`/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${a.body.metadata.resourceVersion}`, 2);
  assert.deepEqual(resumed.map((e) => e.type), ['MODIFIED', 'DELETED']);
  assert.equal(resumed[0]!.object.data.x, '1');

  for (let i = 0; i < 20_050; i++) sim.cluster.store.put('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'churn', namespace: 'w' } });
  const old = await watchEvents('/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=2', 1);
  assert.equal(old[0]!.type, 'ERROR');
  assert.equal(old[0]!.object.code, 410);
});

test('Deployments become ready after the delay, with a ReplicaSet; never-ready and request faults are honoured', async () => {
  const dep = (name: string, image: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } } },
  });
  const created = await api('PATCH', '/apis/apps/v1/namespaces/default/deployments/d?fieldManager=test', dep('d', 'img:1'), 'application/apply-patch+yaml');
  assert.equal(created.status, 200);
  assert.equal(created.body.status, undefined, 'not ready at once');
  await waitFor(() => sim.getObject('Deployment', 'default', 'd')?.status?.readyReplicas === 2, 'Deployment d to become ready after the readiness delay');
  const ready = sim.getObject('Deployment', 'default', 'd')!;
  assert.equal(ready.status.readyReplicas, 2);
  assert.equal(ready.status.observedGeneration, 1);
  const rs = sim.listObjects({ kind: 'ReplicaSet', namespace: 'default' });
  assert.equal(rs.length, 1);
  assert.equal(rs[0]!.metadata.ownerReferences[0].uid, ready.metadata.uid);
  assert.equal(sim.listObjects({ kind: 'Pod', namespace: 'default' }).filter((p) => p.status.phase === 'Running').length, 2, 'the ReplicaSet runs its Pods');

  sim.injectFault('default/Deployment/d', 'never-ready');
  // No readiness delay: once the rollout is reconciled, the fault is the only thing keeping it unready.
  sim.setReadinessDelay(0);
  await api('PATCH', '/apis/apps/v1/namespaces/default/deployments/d?fieldManager=test', dep('d', 'img:2'), 'application/apply-patch+yaml');
  const podsWaiting = () => sim.listObjects({ kind: 'Pod', namespace: 'default' }).filter((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff').length;
  await waitFor(() => sim.getObject('Deployment', 'default', 'd')?.status?.observedGeneration === 2 && podsWaiting() === 2, 'the never-ready rollout of Deployment d to be reconciled');
  const stuck = sim.getObject('Deployment', 'default', 'd')!;
  assert.equal(stuck.status.observedGeneration, 2);
  assert.equal(stuck.status.replicas, 4, 'like a rolling update, the old Pods stay while the new ones are not ready');
  assert.equal(stuck.status.readyReplicas, 2, 'only the old Pods are ready');
  assert.equal(stuck.status.conditions.find((c: { type: string }) => c.type === 'Progressing').reason, 'ReplicaSetUpdated');
  const pods = sim.listObjects({ kind: 'Pod', namespace: 'default' });
  assert.deepEqual(pods.map((p) => p.status.containerStatuses[0].state.waiting?.reason ?? 'running').sort(), ['ImagePullBackOff', 'ImagePullBackOff', 'running', 'running']);
  await api('PATCH', '/apis/apps/v1/namespaces/default/deployments/d?fieldManager=test', dep('d', 'img:1'), 'application/apply-patch+yaml');
  await waitFor(() => sim.getObject('Deployment', 'default', 'd')?.status?.observedGeneration === 3, 'the rollback of Deployment d to be reconciled');
  await waitFor(() => sim.getObject('Deployment', 'default', 'd')!.status.replicas === 2, 'the old Pods of Deployment d to go');
  assert.equal(sim.getObject('Deployment', 'default', 'd')!.status.readyReplicas, 2, 'rolling back to a template that was ready recovers');
  sim.clearFaults();
  sim.setReadinessDelay(20);

  sim.addRequestFault({ method: 'PATCH', resource: 'deployments', status: 500, times: 1 });
  assert.equal((await api('PATCH', '/apis/apps/v1/namespaces/default/deployments/d?fieldManager=test', dep('d', 'img:3'), 'application/apply-patch+yaml')).status, 500);
  assert.equal((await api('PATCH', '/apis/apps/v1/namespaces/default/deployments/d?fieldManager=test', dep('d', 'img:3'), 'application/apply-patch+yaml')).status, 200, 'times: 1 fails one request only');

  sim.addRequestFault({ resource: 'deployments', disconnect: true, times: 1 });
  await assert.rejects(fetch(`${sim.url}/apis/apps/v1/namespaces/default/deployments/d`), isConnectionDropped, 'the server went away mid-request');

  await api('DELETE', '/apis/apps/v1/namespaces/default/deployments/d');
  assert.deepEqual(sim.listObjects({ kind: 'ReplicaSet', namespace: 'default' }), [], 'ReplicaSets are garbage-collected with their Deployment');
  assert.deepEqual(sim.listObjects({ kind: 'Pod', namespace: 'default' }), [], '...and their Pods');
});

test('OpenAPI v3 carries real definitions; unknown fields are refused under Strict and dropped with a warning otherwise', async () => {
  const index = (await api('GET', '/openapi/v3')).body;
  assert.match(index.paths['apis/apps/v1'].serverRelativeURL, /^\/openapi\/v3\/apis\/apps\/v1\?hash=/);
  const doc = (await api('GET', '/openapi/v3/apis/apps/v1')).body;
  const deploymentSchema = doc.components.schemas['io.k8s.api.apps.v1.Deployment'];
  assert.deepEqual(deploymentSchema['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
  assert.deepEqual(doc.components.schemas['io.k8s.api.apps.v1.DeploymentSpec'].required, ['selector', 'template']);
  assert.ok(doc.components.schemas['io.k8s.api.core.v1.Container'].properties.image, 'referenced core/v1 definitions are included');
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.ok(patch.parameters.some((p: { name: string }) => p.name === 'fieldValidation'), 'clients learn that the server validates fields');

  const cm = (extra: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'typo' }, data: { a: '1' }, ...extra });
  const strict = await api('PATCH', '/api/v1/namespaces/default/configmaps/typo?fieldManager=t&fieldValidation=Strict', cm({ dataa: { b: '2' } }), 'application/apply-patch+yaml');
  assert.equal(strict.status, 400);
  assert.match(strict.body.message, /\.dataa: field not declared in schema/);

  const res = await fetch(`${sim.url}/api/v1/namespaces/default/configmaps?fieldManager=t`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cm({ dataa: { b: '2' } })) });
  assert.equal(res.status, 201);
  assert.match(res.headers.get('warning') ?? '', /unknown field \\"dataa\\"/);
  const stored = (await res.json()) as Record<string, unknown>;
  assert.equal(stored.dataa, undefined, 'unknown fields are dropped, not stored');
});

test('kubectl-style Table output for list and get', async () => {
  const res = await fetch(`${sim.url}/api/v1/namespaces/default/services`, { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
  const table = (await res.json()) as { kind: string; columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: unknown[] }> };
  assert.equal(table.kind, 'Table');
  assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age']);
  const svc = (await api('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } })).body;
  const one = (await (await fetch(`${sim.url}/api/v1/namespaces/default/services/web`, { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })).json()) as typeof table;
  assert.deepEqual(one.rows[0]!.cells.slice(0, 5), ['web', 'ClusterIP', svc.spec.clusterIP, '<none>', '80/TCP']);
});

test('clearing a never-ready fault lets the stuck rollout finish without another change', async () => {
  sim.injectFault('default/Deployment/late', 'never-ready');
  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'late' }, spec: { replicas: 1, selector: { matchLabels: { app: 'late' } }, template: { metadata: { labels: { app: 'late' } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } } } };
  // No readiness delay: once reconciled, only the fault keeps it unready.
  sim.setReadinessDelay(0);
  await api('PATCH', '/apis/apps/v1/namespaces/default/deployments/late?fieldManager=test', dep, 'application/apply-patch+yaml');
  const late = () => sim.getObject('Deployment', 'default', 'late');
  const latePods = () => sim.listObjects({ kind: 'Pod', namespace: 'default' }).filter((p) => p.metadata.name.startsWith('late-'));
  await waitFor(() => late()?.status?.observedGeneration === 1 && latePods().some((p) => p.status?.containerStatuses), 'the rollout of late to be reconciled');
  assert.equal(late()!.status.readyReplicas, 0);
  sim.injectFault('default/Deployment/late', 'clear');
  await waitFor(() => late()!.status.readyReplicas === 1, 'late to become ready once the fault is cleared');
  sim.setReadinessDelay(20);
});
