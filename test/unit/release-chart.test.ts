import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { load } from 'js-yaml';
import { releaseChartFiles } from '../../src/core/init/release-chart.js';
import { decodeReleaseData, releaseObjectName } from '../../src/core/helm-release-record.js';
import { isChartctlError } from '../../src/core/errors.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
/** A chart as helm 3 serialises chart.Chart into the release record. */
const recordChart = (overrides: Record<string, unknown> = {}) => ({
  metadata: { name: 'web', version: '1.2.3', description: 'A web app', apiVersion: 'v2', appVersion: '4.5', dependencies: [{ name: 'cache', version: '0.1.0', repository: 'https://charts.example/', enabled: true, alias: 'redis' }] },
  lock: { generated: '2026-01-02T03:04:05.123456789Z', digest: 'sha256:abc', dependencies: [{ name: 'cache', version: '0.1.0', repository: 'https://charts.example/' }] },
  templates: [{ name: 'templates/_helpers.tpl', data: b64('{{- define "x" -}}x{{- end -}}\n') }],
  values: { replicas: 1, on: 'yes' },
  schema: b64('{"type":"object"}\n'),
  files: [{ name: 'files/logo.png', data: Buffer.from([0x89, 0x50, 0x00, 0xff]).toString('base64') }],
  ...overrides,
});
const byPath = (chart: ReturnType<typeof releaseChartFiles>) => new Map(chart.files.map((f) => [f.path, f.content]));

test('release chart: Chart.yaml (apiVersion first, enabled dropped), Chart.lock, values.yaml, the schema, templates and binary files byte for byte; subcharts listed', () => {
  const chart = releaseChartFiles(recordChart(), 'Secret ns/x');
  const files = byPath(chart);
  assert.deepEqual([...files.keys()], ['Chart.yaml', 'Chart.lock', 'values.yaml', 'values.schema.json', 'templates/_helpers.tpl', 'files/logo.png']);
  const chartYaml = files.get('Chart.yaml')!.toString();
  assert.match(chartYaml, /^apiVersion: v2\n/);
  assert.deepEqual(load(chartYaml), { apiVersion: 'v2', name: 'web', version: '1.2.3', appVersion: '4.5', description: 'A web app', dependencies: [{ name: 'cache', version: '0.1.0', repository: 'https://charts.example/', alias: 'redis' }] });
  assert.deepEqual(load(files.get('Chart.lock')!.toString()), { generated: '2026-01-02T03:04:05.123456789Z', digest: 'sha256:abc', dependencies: [{ name: 'cache', version: '0.1.0', repository: 'https://charts.example/' }] });
  // YAML 1.1 readers (helm) must read back the strings "on"/"yes", not booleans.
  assert.match(files.get('values.yaml')!.toString(), /^"on": "yes"$/m);
  assert.equal(files.get('values.schema.json')!.toString(), '{"type":"object"}\n');
  assert.deepEqual([...files.get('files/logo.png')!], [0x89, 0x50, 0x00, 0xff]);
  assert.deepEqual(chart.subcharts, [{ name: 'cache', version: '0.1.0', repository: 'https://charts.example/' }]);
  assert.deepEqual([chart.name, chart.version], ['web', '1.2.3']);
});

test('release chart: an apiVersion v1 chart keeps its dependencies in requirements.yaml/.lock; nothing empty is written', () => {
  const chart = releaseChartFiles(recordChart({ metadata: { ...recordChart().metadata, apiVersion: 'v1' }, values: {}, schema: null, files: [] }), 'Secret ns/x');
  const files = byPath(chart);
  assert.deepEqual([...files.keys()], ['Chart.yaml', 'requirements.yaml', 'requirements.lock', 'templates/_helpers.tpl']);
  assert.equal((load(files.get('Chart.yaml')!.toString()) as Record<string, unknown>).dependencies, undefined);
  assert.equal((load(files.get('requirements.yaml')!.toString()) as { dependencies: { name: string }[] }).dependencies[0]!.name, 'cache');
});

test('release chart: a record is data from the cluster: paths outside the chart, duplicates, bad names and no metadata are refused', () => {
  const refused = (chart: unknown, detail: RegExp) =>
    assert.throws(() => releaseChartFiles(chart, 'Secret ns/sh.helm.release.v1.web.v1'), (err: unknown) => isChartctlError(err) && err.code === 'INIT_BAD_RELEASE_RECORD' && detail.test(err.message));
  for (const name of ['../escape.yaml', '/etc/passwd', 'templates/../../x', 'templates//a', 'a\\b', 'templates/\u0007']) {
    refused(recordChart({ templates: [{ name, data: '' }] }), /holds a file named .* which is not a path inside a chart/);
  }
  refused(recordChart({ files: [{ name: 'templates/_helpers.tpl', data: '' }] }), /"templates\/_helpers\.tpl"/);
  refused(recordChart({ metadata: { ...recordChart().metadata, name: '../web' } }), /name "\.\.\/web" is not a chart name/);
  refused({ templates: [] }, /has no metadata/);
  refused(recordChart({ files: [{ data: '' }] }), /a file without a name/);
});

test('release record: Secret data (API base64 over helm base64 over gzip), uncompressed records, and names', () => {
  const json = JSON.stringify({ name: 'web', version: 3, chart: {} });
  const helmEncoded = gzipSync(json).toString('base64');
  assert.equal(decodeReleaseData('Secret', Buffer.from(helmEncoded).toString('base64')).version, 3);
  assert.equal(decodeReleaseData('ConfigMap', helmEncoded).name, 'web');
  assert.equal(decodeReleaseData('ConfigMap', Buffer.from(json).toString('base64')).name, 'web');
  assert.throws(() => decodeReleaseData('ConfigMap', Buffer.from('[1]').toString('base64')), /not a JSON object/);
  assert.equal(releaseObjectName('web', 12), 'sh.helm.release.v1.web.v12');
});
