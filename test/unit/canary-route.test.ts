// The canary's edge objects computed from the stable ones: ingress-nginx's
// second Ingress and the HTTPRoute's weights, over the cases a chart can have.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canaryIngress, canaryIngressWeight, CANARY_SPLIT_ANNOTATION, httpRouteWeight, isChartctlCanaryIngress, resetHttpRoute, splitHttpRoute } from '../../src/core/strategy/canary-route.js';

const split = { stableService: 'shop', canaryService: 'shop-canary' };

const stableIngress = () => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'shop', namespace: 'prod', uid: 'u-1', annotations: { 'kubernetes.io/ingress.class': 'nginx', 'nginx.ingress.kubernetes.io/rewrite-target': '/' } },
  spec: {
    ingressClassName: 'nginx',
    tls: [{ hosts: ['shop.example'], secretName: 'shop-tls' }],
    rules: [
      { host: 'shop.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop', port: { name: 'http' } } } }, { path: '/static', pathType: 'Prefix', backend: { service: { name: 'cdn', port: { number: 80 } } } }] } },
      { host: 'admin.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'admin', port: { number: 80 } } } }] } },
    ],
  },
});

test('ingress-nginx: the canary Ingress copies only the stable Service\'s host/paths, points them at the canary, and carries the weight as a percentage', () => {
  const canary = canaryIngress(stableIngress(), split, 10)!;
  assert.equal(canary.metadata.name, 'shop-canary');
  assert.deepEqual(canary.metadata.annotations, {
    'chartctl.dev/canary-of': 'shop',
    'nginx.ingress.kubernetes.io/canary': 'true',
    'nginx.ingress.kubernetes.io/canary-weight': '10',
    'nginx.ingress.kubernetes.io/canary-weight-total': '100',
    'kubernetes.io/ingress.class': 'nginx',
  }, 'the main Ingress\'s other annotations are not copied (ingress-nginx takes them from the main one)');
  assert.deepEqual(canary.spec, { ingressClassName: 'nginx', rules: [{ host: 'shop.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop-canary', port: { name: 'http' } } } }] } }] });
  assert.deepEqual(canary.metadata.ownerReferences, [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'shop', uid: 'u-1' }]);
  assert.ok(isChartctlCanaryIngress(canary, 'shop'));
  assert.ok(!isChartctlCanaryIngress(canary, 'other'));
  assert.equal(canaryIngressWeight(canary), 10);
  assert.deepEqual(canaryIngress(stableIngress(), { ...split, port: 8080 }, 0)!.spec.rules[0].http.paths[0].backend, { service: { name: 'shop-canary', port: { number: 8080 } } });
});

test('ingress-nginx: no canary Ingress when no path reaches the stable Service; weights outside 0-100 are refused', () => {
  assert.equal(canaryIngress(stableIngress(), { stableService: 'nope', canaryService: 'x' }, 10), undefined);
  assert.throws(() => canaryIngress(stableIngress(), split, 101), RangeError);
  assert.throws(() => canaryIngress(stableIngress(), split, 2.5), RangeError);
});

const httpRoute = () => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'shop', namespace: 'prod', annotations: { team: 'web' } },
  spec: {
    parentRefs: [{ name: 'public' }],
    rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-env', value: 'prod' }] } }], backendRefs: [{ name: 'shop', port: 80 }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/admin' } }], backendRefs: [{ name: 'admin', port: 80, weight: 3 }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'shop', port: 8080, weight: 7 }, { name: 'legacy', port: 80, weight: 1 }] },
    ],
  },
});

test('gateway: every rule sending to the stable Service splits stable/canary by weight; matches, filters, other rules and backends stay', () => {
  const route = httpRoute();
  const next = splitHttpRoute(route, split, 10)!;
  assert.deepEqual(next.spec.rules[0].backendRefs, [{ name: 'shop', port: 80, weight: 90 }, { name: 'shop-canary', port: 80, weight: 10 }]);
  assert.deepEqual(next.spec.rules[0].filters, route.spec.rules[0]!.filters);
  assert.deepEqual(next.spec.rules[1], route.spec.rules[1]);
  assert.deepEqual(next.spec.rules[2].backendRefs, [{ name: 'shop', port: 8080, weight: 90 }, { name: 'shop-canary', port: 8080, weight: 10 }, { name: 'legacy', port: 80, weight: 1 }]);
  assert.deepEqual(next.spec.parentRefs, route.spec.parentRefs);
  assert.equal(next.metadata.annotations.team, 'web');
  assert.deepEqual(route, httpRoute(), 'the input is not changed');
  assert.equal(httpRouteWeight(next, split), 10);
  assert.equal(httpRouteWeight(route, split), undefined, 'not split by chartctl');
});

test('gateway: a repeated or later split updates the canary in place and keeps the weights from before the first; reset restores them exactly', () => {
  const at10 = splitHttpRoute(httpRoute(), split, 10)!;
  assert.deepEqual(splitHttpRoute(at10, split, 10), at10, 'idempotent');
  const at50 = splitHttpRoute(at10, split, 50)!;
  assert.deepEqual(at50.spec.rules[0].backendRefs, [{ name: 'shop', port: 80, weight: 50 }, { name: 'shop-canary', port: 80, weight: 50 }]);
  assert.equal(JSON.parse(at50.metadata.annotations[CANARY_SPLIT_ANNOTATION]).stableWeights['2'], 7);
  assert.deepEqual(resetHttpRoute(at50, split), httpRoute());
  assert.equal(resetHttpRoute(httpRoute(), split), undefined, 'nothing to undo on a route chartctl never split');
  assert.equal(splitHttpRoute(httpRoute(), { stableService: 'nope', canaryService: 'x' }, 10), undefined);
});

test('gateway: backendRefs to another kind or namespace with the stable Service\'s name are not the stable Service', () => {
  const route = httpRoute();
  route.spec.rules = [{ matches: [], backendRefs: [{ name: 'shop', port: 80, kind: 'ServiceImport', group: 'multicluster.x-k8s.io' } as never, { name: 'shop', port: 80, namespace: 'other' } as never] }];
  assert.equal(splitHttpRoute(route, split, 10), undefined);
});
