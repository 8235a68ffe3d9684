import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { archiveLayout, chartFromArchive, chartFromFiles, packChart, walkOrder } from '../../src/core/chart-archive.js';
import { readTar, writeTar } from '../../src/core/tar-archive.js';
import { deterministicGzip, crc32, tableCrc32 } from '../../src/core/deterministic-gzip.js';
import { isIgnored, parseHelmIgnore, globToRegExp } from '../../src/core/helmignore.js';
import { isChartctlError } from '../../src/core/errors.js';

const enc = new TextEncoder();
const file = (path: string, text: string) => ({ path, data: enc.encode(text) });

test('tar round-trips, including names that need the USTAR prefix or PAX', () => {
  const files = [file('a/Chart.yaml', 'x'), file(`${'d'.repeat(120)}/${'f'.repeat(90)}`, 'long'), file(`${'x'.repeat(300)}`, 'pax'), file('ü/ñ.txt', 'utf8 name'), file('empty', '')];
  const tar = writeTar(files);
  assert.equal(tar.length % 512, 0);
  assert.deepEqual(readTar(tar).map((f) => [f.path, new TextDecoder().decode(f.data)]), files.map((f) => [f.path, new TextDecoder().decode(f.data)]));
});

test('tar headers are the ones Go writes for helm package: ustar, 0644, uid/gid 0, fixed mtime', () => {
  const header = writeTar([file('shop/Chart.yaml', 'abc')]).subarray(0, 512);
  const text = (from: number, len: number) => new TextDecoder().decode(header.subarray(from, from + len));
  assert.equal(text(100, 8), '0000644\0');
  assert.equal(text(108, 16), '0000000\u00000000000\0');
  assert.equal(text(124, 12), '00000000003\0');
  assert.equal(text(257, 8), 'ustar\u000000');
  assert.equal(text(265, 64).replace(/\0/g, ''), '', 'no user or group names');
});

test('gzip output is fixed: no name, mtime 0, and standard gunzip reads it', () => {
  const data = enc.encode('hello '.repeat(1000));
  const gz = deterministicGzip(data);
  assert.deepEqual([...gz.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  assert.deepEqual(new Uint8Array(gunzipSync(gz)), data);
  assert.equal(crc32(enc.encode('123456789')), 0xcbf43926);
  // zlib's crc32 where Node has it, the table loop on older Node: the same trailer either way.
  assert.equal(tableCrc32(enc.encode('123456789')), 0xcbf43926);
  const noise = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) >>> 24);
  assert.equal(crc32(noise), tableCrc32(noise));
  // The digest of a known input is pinned: a change here breaks reproducibility across chartctl versions.
  assert.equal(createHash('sha256').update(gz).digest('hex'), '19428a993b7bb7005bc0ffcbaa05f98c49ba9710e812e4256451685c3eab344f');
  assert.deepEqual(deterministicGzip(data), gz);
});

const chartFiles = [
  file('Chart.yaml', 'apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: 1.10\ndescription: demo chart\n# comment dropped\nunknown: dropped\n'),
  file('values.yaml', '\ufeffreplicas: 1\n'),
  file('templates/z.yaml', 'z'),
  file('templates/a/b.yaml', 'ab'),
  file('templates/a-b.yaml', 'a-b'),
  file('README.md', 'readme'),
  file('crds/crd.yaml', 'crd'),
  file('values.schema.json', '{}'),
  file('charts/sub/Chart.yaml', 'apiVersion: v2\nname: sub\nversion: 0.2.0\n'),
  file('charts/sub/templates/s.yaml', 's'),
  file('charts/.hidden/Chart.yaml', 'ignored'),
];

test('archive layout matches helm: Chart.yaml first, then values, schema, templates, files, subcharts', () => {
  const layout = archiveLayout(chartFromFiles(chartFiles, 'demo')).map((f) => f.path);
  assert.deepEqual(layout, [
    'demo/Chart.yaml',
    'demo/values.yaml',
    'demo/values.schema.json',
    'demo/templates/a/b.yaml',
    'demo/templates/a-b.yaml',
    'demo/templates/z.yaml',
    'demo/README.md',
    'demo/crds/crd.yaml',
    'demo/charts/sub/Chart.yaml',
    'demo/charts/sub/templates/s.yaml',
  ]);
});

test('Chart.yaml is re-marshalled like helm: sorted keys, only helm fields, an unquoted 1.10 written as helm reads it', () => {
  const chartYaml = new TextDecoder().decode(archiveLayout(chartFromFiles(chartFiles, 'demo'))[0]!.data);
  assert.equal(chartYaml, 'apiVersion: v2\nappVersion: "1.1"\ndescription: demo chart\nname: demo\nversion: 0.1.0\n');
  const values = archiveLayout(chartFromFiles(chartFiles, 'demo'))[1]!.data;
  assert.equal(new TextDecoder().decode(values), 'replicas: 1\n', 'the UTF-8 BOM is stripped like helm');
});

test('packing is reproducible and a packed subchart archive is expanded like helm does', () => {
  const sub = packChart(chartFromFiles([file('Chart.yaml', 'apiVersion: v2\nname: sub\nversion: 0.2.0\n'), file('templates/s.yaml', 's')], 'sub'));
  const withTgz = [...chartFiles.filter((f) => !f.path.startsWith('charts/')), { path: 'charts/sub-0.2.0.tgz', data: sub }];
  const a = packChart(chartFromFiles(withTgz, 'demo'));
  const b = packChart(chartFromFiles([...withTgz].reverse(), 'demo'));
  assert.deepEqual(a, b, 'input order does not matter');
  const reloaded = chartFromArchive(a, 'demo.tgz');
  assert.equal(reloaded.dependencies[0]!.metadata.name, 'sub');
  assert.deepEqual(readTar(gunzipSync(a)).map((f) => f.path).slice(-2), ['demo/charts/sub/Chart.yaml', 'demo/charts/sub/templates/s.yaml']);
});

test('charts without name or with a bad version are refused', () => {
  assert.throws(() => chartFromFiles([file('Chart.yaml', 'apiVersion: v2\nversion: 1.0.0\n')], 'x'), (e: unknown) => isChartctlError(e) && e.code === 'CHART_INVALID');
  assert.throws(() => chartFromFiles([file('Chart.yaml', 'apiVersion: v2\nname: x\nversion: one\n')], 'x'), (e: unknown) => isChartctlError(e) && /semantic version/.test(e.message));
});

test('walk order compares path segments like filepath.Walk', () => {
  assert.deepEqual(['a-b', 'a/b', 'a/a', 'B'].sort(walkOrder), ['B', 'a/a', 'a/b', 'a-b']);
});

test('.helmignore follows helm semantics', () => {
  const rules = parseHelmIgnore('# comment\n*.tmp\n/secret.txt\ndocs/\ntemplates/skip-*.yaml\n[ab].bak\n');
  const ignored = (p: string, dir = false) => isIgnored(rules, p, dir);
  assert.equal(ignored('x.tmp'), true);
  assert.equal(ignored('deep/x.tmp'), true, 'a pattern without / matches the base name anywhere');
  assert.equal(ignored('secret.txt'), true);
  assert.equal(ignored('sub/secret.txt'), false, 'a leading / anchors at the chart root');
  assert.equal(ignored('docs', true), true);
  assert.equal(ignored('docs', false), false, 'a trailing / matches directories only');
  assert.equal(ignored('templates/skip-me.yaml'), true);
  assert.equal(ignored('templates/.hidden'), true, 'helm always ignores dotfiles in templates/');
  assert.equal(ignored('a.bak'), true);
  assert.equal(ignored('c.bak'), false);
  assert.equal(ignored('values.yaml'), false);
  assert.throws(() => parseHelmIgnore('**/x\n', '.helmignore'), (e: unknown) => isChartctlError(e) && e.message.startsWith('.helmignore:1:1'));
  assert.equal(globToRegExp('[unclosed'), undefined);
  // helm's negation quirk: a `!rule` that does not match ignores the path.
  assert.equal(isIgnored(parseHelmIgnore('!keep.txt\n'), 'other.txt', false), true);
  assert.equal(isIgnored(parseHelmIgnore('!keep.txt\n'), 'keep.txt', false), false);
});
