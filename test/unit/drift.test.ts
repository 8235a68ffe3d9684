import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectDrift } from '../../src/core/drift.js';

const manifest = `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: web:1.0
---
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  PASSWORD: s3cret-value
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: gone
`;

test('fields changed outside helm are reported; cluster-owned fields are not', () => {
  const live = {
    'v1/Deployment': [
      { kind: 'Deployment', metadata: { name: 'web', namespace: 'ns', uid: 'x', generation: 4 }, spec: { replicas: 5, template: { spec: { containers: [{ name: 'web', image: 'web:1.0', imagePullPolicy: 'IfNotPresent' }] } } }, status: { readyReplicas: 5 } },
    ],
    'v1/Secret': [{ kind: 'Secret', metadata: { name: 'db', namespace: 'ns' }, stringData: { PASSWORD: 'changed-by-hand' } }],
  };
  const drift = detectDrift(manifest, live, 'ns');
  assert.deepEqual(drift, [
    { resource: 'Deployment ns/web', missing: false, fields: [{ path: 'spec.replicas', applied: 2, live: 5 }] },
    { resource: 'Secret ns/db', missing: false, fields: [{ path: 'stringData.PASSWORD', applied: '***', live: '***' }] },
    { resource: 'ConfigMap ns/gone', missing: true, fields: [] },
  ]);
  assert.doesNotMatch(JSON.stringify(drift), /s3cret|changed-by-hand/);
});

test('a quantity the API server stored in its canonical form is not drift; a type change is', () => {
  const applied = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: web\n          resources: {requests: {cpu: 0.5, memory: 1024Mi}, limits: {cpu: 1}}\n`;
  const live = (replicas: unknown) => ({
    'v1/Deployment': [{ kind: 'Deployment', metadata: { name: 'web', namespace: 'ns' }, spec: { replicas, template: { spec: { containers: [{ name: 'web', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1' } } }] } } } }],
  });
  assert.deepEqual(detectDrift(applied, live(1), 'ns'), []);
  assert.deepEqual(detectDrift(applied, live('1'), 'ns'), [{ resource: 'Deployment ns/web', missing: false, fields: [{ path: 'spec.replicas', applied: 1, live: '1' }] }]);
});
