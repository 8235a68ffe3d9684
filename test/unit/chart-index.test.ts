import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from 'js-yaml';
import { chartIndexEntry, emptyChartIndex, findEntry, parseChartIndex, serializeChartIndex, withEntry, provenanceFromMetadata, provenanceToMetadata } from '../../src/core/chart-index.js';
import { emitGoYaml, goYamlKeyCompare } from '../../src/core/go-yaml-style.js';
import { isChartctlError } from '../../src/core/errors.js';

const metadata = { apiVersion: 'v2', name: 'shop', version: '1.0.0', appVersion: '1.0.0', description: 'The shop application (API and web front end), deployed per environment by chartctl.', type: 'application' };
const at = new Date('2026-01-02T03:04:05.678Z');

test('an index written by chartctl has the layout helm repo index writes', () => {
  const entry = chartIndexEntry(metadata, { digest: 'ab'.repeat(32), created: at.toISOString(), url: 'shop-1.0.0.tgz' });
  const text = serializeChartIndex(withEntry(emptyChartIndex(at), entry, at));
  assert.equal(
    text,
    `apiVersion: v1
entries:
  shop:
  - apiVersion: v2
    appVersion: 1.0.0
    created: "2026-01-02T03:04:05.678Z"
    description: The shop application (API and web front end), deployed per environment
      by chartctl.
    digest: ${'ab'.repeat(32)}
    name: shop
    type: application
    urls:
    - shop-1.0.0.tgz
    version: 1.0.0
generated: "2026-01-02T03:04:05.678Z"
`,
  );
});

test('versions are kept newest first and a version is replaced, not duplicated', () => {
  let index = emptyChartIndex(at);
  for (const v of ['1.0.0', '1.10.0', '1.2.0', '1.10.0-dev.3', '1.2.0']) {
    index = withEntry(index, chartIndexEntry({ ...metadata, version: v }, { digest: v, created: at.toISOString(), url: `shop-${v}.tgz` }), at);
  }
  assert.deepEqual(index.entries.shop!.map((e) => e.version), ['1.10.0', '1.10.0-dev.3', '1.2.0', '1.0.0']);
  const reparsed = parseChartIndex(serializeChartIndex(index), 'index.yaml');
  assert.deepEqual(reparsed.entries.shop!.map((e) => e.version), ['1.10.0', '1.10.0-dev.3', '1.2.0', '1.0.0']);
  assert.equal(findEntry(reparsed, 'shop', '1.2.0')?.digest, '1.2.0');
});

test('parsing keeps unknown fields and reads number-looking versions as text', () => {
  const index = parseChartIndex('apiVersion: v1\nentries:\n  x:\n  - name: x\n    version: 1.0\n    appVersion: 2\n    custom: {a: 1}\n    urls: [x-1.0.tgz]\ngenerated: "2020-01-01T00:00:00Z"\nserverInfo: {contextPath: /x}\n', 'i');
  assert.equal(index.entries.x![0]!.version, '1');
  assert.equal(index.entries.x![0]!.appVersion, '2');
  assert.deepEqual(index.entries.x![0]!.custom, { a: 1 });
  assert.match(serializeChartIndex(index), /serverInfo:\n {2}contextPath: \/x/);
});

test('a corrupt index is refused with a pointer to repo reindex', () => {
  for (const text of ['entries: [', 'just text', 'entries: {}\n', 'apiVersion: v1\nentries:\n  x: 3\n', 'apiVersion: v1\nentries:\n  x:\n  - 3\n', 'apiVersion: v1\nentries:\n  x:\n  - name: x\n    urls: a.tgz\n']) {
    assert.throws(
      () => parseChartIndex(text, 's3://b/dev/index.yaml'),
      (err: unknown) => isChartctlError(err) && err.code === 'INDEX_CORRUPT' && err.message.includes('s3://b/dev/index.yaml') && (err.hint ?? '').includes('repo reindex'),
      text,
    );
  }
});

test('strings that YAML would read as another type are quoted, everything round-trips', () => {
  const tricky = ['true', 'no', 'on', 'null', '~', '1.0', '010', '0x1f', '1e3', '12:30', '2026-01-01', '', ' lead', 'trail ', 'a: b', 'a #b', '#x', '- x', '*x', '&x', '!x', '%x', '@x', '`x', "'x", '"x', 'line\nbreak', 'keep\n\n', ' lead\nline', '\nleading', 'a\n b', 'last\n', "it's '>=1.0'", 'tab\there', 'ünïcode ✓', 'a, b [c] {d}', 'https://example.com/x?y=1#z', '=', '<<', '1.0.0', 'v1.2.3-rc.1+build.5', '09', '0o17', '-0099', '+7'];
  const value = Object.fromEntries(tricky.map((t, i) => [`k${i}`, t]));
  const text = emitGoYaml({ value, list: tricky });
  assert.deepEqual(load(text), { value, list: tricky });
  assert.ok(text.includes(`k${tricky.indexOf('1.0.0')}: 1.0.0\n`));
  assert.match(text, /k0: "true"\n/);
});

test('keys sort like go-yaml: numbers inside names compare numerically', () => {
  assert.deepEqual(['chart-10', 'chart-9', 'Chart', 'a', 'chart-1'].sort(goYamlKeyCompare), ['Chart', 'a', 'chart-1', 'chart-9', 'chart-10']);
});

test('provenance survives the trip through S3 object metadata', () => {
  const annotations = { 'chartctl.io/promoted-from': 'staging', 'chartctl.io/promoted-by': 'Jane Doe <jane@example.com>', other: 'x' };
  const meta = provenanceToMetadata(annotations);
  assert.deepEqual(Object.keys(meta).sort(), ['chartctl-promoted-by', 'chartctl-promoted-from']);
  assert.ok(/^[\x20-\x7e]*$/.test(meta['chartctl-promoted-by']!), 'metadata values must be ASCII for S3');
  assert.deepEqual(provenanceFromMetadata(meta), { 'chartctl.io/promoted-from': 'staging', 'chartctl.io/promoted-by': 'Jane Doe <jane@example.com>' });
});
