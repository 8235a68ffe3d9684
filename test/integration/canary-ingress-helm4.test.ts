/**
 * Canary with `traffic: ingress-nginx` end to end: the real CLI (one process
 * per command), helm 4 and the simulator. The chart's own Ingress (shop-api)
 * is the stable route; chartctl owns `shop-api-canary` with the canary-weight
 * annotations while a run is recorded, and removes it on promotion and abort.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { helmBinaries } from '../support/project.js';
import { startClusterApp, type ClusterApp } from '../support/cluster-app.js';

const NS = 'shop-dev';
let cluster: ClusterApp;

const ok = (args: string[]) => cluster.ok(args);
const ingress = (name: string) => cluster.sim.getObject('Ingress', NS, name);
const backendOf = (i: ReturnType<typeof ingress>) => i?.spec?.rules?.[0]?.http?.paths?.[0]?.backend?.service?.name;

before(async () => {
  cluster = await startClusterApp({ name: 'canary-ingress', readinessDelayMs: 50, contexts: ['dev', 'staging', 'prod'], helm: helmBinaries.helm4, env: { CHARTCTL_ACTOR: 'canary-tests' } });
  const file = join(cluster.app.dir, 'environments', 'dev.yaml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(
      /deploy: \{timeout: 5m, (.*)\}\n/,
      [
        'deploy:',
        '  timeout: 4s',
        '  strategy:',
        '    canary:',
        '      traffic: ingress-nginx',
        '      ingress: shop-api',
        '      router: {service: shop, backend: api}',
        '      steps:',
        '        - {weight: 20, checks: [smoke]}',
        '        - approve: true',
        '      checks:',
        `        smoke: {command: [${JSON.stringify(process.execPath)}, -e, "process.exit(0)"]}`,
        '',
      ].join('\n'),
    ),
  );
  for (const version of ['1.0.0', '1.0.1', '1.0.2']) await ok(['publish', 'dev', '--version', version]);
  await ok(['deploy', 'dev', '--version', '1.0.0', '--yes']);
});
after(async () => {
  await cluster?.close();
});

test('[helm 4] canary ingress-nginx: a waiting run leaves shop-api-canary at the canary weight; promotion removes it', async () => {
  assert.equal(backendOf(ingress('shop-api')), 'shop-api', 'the chart renders the stable Ingress');
  await ok(['deploy', 'dev', '--version', '1.0.1']);
  const canary = ingress('shop-api-canary');
  assert.equal(canary?.metadata.annotations?.['nginx.ingress.kubernetes.io/canary'], 'true');
  assert.equal(canary?.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight'], '20');
  assert.equal(backendOf(canary), 'shop-canary-api');
  assert.equal(canary?.spec?.rules?.[0]?.host, ingress('shop-api')?.spec?.rules?.[0]?.host, 'same host as the stable Ingress, as ingress-nginx pairs them');
  const s = JSON.parse((await ok(['status', 'dev', '--output', 'json'])).stdout);
  assert.deepEqual([s.canary.state, s.canary.weight], ['awaiting-approval', 20]);

  const r = await ok(['deploy', 'dev', '--resume', '--yes']);
  assert.match(r.stdout, /Promoted 1\.0\.1/);
  assert.equal(ingress('shop-api-canary'), undefined);
  assert.equal(backendOf(ingress('shop-api')), 'shop-api', 'the stable Ingress still sends to stable');
  assert.equal(JSON.parse((await ok(['status', 'dev', '--output', 'json'])).stdout).live.chartVersion, '1.0.1');
});

test('[helm 4] canary ingress-nginx: --abort removes shop-api-canary and the canary release', async () => {
  await ok(['deploy', 'dev', '--version', '1.0.2']);
  assert.equal(ingress('shop-api-canary')?.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight'], '20');
  await ok(['deploy', 'dev', '--abort']);
  assert.equal(ingress('shop-api-canary'), undefined);
  assert.deepEqual(cluster.sim.releases(NS, 'shop-canary'), []);
  assert.equal(backendOf(ingress('shop-api')), 'shop-api');
});
