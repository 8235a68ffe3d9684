/**
 * Loading index.yaml as helm's repo.loadIndex does, on helm's own test indexes
 * (test/fixtures/helm-repo-indexes, copied from helm/helm; see its README):
 * entries that fail chart validation are skipped with their reason and the
 * rest is used, versions are listed newest first as SortEntries orders them,
 * and a rewrite keeps the skipped entries in the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartIndexEntry, listEntries, parseChartIndex, serializeChartIndex, withEntry } from '../../src/core/chart-index.js';
import { helmSemver, helmSkipReason } from '../../src/core/helm-index-entry.js';
import { hasSharedCorpus, projectRoot, SHARED_SKIP_REASON, sharedCorpus } from '../support/project.js';

const fixtures = join(projectRoot, 'test', 'fixtures', 'helm-repo-indexes');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');
const at = new Date('2026-03-04T05:06:07.000Z');
const listed = (text: string) => listEntries(parseChartIndex(text, 'index.yaml')).map((e) => `${e.name} ${e.version}`);

test("helm's indexWithEmptyEntry loads: every entry is skipped with helm's reason, none refuses the index", () => {
  const index = parseChartIndex(fixture('indexWithEmptyEntry.yaml'), 'index.yaml');
  assert.deepEqual(listEntries(index), []);
  assert.deepEqual(
    index.skipped?.map((s) => [s.chart, s.position, s.reason]),
    [
      ['grafana', 0, 'chart.metadata.version is required'],
      ['grafana', 1, 'empty entry'],
      ['foo', 0, 'empty entry'],
      ['bar', 0, 'chart.metadata.name is required'],
    ],
  );
});

test("helm's indexWithDuplicatesInChartDeps loads: the entry without a version is skipped, nginx 0.2.0 is kept", () => {
  const index = parseChartIndex(fixture('indexWithDuplicatesInChartDeps.yaml'), 'index.yaml');
  assert.deepEqual(listEntries(index).map((e) => `${e.name} ${e.version}`), ['nginx 0.2.0']);
  assert.deepEqual(index.skipped?.map((s) => [s.chart, s.position, s.reason]), [['nginx', 0, 'chart.metadata.version is required']]);
});

test('versions are listed newest first as helm sorts them, whatever order the index has; other top-level keys and JSON indexes load', () => {
  assert.deepEqual(listed(fixture('local-index-unordered.yaml')), ['alpine 1.0.0', 'chartWithNoURL 1.0.0', 'nginx 0.2.0', 'nginx 0.1.0']);
  const chartmuseum = parseChartIndex(fixture('chartmuseum-index.yaml'), 'index.yaml');
  assert.deepEqual(chartmuseum.extra.serverInfo, { contextPath: '/v1/helm' });
  assert.deepEqual(listed(fixture('local-index.json')), ['alpine 1.0.0', 'chartWithNoURL 1.0.0', 'nginx 0.2.0', 'nginx 0.1.0']);
  const loose = 'apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.2.0}\n  - {name: a, version: v1.10}\n  - {name: a, version: 1.10.0-rc.1}\n  - {name: a, version: "2"}\n';
  assert.deepEqual(listed(loose), ['a 2', 'a v1.10', 'a 1.10.0-rc.1', 'a 1.2.0']);
});

test('entries helm skips are skipped (version: latest, bad type, null maintainer, bad alias); duplicate dependency names are not', () => {
  const entry = (fields: string) => `apiVersion: v1\nentries:\n  web:\n  - name: web\n    version: 1.0.0\n  - name: web\n${fields}`;
  const cases: [string, string | undefined][] = [
    ['    version: latest\n', 'chart.metadata.version "latest" is invalid'],
    ['    version: 1.2.3.4\n', 'chart.metadata.version "1.2.3.4" is invalid'],
    ['    version: 2.0.0\n    type: service\n', 'chart.metadata.type must be application or library'],
    ['    version: 2.0.0\n    maintainers: [null]\n', 'maintainers must not contain empty or null nodes'],
    ['    version: 2.0.0\n    dependencies: [null]\n', 'dependencies must not contain empty or null nodes'],
    ['    version: 2.0.0\n    dependencies: [{name: db, alias: "d b"}]\n', 'dependency "db" has disallowed characters in the alias'],
    ['    version: 2.0.0\n    dependencies: [{name: db}, {name: db}]\n', undefined],
  ];
  for (const [fields, reason] of cases) {
    const index = parseChartIndex(entry(fields), 'index.yaml');
    assert.deepEqual(index.skipped?.map((s) => s.reason), reason === undefined ? undefined : [reason], fields);
    assert.equal(listEntries(index).length, reason === undefined ? 2 : 1, fields);
  }
  assert.equal(helmSkipReason({ name: 'a/b', version: '1.0.0' }), 'chart.metadata.name "a/b" is invalid');
  assert.equal(helmSkipReason({ name: '..', version: '1.0.0' }), 'chart.metadata.name ".." is not allowed');
});

test("helm's semantic versions: Masterminds' loose forms are accepted, leading zeros and extra parts are not", () => {
  for (const [version, strict] of [['1', '1.0.0'], ['1.2', '1.2.0'], ['v1.2.3', '1.2.3'], ['1.2.3-rc.1+build.5', '1.2.3-rc.1'], ['0.0.0-0', '0.0.0-0']]) {
    assert.equal(helmSemver(version!), strict, version);
  }
  for (const version of ['latest', '', '01.2.3', '1.02', '1.2.3.4', '1.2.3-01', 'V1.2.3', '1.2.3-', `1.2.3-${'a'.repeat(260)}`]) assert.equal(helmSemver(version), undefined, version);
});

test('rewriting the index keeps the entries helm skips, byte for byte where the text is in go-yaml layout', () => {
  const text = `apiVersion: v1
entries:
  api:
  - apiVersion: v2
    name: api
    version: 2.0.0
  - apiVersion: v2
    name: api
    version: latest
  - apiVersion: v2
    name: api
    version: 1.0.0
generated: "2026-01-01T00:00:00Z"
`;
  const index = parseChartIndex(text, 'index.yaml');
  assert.deepEqual(listEntries(index).map((e) => e.version), ['2.0.0', '1.0.0']);
  assert.equal(serializeChartIndex(index), text, 'an unchanged chart is written back as it was read');
  const shop = chartIndexEntry({ apiVersion: 'v2', name: 'shop', version: '1.0.0' }, { digest: 'ab', created: at.toISOString(), url: 'shop-1.0.0.tgz' });
  const written = serializeChartIndex(withEntry(index, shop, at));
  assert.ok(written.includes(text.slice(text.indexOf('  api:\n'), text.indexOf('generated:'))), written);
  const helmFixture = parseChartIndex(fixture('indexWithEmptyEntry.yaml'), 'index.yaml');
  const again = parseChartIndex(serializeChartIndex(withEntry(helmFixture, shop, at)), 'index.yaml');
  const skipped = (i: typeof again) => i.skipped?.map((s) => `${s.chart}[${s.position}]: ${s.reason}`).sort();
  assert.deepEqual(skipped(again), skipped(helmFixture));
  assert.deepEqual(listEntries(again).map((e) => `${e.name} ${e.version}`), ['shop 1.0.0']);
});

test('the helm test indexes in the shared corpus load, and the fixtures are copies of them', { skip: hasSharedCorpus ? false : SHARED_SKIP_REASON }, () => {
  const corpus = join(sharedCorpus, 'helm-repo-indexes');
  const files = readdirSync(corpus, { recursive: true })
    .map(String)
    .filter((f) => /\.(yaml|json)$/.test(f));
  assert.ok(files.length >= 7, files.join(', '));
  for (const file of files) {
    const index = parseChartIndex(readFileSync(join(corpus, file), 'utf8'), file);
    assert.ok(Object.keys(index.entries).length > 0, file);
  }
  for (const name of readdirSync(fixtures).filter((f) => f !== 'README.md')) {
    const original = [join(corpus, name), join(corpus, 'pkg', 'repo', 'v1', 'testdata', name)].find((p) => existsSync(p));
    assert.ok(original, `${name} is in the corpus`);
    assert.equal(fixture(name), readFileSync(original, 'utf8'), name);
  }
});
