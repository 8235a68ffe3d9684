import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffReleases } from '../../src/core/release-diff.js';

const deployed = `---
# Source: shop/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  a: "1"
  b: two
---
# Source: shop/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: web:1.0.0
---
# Source: shop/templates/hpa.yaml
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  minReplicas: 2
---
# Source: shop/templates/old.yaml
apiVersion: v1
kind: Service
metadata:
  name: old
---
# Source: shop/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  PASSWORD: old-password-value
  USER: shop
`;

const candidate = `---
# Source: shop/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  annotations: null
data:
  b: two
  a: 1
---
# Source: shop/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  labels: {app: web}
  name: web
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          image: web:1.1.0
---
# Source: shop/templates/hpa.yaml
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  minReplicas: 2
---
# Source: shop/templates/new.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: new
---
# Source: shop/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  PASSWORD: new-password-value
  USER: shop
---
# Source: shop/templates/tests/t.yaml
apiVersion: v1
kind: Pod
metadata:
  name: t
  annotations: {helm.sh/hook: test}
`;

test('resource-level changes: added, removed, changed, unchanged; noise ignored', () => {
  const d = diffReleases(deployed, candidate, { namespace: 'ns' });
  const by = (c: string) => d.changes.filter((x) => x.change === c).map((x) => x.resource);
  assert.deepEqual(by('removed'), ['Service ns/old']);
  assert.deepEqual(by('changed'), ['apps/Deployment ns/web', 'Secret ns/db']);
  assert.deepEqual(by('added'), ['ServiceAccount ns/new', 'Pod ns/t']);
  // key order, null annotations and "1" vs 1 are not changes; the HPA moved API version only
  assert.deepEqual(by('unchanged'), ['ConfigMap ns/cfg', 'autoscaling/HorizontalPodAutoscaler ns/web']);
  assert.deepEqual(d.counts, { added: 2, removed: 1, changed: 2, unchanged: 2 });
  assert.equal(d.hasChanges, true);
});

test('kinds that move between API versions are matched by group/kind/name', () => {
  const hpa = diffReleases(deployed, candidate, { namespace: 'ns' }).changes.find((c) => c.kind === 'HorizontalPodAutoscaler')!;
  assert.equal(hpa.apiVersion, 'autoscaling/v2');
  assert.equal(hpa.previousApiVersion, 'autoscaling/v2beta2');
});

test('hooks and tests are flagged and listed after regular resources', () => {
  const d = diffReleases(deployed, candidate, { namespace: 'ns' });
  const t = d.changes.find((c) => c.name === 't')!;
  assert.equal(t.hook, true);
  assert.equal(d.changes.at(-1), t);
});

test('unified diff with context shows the changed lines', () => {
  const web = diffReleases(deployed, candidate, { namespace: 'ns', context: 1 }).changes.find((c) => c.kind === 'Deployment')!;
  assert.match(web.diff!, /^-  replicas: 2$/m);
  assert.match(web.diff!, /^\+  replicas: 3$/m);
  assert.match(web.diff!, /^-\s+- image: web:1\.0\.0$/m);
  assert.match(web.diff!, /^\+\s+- image: web:1\.1\.0$/m);
  assert.match(web.diff!, /^--- apps\/Deployment ns\/web \(deployed\)/m);
});

test('Secret values are masked: changed keys listed, values never shown', () => {
  const db = diffReleases(deployed, candidate, { namespace: 'ns' }).changes.find((c) => c.kind === 'Secret')!;
  assert.deepEqual(db.secretKeysChanged, ['stringData.PASSWORD']);
  assert.doesNotMatch(db.diff!, /password-value/);
  assert.match(db.diff!, /^-\s+PASSWORD: '\*\*\* \(before\)'$/m);
  assert.match(db.diff!, /^\+\s+PASSWORD: '\*\*\* \(after\)'$/m);
  const shown = diffReleases(deployed, candidate, { namespace: 'ns', showSecrets: true }).changes.find((c) => c.kind === 'Secret')!;
  assert.match(shown.diff!, /new-password-value/);
});

test('a release that does not exist yet shows everything as added', () => {
  const d = diffReleases('', candidate, { namespace: 'ns' });
  assert.equal(d.counts.added, 6);
  assert.equal(d.counts.removed + d.counts.changed + d.counts.unchanged, 0);
});

test('identical manifests have no changes', () => {
  const d = diffReleases(deployed, deployed, { namespace: 'ns' });
  assert.equal(d.hasChanges, false);
  assert.equal(d.counts.unchanged, 5);
});
