import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseRollbackTarget,
  decodeProvenance,
  encodeProvenance,
  liveRevision,
  pendingRevision,
  splitChartField,
  toRevisionInfo,
  type RevisionInfo,
} from '../../src/core/release-history.js';

const rev = (revision: number, status: string, tests?: RevisionInfo['tests']): RevisionInfo => ({
  revision,
  status,
  tests,
  updated: '',
  chartName: 'shop',
  chartVersion: `1.${revision}.0`,
  appVersion: '1',
  description: '',
});

test('provenance round-trips through the helm description', () => {
  const p = { version: '1.4.0', digest: 'sha256:ab', source: 's3://acme/prod', commit: 'abc123', actor: 'ci-bot' };
  const text = encodeProvenance(p);
  assert.match(text, /^chartctl \{/);
  assert.deepEqual(decodeProvenance(text), p);
  assert.equal(decodeProvenance('Upgrade complete'), undefined);
  assert.equal(decodeProvenance('chartctl {not json'), undefined);
});

test('chart field splits on the version, names with dashes included', () => {
  assert.deepEqual(splitChartField('shop-1.4.0-dev.3+g1a2b'), { name: 'shop', version: '1.4.0-dev.3+g1a2b' });
  assert.deepEqual(splitChartField('my-app-chart-0.1.0'), { name: 'my-app-chart', version: '0.1.0' });
  const info = toRevisionInfo({ revision: 3, updated: 't', status: 'deployed', chart: 'shop-2.0.0', app_version: '2', description: encodeProvenance({ version: '2.0.0', source: 'local' }) });
  assert.equal(info.chartVersion, '2.0.0');
  assert.equal(info.provenance?.source, 'local');
});

test('default rollback target skips failed revisions and revisions whose tests failed', () => {
  const history = [rev(1, 'superseded', 'passed'), rev(2, 'superseded', 'failed'), rev(3, 'failed'), rev(4, 'deployed', 'passed')];
  assert.equal(chooseRollbackTarget(history)?.revision, 1);
  assert.equal(chooseRollbackTarget([rev(1, 'superseded'), rev(2, 'deployed')])?.revision, 1, 'tests not run is acceptable');
  assert.equal(chooseRollbackTarget([rev(1, 'failed'), rev(2, 'failed')]), undefined);
});

test('a stuck release: pending newest revision; live revision is the deployed one', () => {
  const history = [rev(1, 'superseded'), rev(2, 'deployed'), rev(3, 'pending-upgrade')];
  assert.equal(pendingRevision(history)?.revision, 3);
  assert.equal(liveRevision(history)?.revision, 2);
  assert.equal(chooseRollbackTarget(history)?.revision, 2);
  assert.equal(pendingRevision([rev(1, 'deployed')]), undefined);
});

test('unreadyWorkloads names Deployments below their replica count', async () => {
  const { unreadyWorkloads } = await import('../../src/core/workload-readiness.js');
  const resources = {
    'v1/Deployment': [
      { kind: 'Deployment', metadata: { name: 'web', generation: 3 }, spec: { replicas: 2 }, status: { readyReplicas: 1, observedGeneration: 3 } },
      { kind: 'Deployment', metadata: { name: 'api', generation: 2 }, spec: { replicas: 1 }, status: { readyReplicas: 1, observedGeneration: 2 } },
    ],
    'v1/Service': [{ kind: 'Service', metadata: { name: 'web' } }],
  };
  assert.deepEqual(unreadyWorkloads(resources, 'ns'), ['Deployment ns/web: 1/2 ready']);
});
