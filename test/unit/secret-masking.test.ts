import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskSecretObject, maskSecretsInStream, parseManifestStream } from '../../src/core/manifests.js';
import { SecretMasker } from '../../src/core/secret-masker.js';

test('maskSecretObject hides data, stringData and the last-applied copy; keys stay visible', () => {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"stringData":{"PASSWORD":"hunter2"}}', team: 'shop' } },
    data: { TOKEN: 'aHVudGVyMg==' },
    stringData: { PASSWORD: 'hunter2\nline two' },
  };
  const masked = maskSecretObject(secret);
  assert.deepEqual(masked.data, { TOKEN: '***' });
  assert.deepEqual(masked.stringData, { PASSWORD: '***' });
  assert.equal(masked.metadata!.annotations!.team, 'shop');
  assert.doesNotMatch(JSON.stringify(masked), /hunter2|aHVudGVyMg/);
  assert.equal(secret.stringData.PASSWORD, 'hunter2\nline two', 'the input is not modified');
  const cm = { kind: 'ConfigMap', data: { a: 'b' } };
  assert.equal(maskSecretObject(cm), cm);
});

test('Secrets inside a List are masked; a placeholder function can mark values (e.g. changed/unchanged)', () => {
  const list = { apiVersion: 'v1', kind: 'List', items: [{ kind: 'Secret', data: { A: 'c2VjcmV0' } }, { kind: 'ConfigMap', data: { B: 'plain' } }] };
  const masked = maskSecretObject(list, { placeholder: (field, key, value) => `*** (${field}.${key}, ${String(value).length} chars)` });
  assert.deepEqual(masked.items, [{ kind: 'Secret', data: { A: '*** (data.A, 8 chars)' } }, { kind: 'ConfigMap', data: { B: 'plain' } }]);
});

test('a Secret that does not parse is hidden whole instead of printed as is', () => {
  const stream = '---\n# Source: shop/templates/secret.yaml\napiVersion: v1\nkind: Secret\nstringData:\n  PASSWORD: "hunter2\n  bad: [\n---\n# Source: c.yaml\nkind: ConfigMap\nmetadata: {name: c}\n';
  const out = maskSecretsInStream(parseManifestStream(stream));
  assert.doesNotMatch(out, /hunter2/);
  assert.match(out, /# Source: shop\/templates\/secret\.yaml\n# chartctl: this Secret does not parse as YAML \(line 2\); its content is hidden/);
  assert.match(out, /kind: ConfigMap/);
});

test('the masker also hides base64 and JSON-escaped forms of a secret', () => {
  const m = new SecretMasker();
  m.add({ password: 'hunter2-value', pem: 'line-one\n"line-two"' });
  assert.equal(m.mask(`data: ${Buffer.from('hunter2-value').toString('base64')}`), 'data: ***');
  assert.equal(m.mask('error: "line-one\\n\\"line-two\\""'), 'error: "***"');
});
