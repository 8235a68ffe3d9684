// What progressive delivery relies on in the simulator: Services select Pods by
// labels and EndpointSlices list them with their readiness; a readiness fault
// can hit one helm release; Ingress and (once its CRD is installed) Gateway API
// HTTPRoute objects are stored and served as written.
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

const api = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
  const res = await fetch(`${sim.url}${path}`, { method, headers: { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

/** Polls the simulator's state until `check` holds; fails with the last state after `ms`. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string, ms = 5000): Promise<T> {
  const deadline = performance.now() + ms;
  let last: T;
  do {
    last = await read();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 20));
  } while (performance.now() < deadline);
  assert.fail(`${what}; last seen: ${JSON.stringify(last)}`);
}

async function namespace(name: string) {
  assert.equal((await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } })).status, 201);
}

/** A Deployment as helm installs it for `release` (helm's ownership annotations included). */
function deployment(ns: string, release: string, track: string, replicas: number, image = 'shop:1') {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${release}-web`, namespace: ns, annotations: { 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': ns }, labels: { 'app.kubernetes.io/managed-by': 'Helm' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'shop', release } },
      template: { metadata: { labels: { app: 'shop', release, track } }, spec: { containers: [{ name: 'web', image, ports: [{ name: 'http', containerPort: 8080 }] }] } },
    },
  };
}

const service = (ns: string, name: string, selector: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
});

async function slices(ns: string, svc: string) {
  const list = await api('GET', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${svc}`)}`);
  assert.equal(list.status, 200);
  return list.body.items as Array<Record<string, any>>;
}

/** release -> [ready, not ready] endpoint counts of the Service's slice. */
async function endpointsByRelease(ns: string, svc: string): Promise<Record<string, [number, number]>> {
  const [slice] = await slices(ns, svc);
  const out: Record<string, [number, number]> = {};
  for (const e of slice?.endpoints ?? []) {
    const pod = sim.getObject('Pod', ns, e.targetRef.name);
    const release = String(pod?.metadata.labels?.release);
    out[release] ??= [0, 0];
    out[release]![e.conditions.ready ? 0 : 1]++;
  }
  return out;
}

test('a Service\'s EndpointSlice lists the ready Pods of every release its selector matches (the canary\'s share of endpoints)', async () => {
  await namespace('eps');
  assert.equal((await api('POST', '/apis/apps/v1/namespaces/eps/deployments', deployment('eps', 'shop', 'stable', 3))).status, 201);
  assert.equal((await api('POST', '/apis/apps/v1/namespaces/eps/deployments', deployment('eps', 'shop-canary', 'canary', 1))).status, 201);
  assert.equal((await api('POST', '/api/v1/namespaces/eps/services', service('eps', 'shop', { app: 'shop' }))).status, 201);
  const byRelease = await eventually(() => endpointsByRelease('eps', 'shop'), (b) => b.shop?.[0] === 3 && b['shop-canary']?.[0] === 1, 'stable 3 + canary 1 ready endpoints');
  assert.deepEqual(byRelease, { shop: [3, 0], 'shop-canary': [1, 0] });
  const [slice] = await slices('eps', 'shop');
  assert.equal(slice!.addressType, 'IPv4');
  assert.deepEqual(slice!.ports, [{ name: 'http', protocol: 'TCP', port: 8080 }], 'the named targetPort resolved against the container port');
  assert.equal(new Set(slice!.endpoints.map((e: { addresses: string[] }) => e.addresses[0])).size, 4, 'one address per Pod');
  assert.equal(slice!.metadata.ownerReferences[0].kind, 'Service');
});

test('switching a Service\'s selector moves every endpoint to the other release in one update (blue/green)', async () => {
  await namespace('bg');
  await api('POST', '/apis/apps/v1/namespaces/bg/deployments', deployment('bg', 'shop-blue', 'blue', 2));
  await api('POST', '/apis/apps/v1/namespaces/bg/deployments', deployment('bg', 'shop-green', 'green', 2, 'shop:2'));
  await api('POST', '/api/v1/namespaces/bg/services', service('bg', 'shop', { app: 'shop', release: 'shop-blue' }));
  await eventually(() => endpointsByRelease('bg', 'shop'), (b) => b['shop-blue']?.[0] === 2, 'blue serving');
  assert.deepEqual(await endpointsByRelease('bg', 'shop'), { 'shop-blue': [2, 0] }, 'green receives nothing before the switch');
  const patched = await api('PATCH', '/api/v1/namespaces/bg/services/shop', { spec: { selector: { app: 'shop', release: 'shop-green' } } }, 'application/strategic-merge-patch+json');
  assert.equal(patched.status, 200);
  const after = await eventually(() => endpointsByRelease('bg', 'shop'), (b) => b['shop-green']?.[0] === 2, 'green serving');
  assert.deepEqual(after, { 'shop-green': [2, 0] }, 'blue left the slice entirely');
});

test('a readiness fault on one helm release (ns/release/NAME) leaves only that release\'s Pods not ready; clearing it recovers them', async () => {
  await namespace('flt');
  sim.injectFault('flt/release/shop-canary', 'never-ready');
  await api('POST', '/apis/apps/v1/namespaces/flt/deployments', deployment('flt', 'shop', 'stable', 2));
  await api('POST', '/apis/apps/v1/namespaces/flt/deployments', deployment('flt', 'shop-canary', 'canary', 1, 'shop:2'));
  await api('POST', '/api/v1/namespaces/flt/services', service('flt', 'shop', { app: 'shop' }));
  const broken = await eventually(() => endpointsByRelease('flt', 'shop'), (b) => b.shop?.[0] === 2 && b['shop-canary']?.[1] === 1, 'stable ready, canary listed not ready');
  assert.deepEqual(broken, { shop: [2, 0], 'shop-canary': [0, 1] });
  const canary = sim.getObject('Deployment', 'flt', 'shop-canary-web');
  assert.equal(canary?.status?.readyReplicas ?? 0, 0, 'the canary Deployment is not ready either');
  sim.injectFault('flt/release/shop-canary', 'clear');
  assert.deepEqual(await eventually(() => endpointsByRelease('flt', 'shop'), (b) => b['shop-canary']?.[0] === 1, 'canary recovered'), { shop: [2, 0], 'shop-canary': [1, 0] });
});

test('Ingress objects are stored and served as written (ingress-nginx canary annotations included)', async () => {
  await namespace('ing');
  const ingress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'shop-canary', namespace: 'ing', annotations: { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '10' } },
    spec: { ingressClassName: 'nginx', rules: [{ host: 'shop.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop-canary', port: { number: 80 } } } }] } }] },
  };
  assert.equal((await api('POST', '/apis/networking.k8s.io/v1/namespaces/ing/ingresses', ingress)).status, 201);
  const patched = await api('PATCH', '/apis/networking.k8s.io/v1/namespaces/ing/ingresses/shop-canary', { metadata: { annotations: { 'nginx.ingress.kubernetes.io/canary-weight': '50' } } }, 'application/merge-patch+json');
  assert.equal(patched.status, 200);
  const got = (await api('GET', '/apis/networking.k8s.io/v1/namespaces/ing/ingresses/shop-canary')).body;
  assert.equal(got.metadata.annotations['nginx.ingress.kubernetes.io/canary-weight'], '50');
  assert.deepEqual(got.spec.rules[0].http.paths[0].backend, { service: { name: 'shop-canary', port: { number: 80 } } });
});

test('HTTPRoute is served only once the Gateway API CRD is installed, and keeps its backendRefs weights', async () => {
  await namespace('gw');
  const route = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'shop', namespace: 'gw' },
    spec: { parentRefs: [{ name: 'public' }], rules: [{ backendRefs: [{ name: 'shop', port: 80, weight: 90 }, { name: 'shop-canary', port: 80, weight: 10 }] }] },
  };
  assert.equal((await api('POST', '/apis/gateway.networking.k8s.io/v1/namespaces/gw/httproutes', route)).status, 404, 'no HTTPRoute kind before the CRD');
  const crd = {
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
  assert.equal((await api('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status, 201);
  assert.equal((await api('POST', '/apis/gateway.networking.k8s.io/v1/namespaces/gw/httproutes', route)).status, 201);
  const weights = [{ name: 'shop', port: 80, weight: 50 }, { name: 'shop-canary', port: 80, weight: 50 }];
  const patched = await api('PATCH', '/apis/gateway.networking.k8s.io/v1/namespaces/gw/httproutes/shop', { spec: { rules: [{ backendRefs: weights }] } }, 'application/merge-patch+json');
  assert.equal(patched.status, 200);
  const got = (await api('GET', '/apis/gateway.networking.k8s.io/v1/namespaces/gw/httproutes/shop')).body;
  assert.deepEqual(got.spec.rules[0].backendRefs, weights);
  assert.deepEqual(got.spec.parentRefs, [{ name: 'public' }]);
});
