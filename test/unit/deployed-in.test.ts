import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireDeployedIn } from '../../src/actions/steps/deployed-in.js';
import { MemoryReleases, type StoredRevision } from '../../src/adapters/memory-releases.js';
import type { AppRepo } from '../../src/adapters/app-repo.js';
import type { Environment } from '../../src/core/environment.js';
import { isChartctlError } from '../../src/core/errors.js';
import { fakeDeps } from '../support/fake-deps.js';

const TESTED = 'sha256:' + 'a'.repeat(64);
const OTHER = 'sha256:' + 'b'.repeat(64);

const staging = { name: 'staging', release: 'shop', namespace: 'shop-staging', promotion: {} } as unknown as Environment;
const prod = { name: 'prod', release: 'shop', namespace: 'shop-prod', promotion: { requireDeployedIn: 'staging' } } as unknown as Environment;

function revision(n: number, status: string, version: string, digest: string | undefined, tests: StoredRevision['tests']): StoredRevision {
  return { revision: n, updated: '', status, chartName: 'shop', chartVersion: version, appVersion: '', description: '', provenance: digest ? { version, digest, source: 's3://acme/staging' } : undefined, manifest: '', hooksManifest: '', tests, failedTests: [] };
}

function depsWith(history: StoredRevision[]) {
  const releases = new MemoryReleases();
  releases.stored.set('shop-staging/shop', history);
  const repo = { loadEnvironment: async (name: string) => (name === 'staging' ? staging : prod) } as unknown as AppRepo;
  return fakeDeps({ releases, repo });
}

async function refusal(history: StoredRevision[], candidate: { version: string; digest?: string }): Promise<string | undefined> {
  try {
    await requireDeployedIn(depsWith(history), prod, { chartName: 'shop', ...candidate });
    return undefined;
  } catch (err) {
    assert.ok(isChartctlError(err) && err.code === 'NOT_DEPLOYED_IN', String(err));
    return err.message;
  }
}

test('requireDeployedIn passes for the digest deployed and tested upstream, live or superseded', async () => {
  assert.equal(await refusal([revision(1, 'deployed', '0.2.1', TESTED, 'passed')], { version: '0.2.1', digest: TESTED }), undefined);
  assert.equal(await refusal([revision(1, 'superseded', '0.2.1', TESTED, 'not-run'), revision(2, 'deployed', '0.3.0', OTHER, 'passed')], { version: '0.2.1', digest: TESTED }), undefined);
});

test('requireDeployedIn compares bytes, not version strings: the same version with other bytes is refused', async () => {
  const message = await refusal([revision(1, 'deployed', '0.2.1', OTHER, 'passed')], { version: '0.2.1', digest: TESTED });
  assert.match(message!, /staging ran 0\.2\.1 with other bytes \(sha256:b{64}, revision 1\)/);
});

test('requireDeployedIn refuses a digest staging never ran, one whose tests failed, one with no digest recorded, and a candidate with none', async () => {
  assert.match((await refusal([], { version: '0.2.1', digest: TESTED }))!, /staging never ran it/);
  assert.match((await refusal([revision(3, 'deployed', '0.2.1', TESTED, 'failed')], { version: '0.2.1', digest: TESTED }))!, /its tests failed there \(revision 3\)/);
  assert.match((await refusal([revision(1, 'deployed', '0.2.1', undefined, 'passed')], { version: '0.2.1', digest: TESTED }))!, /no digest recorded/);
  assert.match((await refusal([revision(1, 'deployed', '0.2.1', TESTED, 'passed')], { version: '0.2.1' }))!, /no digest to compare/);
  // A failed revision with the digest does not count either.
  assert.ok(await refusal([revision(1, 'failed', '0.2.1', TESTED, 'not-run')], { version: '0.2.1', digest: TESTED }));
});
