import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartIdentityMismatch, identityMismatch, identityOfObjectName, objectNameMismatch } from '../../src/core/chart-identity.js';

test("a tarball's own Chart.yaml must name the chart and version its index entry lists", () => {
  const listed = { name: 'shop', version: '9.9.9' };
  assert.equal(identityMismatch(listed, { apiVersion: 'v2', name: 'shop', version: '9.9.9' }), undefined);
  assert.deepEqual(identityMismatch(listed, { apiVersion: 'v2', name: 'shop', version: '6.6.6' }), { name: 'shop', version: '6.6.6' });
  assert.deepEqual(identityMismatch(listed, { apiVersion: 'v2', name: 'evil', version: '9.9.9' }), { name: 'evil', version: '9.9.9' });
  // Versions are compared as written: helm installs the Chart.yaml text, not a normalised semver.
  assert.deepEqual(identityMismatch(listed, { apiVersion: 'v2', name: 'shop', version: 'v9.9.9' }), { name: 'shop', version: 'v9.9.9' });
  assert.deepEqual(identityMismatch({ name: 'shop', version: '9.9.8' }, { apiVersion: 'v2', name: 'shop', version: '5.2.0-rc.1' }), { name: 'shop', version: '5.2.0-rc.1' });
});

test('the refusal says what the index lists and what the tarball says', () => {
  const err = chartIdentityMismatch({ env: 'dev', key: 's3://acme-charts/dev/shop-9.9.9.tgz' }, { name: 'shop', version: '9.9.9' }, { name: 'shop', version: '6.6.6' });
  assert.equal(err.code, 'CHART_IDENTITY_MISMATCH');
  assert.match(err.message, /the dev index lists s3:\/\/acme-charts\/dev\/shop-9\.9\.9\.tgz as shop 9\.9\.9, but the tarball's own Chart\.yaml says "shop" version "6\.6\.6"/);
  assert.match(err.hint ?? '', /chartctl repo verify dev/);
});

test('an object named <name>-<version>.tgz claims that chart version; other names claim none', () => {
  assert.deepEqual(identityOfObjectName('shop-9.9.9.tgz'), { name: 'shop', version: '9.9.9' });
  assert.deepEqual(identityOfObjectName('my-web-app-1.2.3-rc.1.tgz'), { name: 'my-web-app', version: '1.2.3-rc.1' });
  assert.deepEqual(identityOfObjectName('shop-0.2.1-dev.4+g1a2b3c4.tgz'), { name: 'shop', version: '0.2.1-dev.4+g1a2b3c4' });
  for (const other of ['shop.tgz', 'shop-latest.tgz', '-1.0.0.tgz', 'shop-1.0.0.tar.gz', 'shop-1.0.tgz', 'index.yaml']) {
    assert.equal(identityOfObjectName(other), undefined, other);
  }
  const err = objectNameMismatch({ env: 'dev', key: 's3://b/dev/shop-9.9.9.tgz' }, { name: 'shop', version: '9.9.9' }, { name: 'shop', version: '1.0.0' });
  assert.equal(err.code, 'CHART_IDENTITY_MISMATCH');
  assert.match(err.message, /its name says shop 9\.9\.9, but the tarball's own Chart\.yaml says "shop" version "1\.0\.0"/);
});
