// The blue/green router Ingress: computed from a slot release's own Ingresses,
// and whether deploy creates it, leaves it, or refuses, over the cases a cluster can have.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ingressHosts, planRouterIngress, routerIngress } from '../../src/core/strategy/router-ingress.js';

const names = { ingress: 'shop', namespace: 'shop-dev', routerService: 'shop', slotService: 'shop-blue-api' };

const slotIngress = (name: string, service: string, host: string, extra: Record<string, any> = {}) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/instance': 'shop-blue' }, annotations: { 'meta.helm.sh/release-name': 'shop-blue', 'meta.helm.sh/release-namespace': 'shop-dev', 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' } },
  spec: {
    ingressClassName: 'nginx',
    tls: [{ hosts: [host, 'other.example'], secretName: `${name}-tls` }],
    rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { name: 'http' } } } }] } }],
    ...extra,
  },
});

test('router Ingress: the slot Service\'s host/paths point at the router Service with the same port; other Services\' Ingresses are left out', () => {
  const objects = [
    { kind: 'Service', metadata: { name: 'shop-blue-api' } },
    slotIngress('shop-blue-api', 'shop-blue-api', 'api.shop.example'),
    slotIngress('shop-blue-web', 'shop-blue-web', 'shop.example'),
  ];
  const ingress = routerIngress(objects, names)!;
  assert.equal(ingress.metadata.name, 'shop');
  assert.equal(ingress.metadata.namespace, 'shop-dev');
  assert.deepEqual(ingress.spec.rules, [{ host: 'api.shop.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop', port: { name: 'http' } } } }] } }]);
  assert.equal(ingress.spec.ingressClassName, 'nginx');
  assert.deepEqual(ingress.spec.tls, [{ hosts: ['api.shop.example'], secretName: 'shop-blue-api-tls' }], 'TLS only for the hosts kept');
  assert.deepEqual(ingressHosts(ingress), ['api.shop.example']);
});

test('router Ingress: chartctl owns it, says which router it fronts, and carries none of helm\'s ownership', () => {
  const ingress = routerIngress([slotIngress('shop-blue-api', 'shop-blue-api', 'api.shop.example')], names)!;
  assert.deepEqual(ingress.metadata.labels, { 'app.kubernetes.io/managed-by': 'chartctl' });
  assert.deepEqual(ingress.metadata.annotations, { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m', 'chartctl.dev/router-service': 'shop' });
  assert.equal(planRouterIngress({ labels: ingress.metadata.labels, annotations: ingress.metadata.annotations }, { ingress: 'shop', service: 'shop' }).kind, 'present');
});

test('router Ingress: only the paths that reach the slot Service, from every rule and Ingress; a rule without a host stays hostless', () => {
  const mixed = slotIngress('shop-blue', 'shop-blue-api', 'api.shop.example', {
    rules: [
      { http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'shop-blue-api', port: { number: 8080 } } } }, { path: '/', pathType: 'Prefix', backend: { service: { name: 'shop-blue-web', port: { number: 80 } } } }] } },
      { host: 'admin.example', http: { paths: [{ path: '/', pathType: 'Exact', backend: { service: { name: 'shop-blue-api', port: { number: 8080 } } } }] } },
    ],
  });
  const ingress = routerIngress([mixed], names)!;
  assert.deepEqual(ingress.spec.rules, [
    { http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'shop', port: { number: 8080 } } } }] } },
    { host: 'admin.example', http: { paths: [{ path: '/', pathType: 'Exact', backend: { service: { name: 'shop', port: { number: 8080 } } } }] } },
  ]);
  assert.equal(ingress.spec.tls, undefined, 'no TLS entry covers a kept host');
  assert.deepEqual(ingressHosts(ingress), ['*', 'admin.example']);
});

test('router Ingress: none when no Ingress of the slot reaches its Service', () => {
  assert.equal(routerIngress([slotIngress('shop-blue-web', 'shop-blue-web', 'shop.example'), { kind: 'Service', metadata: { name: 'shop-blue-api' } }], names), undefined);
  assert.equal(routerIngress([], names), undefined);
});

test('router Ingress plan: create when absent, keep chartctl\'s own for this router, refuse anything else', () => {
  const service = { ingress: 'shop', service: 'shop' };
  assert.deepEqual(planRouterIngress(undefined, service), { kind: 'create' });
  assert.deepEqual(planRouterIngress({ labels: { 'app.kubernetes.io/managed-by': 'chartctl' }, annotations: { 'chartctl.dev/router-service': 'shop' } }, service), { kind: 'present' });
  const helms = planRouterIngress({ labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: {} }, service);
  assert.equal(helms.kind, 'refused');
  assert.match(helms.kind === 'refused' ? helms.reason : '', /Ingress shop exists and chartctl does not own it \(app\.kubernetes\.io\/managed-by: Helm\)/);
  const unlabelled = planRouterIngress({ labels: {}, annotations: { 'chartctl.dev/router-service': 'shop' } }, service);
  assert.match(unlabelled.kind === 'refused' ? unlabelled.reason : '', /managed-by: not set/);
  const canarys = planRouterIngress({ labels: { 'app.kubernetes.io/managed-by': 'chartctl' }, annotations: { 'chartctl.dev/canary-of': 'shop' } }, service);
  assert.match(canarys.kind === 'refused' ? canarys.reason : '', /is chartctl's but is not a blue\/green router Ingress/);
  const others = planRouterIngress({ labels: { 'app.kubernetes.io/managed-by': 'chartctl' }, annotations: { 'chartctl.dev/router-service': 'cart' } }, service);
  assert.match(others.kind === 'refused' ? others.reason : '', /fronts router Service cart, not shop/);
});
