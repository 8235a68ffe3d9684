import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryReleases } from '../../src/adapters/memory-releases.js';
import { newestRevision } from '../../src/core/release-history.js';

const target = { release: 'shop', namespace: 'shop-dev' };

test('the fake\'s newest revision with its manifest agrees with its history and manifestWithHooks, as helm\'s get all does', async () => {
  const releases = new MemoryReleases();
  assert.equal(await releases.newestWithManifest(target), undefined, 'no such release');
  releases.seed(target, { status: 'superseded', chartVersion: '1.0.0', manifest: 'kind: ConfigMap\n' });
  releases.seed(target, { status: 'pending-upgrade', chartVersion: '1.1.0', manifest: 'kind: Secret\n', hooksManifest: '---\n# Source: shop/templates/test.yaml\nkind: Pod\n' });
  const read = await releases.newestWithManifest(target);
  const newest = newestRevision(await releases.history(target))!;
  assert.deepEqual(read?.newest, { revision: newest.revision, status: newest.status, chartName: newest.chartName, chartVersion: newest.chartVersion });
  assert.deepEqual(read?.newest, { revision: 2, status: 'pending-upgrade', chartName: 'shop', chartVersion: '1.1.0' });
  assert.equal(read?.manifest, await releases.manifestWithHooks(target));
});
