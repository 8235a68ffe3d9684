import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAliasLimit, billionLaughs, mergeKeyBomb } from '../support/yaml-bombs.js';
import { parseLocatedYaml, parseYamlFast } from '../../src/core/yaml-source.js';
import { parseChartIndex } from '../../src/core/chart-index.js';
import { parseChartMetadata } from '../../src/core/chart-metadata.js';
import { parseManifestStream } from '../../src/core/manifests.js';
import { readManifestText } from '../../src/core/schema/manifest-input.js';
import { parsePlainText } from '../../src/core/sops/sops-file.js';

// Bombs are sized so that the code before the alias check fails these tests quickly (it never refused, so
// the parse returned shared values, or walked up to a million copies) instead of running out of memory.

test('a billion-laughs values file is refused by parseYamlFast (values and environment files) naming the file', () => {
  assert.throws(() => parseYamlFast(billionLaughs(9), 'envs/dev/values.yaml'), (err) => assertAliasLimit(err, 'envs/dev/values.yaml'));
});

test('a billion-laughs document is refused by the yaml-package reader (environment files, .sops.yaml) with the same code', () => {
  assert.throws(() => parseLocatedYaml(billionLaughs(9), 'envs/dev/environment.yaml'), (err) => assertAliasLimit(err, 'envs/dev/environment.yaml'));
});

test('a merge-key bomb in a manifest is reported as that document\'s YAML error, the others still read', () => {
  const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n${mergeKeyBomb(40).replace(/^/gm, '  ')}`;
  const docs = readManifestText('manifests.yaml', text, { duplicateKeys: false });
  assert.equal(docs.length, 2);
  assert.deepEqual(docs[0]!.value, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok' } });
  assert.match(docs[1]!.error?.message ?? '', /excessive aliasing/);
  assert.equal(docs[1]!.value, undefined);
});

test('a bomb in helm\'s rendered output is that document\'s error (lint reports it)', () => {
  const stream = `---\n# Source: shop/templates/bomb.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n${billionLaughs(9, '  ')}`;
  const [doc] = parseManifestStream(stream);
  assert.match(doc!.error?.message ?? '', /excessive aliasing/);
  assert.equal(doc!.object, undefined);
});

test('parseChartIndex refuses an index with anchors in top-level keys, naming the S3 key', () => {
  const text = `apiVersion: v1\n${billionLaughs(9)}entries: {}\ngenerated: "2026-01-01T00:00:00Z"\n`;
  assert.throws(() => parseChartIndex(text, 's3://charts/dev/index.yaml'), (err) => {
    assertAliasLimit(err, 's3://charts/dev/index.yaml');
    assert.match((err as { hint: string }).hint, /repo reindex/);
    return true;
  });
});

test('parseChartIndex refuses anchors in one entry\'s annotations', () => {
  const text = `apiVersion: v1\nentries:\n  web:\n  - name: web\n    version: 1.0.0\n    annotations:\n${billionLaughs(6, '      ')}generated: "2026-01-01T00:00:00Z"\n`;
  assert.throws(() => parseChartIndex(text, 's3://charts/dev/index.yaml'), (err) => assertAliasLimit(err, 's3://charts/dev/index.yaml'));
});

test('parseChartMetadata refuses an alias bomb in Chart.yaml', () => {
  const text = `apiVersion: v2\nname: web\nversion: 1.0.0\nannotations:\n${billionLaughs(6, '  ')}`;
  assert.throws(() => parseChartMetadata(text, 'web-1.0.0.tgz/Chart.yaml'), (err) => assertAliasLimit(err, 'web-1.0.0.tgz/Chart.yaml'));
});

test('a sops YAML file refuses an alias bomb before expanding aliases into copies', () => {
  // Five levels only: the reader before this check expanded it (100,000 copies) rather than hanging the test.
  assert.throws(() => parsePlainText(billionLaughs(5), 'yaml', 'secrets.yaml'), (err) => assertAliasLimit(err, 'secrets.yaml'));
  const doc = parsePlainText('a: &a {x: 1}\nb: *a\n', 'yaml', 'secrets.yaml');
  assert.equal(JSON.stringify(doc.branches[0]!.items.map((i) => ('key' in i ? i.key : ''))), '["a","b"]');
});
