import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, isPrerelease, newestVersion, resolveChartVersion } from '../../src/core/chart-version.js';
import { isChartctlError } from '../../src/core/errors.js';

test('--version keywords bump the chart version; literals are validated', () => {
  assert.equal(resolveChartVersion('1.4.0', undefined), '1.4.0');
  assert.equal(resolveChartVersion('1.4.0', 'patch'), '1.4.1');
  assert.equal(resolveChartVersion('1.4.0', 'minor'), '1.5.0');
  assert.equal(resolveChartVersion('1.4.0', 'major'), '2.0.0');
  assert.equal(resolveChartVersion('1.4.0', '2.0.0-rc.1'), '2.0.0-rc.1');
  assert.equal(resolveChartVersion('1.4.0', 'v2.1.0'), '2.1.0');
  for (const bad of ['1.4', 'latest', '01.2.3', '1.2.3.4']) {
    assert.throws(() => resolveChartVersion('1.4.0', bad), (e: unknown) => isChartctlError(e) && e.code === 'VERSION_INVALID', bad);
  }
});

test('a prerelease build carries the channel, the commit count and the commit', () => {
  assert.equal(resolveChartVersion('1.4.0', 'prerelease', { id: 'dev', counter: 7, commit: '1a2b3c4d5e6f' }), '1.4.0-dev.7+g1a2b3c4');
  assert.equal(resolveChartVersion('1.4.0-rc.1', 'prerelease', { id: 'dev', counter: 2 }), '1.4.0-dev.2');
  assert.throws(() => resolveChartVersion('1.4.0', 'prerelease', { id: '42', counter: 1 }), (e: unknown) => isChartctlError(e));
  // Builds of one base version sort by their counter.
  assert.ok(compareVersions('1.4.0-dev.10+gaaaaaaa', '1.4.0-dev.9+gbbbbbbb') > 0);
  assert.ok(compareVersions('1.4.0', '1.4.0-dev.10') > 0);
});

test('newest version follows the environment rules', () => {
  const versions = ['1.2.0', '1.10.0-dev.1', '1.9.0', '1.3.0-rc.1'];
  assert.equal(newestVersion(versions), '1.10.0-dev.1');
  assert.equal(newestVersion(versions, { allowPrerelease: false }), '1.9.0');
  assert.equal(newestVersion(['1.0.0-dev.1'], { allowPrerelease: false }), undefined);
  assert.equal(isPrerelease('1.0.0+build'), false);
  assert.equal(isPrerelease('1.0.0-0'), true);
});

test('versions with build metadata are valid chart versions', async () => {
  const { isValidChartVersion } = await import('../../src/core/chart-version.js');
  assert.equal(isValidChartVersion('1.0.0-dev.1+ga5eca4c'), true);
  assert.equal(isValidChartVersion('1.0.0+build.7'), true);
  assert.equal(isValidChartVersion('v1.0.0'), false);
  assert.equal(isValidChartVersion('1.0'), false);
});
