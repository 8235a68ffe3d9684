import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNewestWithManifest } from '../../src/core/newest-release.js';
import { splitChartField } from '../../src/core/release-history.js';

const manifest = '---\n# Source: shop/templates/api.yaml\nkind: Deployment\n---\n# Source: shop/templates/test.yaml\nkind: Pod\n';

test('the header line gives the newest revision, its status and chart; the rest is the manifest as helm printed it', () => {
  const read = parseNewestWithManifest(`chartctl-newest 7 deployed shop 1.4.0-dev.3\n${manifest}`);
  assert.deepEqual(read.newest, { revision: 7, status: 'deployed', chartName: 'shop', chartVersion: '1.4.0-dev.3' });
  assert.equal(read.manifest, manifest);
});

test('pending and failed statuses come out as helm names them', () => {
  for (const status of ['pending-install', 'pending-upgrade', 'pending-rollback', 'failed', 'superseded', 'uninstalled']) {
    assert.equal(parseNewestWithManifest(`chartctl-newest 3 ${status} shop 1.0.0\n`).newest.status, status);
  }
});

test('the chart version is the one helm history gives (its name-version column split the same way)', () => {
  for (const [name, version] of [['shop', '1.0.0'], ['my-shop-2', '2.0.0+build.1'], ['shop', '1.0'], ['shop', 'v3.1.0']]) {
    const escaped = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
    const read = parseNewestWithManifest(`chartctl-newest 1 deployed ${escaped(name!)} ${escaped(version!)}\n`);
    assert.equal(read.newest.chartVersion, splitChartField(`${name}-${version}`).version, `${name} ${version}`);
  }
  assert.equal(parseNewestWithManifest('chartctl-newest 1 deployed shop 1.0\n').newest.chartVersion, '', 'history splits no version off shop-1.0 either');
});

test('escaped fields are unescaped: a chart name with a space or a + stays one field', () => {
  const read = parseNewestWithManifest('chartctl-newest 2 deployed my+shop%2Bx 1.0.0%2Bmeta\n');
  assert.equal(read.newest.chartName, 'my shop+x');
  assert.equal(read.newest.chartVersion, '1.0.0+meta');
});

test('a release record without chart metadata has no chart version (helm history prints MISSING)', () => {
  const read = parseNewestWithManifest('chartctl-newest 4 failed \nkind: ConfigMap\n');
  assert.deepEqual(read.newest, { revision: 4, status: 'failed', chartName: 'MISSING', chartVersion: '' });
  assert.equal(read.manifest, 'kind: ConfigMap\n');
});

test('only the first line is the header: a manifest holding header-like lines is kept whole', () => {
  const tricky = 'chartctl-newest 99 failed evil 9.9.9\n---\ndata:\n  x: "chartctl-newest 1 deployed shop 1.0.0"\n';
  const read = parseNewestWithManifest(`chartctl-newest 5 deployed shop 1.0.0\n${tricky}`);
  assert.equal(read.newest.revision, 5);
  assert.equal(read.manifest, tricky);
  assert.equal(parseNewestWithManifest('chartctl-newest 5 deployed shop 1.0.0\n').manifest, '', 'an empty manifest');
  assert.equal(parseNewestWithManifest('chartctl-newest 5 deployed shop 1.0.0').manifest, '');
});

test('output without the header (a helm that ignored the template) is an error, not a revision', () => {
  assert.throws(() => parseNewestWithManifest(manifest), /no release header/);
  assert.throws(() => parseNewestWithManifest(''), /no release header/);
  assert.throws(() => parseNewestWithManifest('chartctl-newest x deployed shop 1.0.0\n'), /no release header/);
});
