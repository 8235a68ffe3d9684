// KubeCanaryTraffic against the simulator over HTTP, through a kubeconfig as a
// CD job has one: what it writes is what the API serves back, a stale write is
// refused with 409 and retried on a fresh read, and reset leaves the objects as
// the chart made them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { KubeCanaryTraffic } from '../../src/adapters/kube-canary-traffic.js';
import { isChartctlError } from '../../src/core/errors.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';

let sim: Simulator;
let home: string;
let traffic: KubeCanaryTraffic;
before(async () => {
  sim = await startSimulator({ readinessDelayMs: 20 });
  home = mkdtempSync(join(tmpdir(), 'chartctl-canary-traffic-'));
  writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url));
  traffic = new KubeCanaryTraffic({ KUBECONFIG: join(home, 'kubeconfig') });
});
after(async () => {
  await sim.close();
  rmSync(home, { recursive: true, force: true });
});

const api = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
  const res = await fetch(`${sim.url}${path}`, { method, headers: { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const ingresses = (ns: string) => `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`;
const httpRoutes = (ns: string) => `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes`;

async function namespace(name: string) {
  assert.equal((await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } })).status, 201);
}

const stableIngress = (ns: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'shop', namespace: ns, annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' } },
  spec: { ingressClassName: 'nginx', rules: [{ host: 'shop.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop', port: { number: 80 } } } }] } }] },
});
const route = (ns: string) => ({ namespace: ns, route: 'shop', stableService: 'shop', canaryService: 'shop-canary' });

/** The object's resourceVersion: it moves only when a write changes the object. */
const rv = async (path: string) => (await api('GET', path)).body.metadata?.resourceVersion as string | undefined;

test('ingress-nginx: setWeight creates <route>-canary once, updates its weight in place, and the API serves it as written', async () => {
  await namespace('ing');
  assert.equal((await api('POST', ingresses('ing'), stableIngress('ing'))).status, 201);
  assert.equal(await traffic.readWeight('ingress-nginx', route('ing')), undefined, 'not split yet');
  await traffic.setWeight('ingress-nginx', route('ing'), 10);
  const created = (await api('GET', `${ingresses('ing')}/shop-canary`)).body;
  assert.equal(created.metadata.annotations['nginx.ingress.kubernetes.io/canary'], 'true');
  assert.equal(created.metadata.annotations['nginx.ingress.kubernetes.io/canary-weight'], '10');
  assert.deepEqual(created.spec.rules, [{ host: 'shop.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop-canary', port: { number: 80 } } } }] } }]);
  assert.equal(created.metadata.ownerReferences[0].uid, sim.getObject('Ingress', 'ing', 'shop')?.metadata.uid);
  assert.equal(await traffic.readWeight('ingress-nginx', route('ing')), 10);

  const before = await rv(`${ingresses('ing')}/shop-canary`);
  await traffic.setWeight('ingress-nginx', route('ing'), 10);
  assert.equal(await rv(`${ingresses('ing')}/shop-canary`), before, 'a repeated call writes nothing');
  await traffic.setWeight('ingress-nginx', route('ing'), 50);
  const updated = (await api('GET', `${ingresses('ing')}/shop-canary`)).body;
  assert.equal(updated.metadata.uid, created.metadata.uid, 'updated in place, not recreated');
  assert.equal(updated.metadata.annotations['nginx.ingress.kubernetes.io/canary-weight'], '50');
  assert.equal(await traffic.readWeight('ingress-nginx', route('ing')), 50);

  const stableBefore = sim.getObject('Ingress', 'ing', 'shop');
  await traffic.reset('ingress-nginx', route('ing'));
  assert.equal((await api('GET', `${ingresses('ing')}/shop-canary`)).status, 404, 'the canary Ingress is gone');
  assert.deepEqual(sim.getObject('Ingress', 'ing', 'shop'), stableBefore, 'the stable Ingress was never written');
  assert.equal(await traffic.readWeight('ingress-nginx', route('ing')), undefined);
  await traffic.reset('ingress-nginx', route('ing'));
});

test('ingress-nginx: an Ingress named <route>-canary that chartctl does not own is left alone, and reset does not delete it', async () => {
  await namespace('taken');
  await api('POST', ingresses('taken'), stableIngress('taken'));
  const foreign = { ...stableIngress('taken'), metadata: { name: 'shop-canary', namespace: 'taken' } };
  assert.equal((await api('POST', ingresses('taken'), foreign)).status, 201);
  await assert.rejects(traffic.setWeight('ingress-nginx', route('taken'), 10), (err) => isChartctlError(err) && err.code === 'CANARY_ROUTE_TAKEN');
  await traffic.reset('ingress-nginx', route('taken'));
  assert.equal((await api('GET', `${ingresses('taken')}/shop-canary`)).status, 200);
  assert.equal(await traffic.readWeight('ingress-nginx', route('taken')), undefined);
});

test('the simulator refuses a replace with a stale resourceVersion (409), as the API server does', async () => {
  await namespace('stale');
  const created = (await api('POST', ingresses('stale'), stableIngress('stale'))).body;
  const first = await api('PUT', `${ingresses('stale')}/shop`, { ...created, metadata: { ...created.metadata, labels: { a: '1' } } });
  assert.equal(first.status, 200);
  const stale = await api('PUT', `${ingresses('stale')}/shop`, { ...created, metadata: { ...created.metadata, labels: { a: '2' } } });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.reason, 'Conflict');
  assert.equal(sim.getObject('Ingress', 'stale', 'shop')?.metadata.labels?.a, '1');
});

const HTTPROUTE_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'httproutes.gateway.networking.k8s.io' },
  spec: {
    group: 'gateway.networking.k8s.io',
    scope: 'Namespaced',
    names: { kind: 'HTTPRoute', listKind: 'HTTPRouteList', plural: 'httproutes', singular: 'httproute' },
    versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }],
  },
};
const stableRoute = (ns: string) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'shop', namespace: ns },
  spec: {
    parentRefs: [{ name: 'public' }],
    rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'shop', port: 80 }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/admin' } }], backendRefs: [{ name: 'admin', port: 80 }] },
    ],
  },
});

test('gateway: setWeight writes the HTTPRoute\'s backendRefs weights, the API serves them back, and reset restores the route as the chart made it', async () => {
  assert.equal((await api('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', HTTPROUTE_CRD)).status, 201);
  await namespace('gw');
  const created = (await api('POST', httpRoutes('gw'), stableRoute('gw'))).body;
  assert.equal(await traffic.readWeight('gateway', route('gw')), undefined);
  await traffic.setWeight('gateway', route('gw'), 25);
  const split = (await api('GET', `${httpRoutes('gw')}/shop`)).body;
  assert.deepEqual(split.spec.rules[0].backendRefs, [{ name: 'shop', port: 80, weight: 75 }, { name: 'shop-canary', port: 80, weight: 25 }]);
  assert.deepEqual(split.spec.rules[1], stableRoute('gw').spec.rules[1]);
  assert.equal(await traffic.readWeight('gateway', route('gw')), 25);
  const before = split.metadata.resourceVersion;
  await traffic.setWeight('gateway', route('gw'), 25);
  assert.equal(await rv(`${httpRoutes('gw')}/shop`), before, 'a repeated call writes nothing');

  await traffic.reset('gateway', route('gw'));
  const reset = (await api('GET', `${httpRoutes('gw')}/shop`)).body;
  assert.deepEqual(reset.spec, created.spec);
  assert.equal(reset.metadata.annotations, undefined, 'chartctl\'s record is gone');
  assert.equal(await traffic.readWeight('gateway', route('gw')), undefined);
});

test('gateway: a write that meets someone else\'s change (409) re-reads and keeps their change', async () => {
  await namespace('race');
  await api('POST', httpRoutes('race'), stableRoute('race'));
  // Another writer changes the route between chartctl's read and its write, once.
  let raced = false;
  const racing = new KubeCanaryTraffic({ KUBECONFIG: join(home, 'kubeconfig') });
  const call = (racing as any).call.bind(racing);
  (racing as any).call = async (r: unknown, method: string, path: string, body?: unknown) => {
    if (method === 'PUT' && !raced) {
      raced = true;
      const patched = await api('PATCH', `${httpRoutes('race')}/shop`, { metadata: { labels: { touched: 'yes' } } }, 'application/merge-patch+json');
      assert.equal(patched.status, 200);
    }
    return call(r, method, path, body);
  };
  await racing.setWeight('gateway', route('race'), 10);
  assert.ok(raced);
  const got = (await api('GET', `${httpRoutes('race')}/shop`)).body;
  assert.equal(got.metadata.labels.touched, 'yes', 'the other writer\'s change survived');
  assert.equal(got.spec.rules[0].backendRefs[1].weight, 10);
});

test('a route that is missing, or sends nothing to the stable Service, is refused with a code', async () => {
  await namespace('none');
  await assert.rejects(traffic.setWeight('gateway', route('none'), 10), (err) => isChartctlError(err) && err.code === 'CANARY_ROUTE_NOT_FOUND');
  await assert.rejects(traffic.setWeight('ingress-nginx', route('none'), 10), (err) => isChartctlError(err) && err.code === 'CANARY_ROUTE_NOT_FOUND');
  await api('POST', ingresses('none'), stableIngress('none'));
  await assert.rejects(traffic.setWeight('ingress-nginx', { ...route('none'), stableService: 'other' }, 10), (err) => isChartctlError(err) && err.code === 'CANARY_ROUTE_UNSPLITTABLE');
});
