import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findDuplicates, maskSecretsInStream, mayHoldSecret, parseManifestStream, resourceId } from '../../src/core/manifests.js';

const stream = `---
# Source: shop/charts/api/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: shop-api
---
# Source: shop/templates/broken.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: x
  labels: {a: b
---
# Source: shop/templates/empty.yaml
---
# Source: shop/templates/ns.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
# Source: shop/charts/web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: shop-api
  namespace: shop-prod
`;

test('splits a helm stream into documents with their template source, skipping empty ones', () => {
  const docs = parseManifestStream(stream);
  assert.equal(docs.length, 4);
  assert.deepEqual(docs.map((d) => d.source), ['shop/charts/api/templates/service.yaml', 'shop/templates/broken.yaml', 'shop/templates/ns.yaml', 'shop/charts/web/templates/service.yaml']);
  assert.equal(docs[0]!.object?.kind, 'Service');
  assert.equal(docs[0]!.startLine, 2);
});

test('a YAML error in one document is kept as an error with a stream line, others still parse', () => {
  const docs = parseManifestStream(stream);
  const broken = docs[1]!;
  assert.equal(broken.object, undefined);
  assert.ok(broken.error);
  assert.ok(broken.error.line >= 8 && broken.error.line <= 14, `line ${broken.error.line}`);
  assert.equal(docs[2]!.object?.kind, 'Namespace');
});

test('duplicates: same apiVersion/kind/namespace/name, with the release namespace as default', () => {
  const docs = parseManifestStream(stream);
  const dups = findDuplicates(docs, 'shop-prod');
  assert.equal(dups.length, 1);
  assert.equal(dups[0]!.id.name, 'shop-api');
  assert.deepEqual(dups[0]!.documents.map((d) => d.source), ['shop/charts/api/templates/service.yaml', 'shop/charts/web/templates/service.yaml']);
  assert.equal(findDuplicates(docs, 'other').length, 0, 'different namespaces are different resources');
});

test('cluster-scoped kinds have no namespace', () => {
  assert.equal(resourceId({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', namespace: 'x' } }, 'd').namespace, '');
  assert.equal(resourceId({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, 'd').namespace, 'd');
});

test('maskSecretsInStream hides Secret values but keeps keys and other documents', () => {
  const text = `---\n# Source: s.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  PASSWORD: hunter2-very-secret\ndata:\n  TOKEN: c2VjcmV0\n---\n# Source: c.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: visible\n`;
  const masked = maskSecretsInStream(parseManifestStream(text));
  assert.doesNotMatch(masked, /hunter2|c2VjcmV0/);
  assert.match(masked, /PASSWORD: '\*\*\*'/);
  assert.match(masked, /TOKEN: '\*\*\*'/);
  assert.match(masked, /# Source: s\.yaml/);
  assert.match(masked, /k: visible/);
});

test('parseWhen: refused documents are kept as text only, in order, and masking still hides the parsed Secrets', () => {
  const text = `---\n# Source: c.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: visible\n---\n# Source: s.yaml\n{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "stringData": {"PASSWORD": "hunter2"}}\n`;
  const docs = parseManifestStream(text, { parseWhen: mayHoldSecret });
  assert.deepEqual(docs.map((d) => d.source), ['c.yaml', 's.yaml']);
  assert.equal(docs[0]!.object, undefined);
  assert.equal(docs[0]!.error, undefined);
  assert.equal(docs[1]!.object?.kind, 'Secret');
  const masked = maskSecretsInStream(docs);
  assert.doesNotMatch(masked, /hunter2/);
  assert.match(masked, /k: visible/);
});

test('mayHoldSecret is false only without either word and without an escape that could spell one', () => {
  assert.equal(mayHoldSecret('kind: ConfigMap\ndata:\n  secretName: x\n'), false);
  assert.equal(mayHoldSecret('kind: Secret\n'), true);
  assert.equal(mayHoldSecret('{"kind": "SecretList"}'), true);
  assert.equal(mayHoldSecret('kind: v1List\n'), true);
  assert.equal(mayHoldSecret('kind: "Secr\\x65t"\n'), true);
});
