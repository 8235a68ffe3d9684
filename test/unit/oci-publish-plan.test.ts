import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planOciPublish } from '../../src/core/oci-publish-plan.js';

const A = 'sha256:' + 'a'.repeat(64);
const B = 'sha256:' + 'b'.repeat(64);
const M = 'sha256:' + 'c'.repeat(64);

test('oci publish plan over the whole matrix: tag absent/same bytes/other bytes × force', () => {
  for (const force of [false, true]) {
    assert.deepEqual(planOciPublish({ chartDigest: A, force }), { kind: 'push', outcome: 'published' });
    // Same chart bytes under another manifest (another created time, or helm push): nothing to do, whatever --force says.
    assert.deepEqual(planOciPublish({ existing: { manifestDigest: M, chartDigest: A }, chartDigest: A, force }), { kind: 'unchanged', manifestDigest: M });
  }
  assert.deepEqual(planOciPublish({ existing: { manifestDigest: M, chartDigest: B }, chartDigest: A, force: false }), { kind: 'refused', existingManifestDigest: M, existingChartDigest: B });
  assert.deepEqual(planOciPublish({ existing: { manifestDigest: M, chartDigest: B }, chartDigest: A, force: true }), { kind: 'push', outcome: 'replaced' });
});
