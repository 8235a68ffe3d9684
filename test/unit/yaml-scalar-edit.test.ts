import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readScalar, setScalar } from '../../src/core/yaml-scalar-edit.js';
import { isOciDigest, isOciTag } from '../../src/core/oci-reference.js';

const values = `# Values for dev only (layered over common.yaml).
api:
  replicaCount: 1   # one is enough in dev
  image:
    # bumped by CI
    tag: "1.1.0-dev.3"
    digest: ''
  flow: {a: 1, b: [x, y]}
web:
  image:
    tag: 1.0.0
`;

test('setScalar changes only the value characters, keeping quotes and comments', () => {
  const edit = setScalar(values, 'dev.yaml', ['api', 'image', 'tag'], '1.2.0');
  assert.equal(edit.changed, true);
  assert.equal(edit.previous, '1.1.0-dev.3');
  assert.equal(edit.text, values.replace('tag: "1.1.0-dev.3"', 'tag: "1.2.0"'));
  const digest = setScalar(edit.text, 'dev.yaml', ['api', 'image', 'digest'], `sha256:${'a'.repeat(64)}`);
  assert.equal(digest.text, edit.text.replace("digest: ''", `digest: 'sha256:${'a'.repeat(64)}'`));
});

test('plain scalars stay plain unless YAML would read the new value as another type', () => {
  assert.equal(setScalar(values, 'v', ['web', 'image', 'tag'], 'v2').text, values.replace('tag: 1.0.0\n', 'tag: v2\n'));
  assert.equal(setScalar(values, 'v', ['web', 'image', 'tag'], '2.0').text, values.replace('tag: 1.0.0\n', 'tag: "2.0"\n'));
  assert.equal(setScalar(values, 'v', ['web', 'image', 'tag'], 'true').text, values.replace('tag: 1.0.0\n', 'tag: "true"\n'));
});

test('setting the same value is a no-op (idempotent)', () => {
  const edit = setScalar(values, 'v', ['web', 'image', 'tag'], '1.0.0');
  assert.equal(edit.changed, false);
  assert.equal(edit.text, values);
});

test('a missing path is refused with a hint', () => {
  assert.throws(() => setScalar(values, 'dev.yaml', ['cart', 'image', 'tag'], 'x'), /dev\.yaml: no scalar value at "cart\.image\.tag"/);
  assert.deepEqual(readScalar(values, 'v', ['api', 'image', 'tag']), { value: '1.1.0-dev.3', found: true });
  assert.equal(readScalar(values, 'v', ['nope']).found, false);
});

test('OCI tag and digest validation', () => {
  for (const ok of ['1.2.3', 'v1', 'latest', '1.4.0-rc.1_build.7', 'A'.repeat(128)]) assert.ok(isOciTag(ok), ok);
  for (const bad of ['', '-x', '.x', 'a/b', 'a:b', 'A'.repeat(129), 'tag with space', '1.2+build']) assert.ok(!isOciTag(bad), bad);
  assert.ok(isOciDigest(`sha256:${'0'.repeat(64)}`));
  assert.ok(!isOciDigest('sha256:xyz'));
});

test('insertSiblingScalar adds a key after its sibling with the same indentation', async () => {
  const { insertSiblingScalar } = await import('../../src/core/yaml-scalar-edit.js');
  const out = insertSiblingScalar(values, 'v', ['web', 'image', 'tag'], 'digest', 'sha256:abc');
  assert.equal(out, values.replace('    tag: 1.0.0\n', '    tag: 1.0.0\n    digest: "sha256:abc"\n'));
  const noNewline = insertSiblingScalar('a:\n  tag: x', 'v', ['a', 'tag'], 'digest', 'd');
  assert.equal(noNewline, 'a:\n  tag: x\n  digest: "d"\n');
});
