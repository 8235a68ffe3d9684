// Creating the blue/green router Ingress over the memory router, with the
// races a second writer can cause injected deterministically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRouterIngress } from '../../src/actions/deploy/router-ingress.js';
import { MemoryTrafficRouters } from '../../src/adapters/memory-traffic-routers.js';
import type { RouterTarget } from '../../src/adapters/traffic-router.js';
import { parseEnvironment } from '../../src/core/environment-file.js';
import { ChartctlError } from '../../src/core/errors.js';
import type { KubeObject } from '../../src/core/manifests.js';
import type { BlueGreenStrategy } from '../../src/core/strategy/strategy-config.js';
import { fakeDeps } from '../support/fake-deps.js';

const env = parseEnvironment('dev', 'environments/dev.yaml', `chart: charts/shop
release: shop
namespace: shop-dev
kubeVersion: "1.33"
repository: {url: s3://acme-charts/dev}
deploy: {strategy: {blueGreen: {router: {service: shop, ingress: shop-edge, backend: api}}}}
`);
const strategy = env.deploy.strategy as BlueGreenStrategy;
const slot = { slot: 'blue', release: 'shop-blue' };
const slotIngress = (service: string) =>
  ({ kind: 'Ingress', metadata: { name: service }, spec: { rules: [{ host: 'api.shop.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { name: 'http' } } } }] } }] } }) as KubeObject;

/** A router whose create meets an Ingress someone else created just before (the 409 a real API server answers). */
class RacedRouters extends MemoryTrafficRouters {
  constructor(private readonly first: Record<string, any>) {
    super();
  }
  override async createIngress(target: RouterTarget, ingress: Record<string, any>) {
    this.ingresses.set(`${target.namespace}/${ingress.metadata.name}`, this.first);
    return super.createIngress(target, ingress);
  }
}

test('router Ingress: created from the slot Ingress, in the environment\'s namespace, pointing at the router Service', async () => {
  const routers = new MemoryTrafficRouters();
  await createRouterIngress(fakeDeps({ routers }), env, strategy, 'shop-edge', [slotIngress('shop-blue-api')], slot, 'shop-blue-api');
  const created = routers.ingresses.get('shop-dev/shop-edge');
  assert.equal(created?.metadata.namespace, 'shop-dev');
  assert.equal(created?.spec.rules[0].http.paths[0].backend.service.name, 'shop');
  assert.deepEqual(await routers.readIngress({ namespace: 'shop-dev' }, 'shop-edge').then((i) => i?.hosts), ['api.shop.example']);
});

test('router Ingress: a slot with no Ingress to its Service stops before the switch, and nothing is created', async () => {
  const routers = new MemoryTrafficRouters();
  await assert.rejects(createRouterIngress(fakeDeps({ routers }), env, strategy, 'shop-edge', [slotIngress('shop-blue-web')], slot, 'shop-blue-api'), (err: unknown) => {
    assert.ok(err instanceof ChartctlError);
    assert.equal(err.code, 'BLUE_GREEN_NO_INGRESS');
    assert.match(err.message, /Release shop-blue has no Ingress with a path to Service shop-blue-api: .*traffic was not moved/);
    return true;
  });
  assert.equal(routers.ingresses.size, 0);
});

test('router Ingress: a foreign one created meanwhile stops the switch and is left as it is', async () => {
  const theirs = { metadata: { name: 'shop-edge', labels: { 'app.kubernetes.io/managed-by': 'Helm' } }, spec: { rules: [] } };
  const routers = new RacedRouters(theirs);
  await assert.rejects(createRouterIngress(fakeDeps({ routers }), env, strategy, 'shop-edge', [slotIngress('shop-blue-api')], slot, 'shop-blue-api'), (err: unknown) => {
    assert.ok(err instanceof ChartctlError);
    assert.equal(err.code, 'ROUTER_INGRESS_NOT_OWNED');
    assert.match(err.message, /stopped before the switch: Ingress shop-edge exists and chartctl does not own it/);
    return true;
  });
  assert.equal(routers.ingresses.get('shop-dev/shop-edge'), theirs);
});

test('router Ingress: chartctl\'s own created meanwhile (a concurrent deploy) is fine', async () => {
  const ours = { metadata: { name: 'shop-edge', labels: { 'app.kubernetes.io/managed-by': 'chartctl' }, annotations: { 'chartctl.dev/router-service': 'shop' } }, spec: { rules: [] } };
  const routers = new RacedRouters(ours);
  await createRouterIngress(fakeDeps({ routers }), env, strategy, 'shop-edge', [slotIngress('shop-blue-api')], slot, 'shop-blue-api');
  assert.equal(routers.ingresses.get('shop-dev/shop-edge'), ours);
});
