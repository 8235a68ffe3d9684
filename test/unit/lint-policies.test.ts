import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPolicies, imageTag } from '../../src/core/lint-policies.js';
import { parseManifestStream } from '../../src/core/manifests.js';
import { parseHelmLintOutput } from '../../src/core/helm-lint-output.js';

const deployment = (container: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
${container}`;

const good = `        - name: web
          image: nginx:1.27
          resources: {requests: {cpu: 10m, memory: 10Mi}, limits: {cpu: 1, memory: 100Mi}}
          livenessProbe: {httpGet: {path: /, port: 80}}
          readinessProbe: {httpGet: {path: /, port: 80}}
`;

test('imageTag understands registries with ports and digests', () => {
  assert.equal(imageTag('nginx'), '');
  assert.equal(imageTag('nginx:1.2'), '1.2');
  assert.equal(imageTag('registry:5000/team/app'), '');
  assert.equal(imageTag('registry:5000/team/app:v1'), 'v1');
  assert.equal(imageTag('app@sha256:abc'), 'digest');
});

test('a well-formed Deployment passes every policy', () => {
  assert.deepEqual(checkPolicies(parseManifestStream(deployment(good)), 'ns', {}), []);
});

test('latest tag, missing tag, missing resources and probes are warnings by default', () => {
  const docs = parseManifestStream(deployment(`        - name: web\n          image: nginx:latest\n        - name: side\n          image: busybox\n          resources: {requests: {cpu: 1m}}\n`));
  const findings = checkPolicies(docs, 'ns', {}, 'dev');
  const byCheck = (c: string) => findings.filter((f) => f.check === c);
  assert.equal(byCheck('image-tag').length, 2);
  assert.match(byCheck('image-tag')[0]!.message, /latest/);
  assert.match(byCheck('image-tag')[1]!.message, /no tag/);
  assert.equal(byCheck('resources').length, 2);
  assert.match(byCheck('resources')[1]!.message, /requests\.memory, limits\.cpu, limits\.memory/);
  assert.equal(byCheck('probes').length, 2);
  assert.ok(findings.every((f) => f.severity === 'warning' && f.env === 'dev' && f.resource === 'apps/v1/Deployment ns/web'));
});

test('policies can be raised to error or turned off per environment', () => {
  const docs = parseManifestStream(deployment(`        - name: web\n          image: nginx:latest\n`));
  const findings = checkPolicies(docs, 'ns', { 'image-tag': 'error', resources: 'off', probes: 'off' });
  assert.deepEqual(findings.map((f) => [f.check, f.severity]), [['image-tag', 'error']]);
});

test('hook pods (helm tests) are not held to workload policies', () => {
  const docs = parseManifestStream(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations: {helm.sh/hook: test}\nspec:\n  containers: [{name: t, image: busybox}]\n`);
  assert.deepEqual(checkPolicies(docs, 'ns', {}), []);
});

test('helm lint output becomes findings with severity and template', () => {
  const out = `==> Linting charts/shop\n[INFO] Chart.yaml: icon is recommended\n[ERROR] templates/deployment.yaml: unable to parse YAML: error converting YAML to JSON\n[WARNING] templates/: directory not found\n\nError: 1 chart(s) linted, 1 chart(s) failed\n`;
  const f = parseHelmLintOutput(out, 'prod');
  assert.deepEqual(f.map((x) => [x.severity, x.source]), [['info', 'Chart.yaml'], ['error', 'templates/deployment.yaml'], ['warning', 'templates/']]);
  assert.match(f[1]!.message, /unable to parse YAML/);
});
