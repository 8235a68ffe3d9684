import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rollbackBlueGreen } from '../../src/actions/blue-green-rollback.js';
import { MemoryTrafficRouters } from '../../src/adapters/memory-traffic-routers.js';
import { parseEnvironment } from '../../src/core/environment-file.js';
import { ChartctlError } from '../../src/core/errors.js';
import type { BlueGreenStrategy } from '../../src/core/strategy/strategy-config.js';
import { fakeDeps } from '../support/fake-deps.js';

const env = parseEnvironment('dev', 'environments/dev.yaml', `chart: charts/shop
release: shop
namespace: shop-dev
kubeVersion: "1.33"
repository: {url: s3://acme-charts/dev}
deploy: {strategy: {blueGreen: {router: {service: shop, backend: api}}}}
`);
const strategy = env.deploy.strategy as BlueGreenStrategy;
const target = { namespace: 'shop-dev' };

/** green live (revision 1), blue served before at revision 3; one write so far. */
async function world(blue = { revision: 3, status: 'deployed' }) {
  const routers = new MemoryTrafficRouters();
  await routers.writeService(target, 'shop', { selector: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'shop-green' }, ports: [{ name: 'http', port: 80 }], liveSlot: 'green', previous: { slot: 'blue', revision: 3 } });
  routers.heads.set('shop-blue', blue);
  routers.heads.set('shop-green', { revision: 1, status: 'deployed' });
  // No helm: a switch back must not need one.
  return { routers, deps: fakeDeps({ routers, helm: () => assert.fail('a switch back runs no helm') }) };
}

test('switch back: one write moves the selector to the previous slot and records the slot it left', async () => {
  const { routers, deps } = await world();
  const outcome = await rollbackBlueGreen(deps, env, strategy, { env: 'dev', yes: true });
  assert.equal(outcome.kind, 'switchedBack');
  assert.deepEqual(outcome.kind === 'switchedBack' && [outcome.slot, outcome.from], ['blue', 'green']);
  assert.equal(routers.writes, 2, 'exactly one write for the switch');
  const service = await routers.readService(target, 'shop');
  assert.deepEqual(service?.selector, { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'shop-blue' });
  assert.deepEqual([service?.liveSlot, service?.previous], ['blue', { slot: 'green', revision: 1 }]);
});

test('switch back is refused, with no write, when the previous slot no longer holds the revision that served', async () => {
  const { routers, deps } = await world({ revision: 4, status: 'failed' });
  await assert.rejects(rollbackBlueGreen(deps, env, strategy, { env: 'dev', yes: true }), (err: unknown) => {
    assert.ok(err instanceof ChartctlError);
    assert.equal(err.code, 'NOTHING_TO_SWITCH_BACK');
    assert.match(err.message, /slot blue now holds revision 4 \(failed\), not revision 3 that served/);
    return true;
  });
  assert.equal(routers.writes, 1);
});

test('--dry-run plans the switch and writes nothing; without --yes or a terminal it is refused; a revision is refused', async () => {
  const { routers, deps } = await world();
  const planned = await rollbackBlueGreen(deps, env, strategy, { env: 'dev', dryRun: true });
  assert.equal(planned.kind, 'planned');
  assert.deepEqual(planned.plan.blueGreen, { router: 'shop', from: 'green', to: 'blue' });
  await assert.rejects(rollbackBlueGreen(deps, env, strategy, { env: 'dev' }), (err: unknown) => err instanceof ChartctlError && err.code === 'NOT_CONFIRMED');
  await assert.rejects(rollbackBlueGreen(deps, env, strategy, { env: 'dev', yes: true, revision: 2 }), (err: unknown) => err instanceof ChartctlError && err.code === 'USAGE');
  assert.equal(routers.writes, 1);
});
