import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planPublish, retryDelayMs } from '../../src/core/publish-plan.js';

const chart = { name: 'shop', version: '1.0.0', digest: 'new' };

test('publish: new version uploads then adds; same bytes again is a no-op', () => {
  assert.deepEqual(planPublish({ chart, storedDigest: undefined, listed: undefined, force: false }), { kind: 'apply', tarball: 'create', index: 'add', outcome: 'published' });
  assert.deepEqual(planPublish({ chart, storedDigest: 'new', listed: { digest: 'new' }, force: false }), { kind: 'apply', tarball: 'keep', index: 'keep', outcome: 'unchanged' });
});

test('publish: a tarball left by an interrupted publish is completed, not re-uploaded', () => {
  assert.deepEqual(planPublish({ chart, storedDigest: 'new', listed: undefined, force: false }), { kind: 'apply', tarball: 'keep', index: 'add', outcome: 'repaired' });
});

test('publish: different bytes for an existing version are refused with both digests unless forced', () => {
  assert.deepEqual(planPublish({ chart, storedDigest: 'old', listed: { digest: 'old' }, force: false }), { kind: 'refused', reason: 'tarballDiffers', existingDigest: 'old', localDigest: 'new' });
  assert.deepEqual(planPublish({ chart, storedDigest: undefined, listed: { digest: 'old' }, force: false }), { kind: 'refused', reason: 'indexDiffers', existingDigest: 'old', localDigest: 'new' });
  assert.deepEqual(planPublish({ chart, storedDigest: 'old', listed: { digest: 'old' }, force: true }), { kind: 'apply', tarball: 'overwrite', index: 'replace', outcome: 'replaced' });
});

test('retry backoff is jittered and capped', () => {
  assert.equal(retryDelayMs(1, 0), 0);
  assert.ok(retryDelayMs(3, 0.999) < 400 && retryDelayMs(3, 0.999) > 300);
  assert.ok(retryDelayMs(40, 0.999) <= 2000);
});
