import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartIndexEntry, emptyChartIndex, withEntry, PROVENANCE, type ChartIndex } from '../../src/core/chart-index.js';
import { planPublish, retryDelayMs } from '../../src/core/publish-plan.js';
import { planPromotion, promotedEntry } from '../../src/core/promotion-plan.js';

const at = new Date('2026-01-01T00:00:00Z');
function index(...versions: [string, string][]): ChartIndex {
  let i = emptyChartIndex(at);
  for (const [version, digest] of versions) i = withEntry(i, chartIndexEntry({ apiVersion: 'v2', name: 'shop', version }, { digest, created: at.toISOString(), url: `shop-${version}.tgz` }), at);
  return i;
}
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

const rules = (over: Partial<{ from: string; allowPrerelease: boolean; requireApproval: boolean }> = {}) => ({ allowPrerelease: false, requireApproval: false, ...over });

test('promote: default picks the newest version the target allows', () => {
  const plan = planPromotion({ chart: 'shop', from: { name: 'staging', index: index(['1.1.0', 'a'], ['1.2.0-rc.1', 'b'], ['1.0.0', 'c']) }, to: { name: 'prod', index: index(['1.0.0', 'c']), rules: rules({ from: 'staging' }) } });
  assert.equal(plan.kind, 'promote');
  assert.equal(plan.kind === 'promote' && plan.version, '1.1.0');
  assert.equal(plan.kind === 'promote' && plan.sourceName, 'shop-1.1.0.tgz');
});

test('promote: nothing newer, same bytes already there, and the refusals', () => {
  const from = { name: 'staging', index: index(['1.1.0', 'a'], ['1.2.0-rc.1', 'b']) };
  assert.equal(planPromotion({ chart: 'shop', from, to: { name: 'prod', index: index(['1.1.0', 'a']), rules: rules() } }).kind, 'upToDate');
  assert.deepEqual(planPromotion({ chart: 'shop', from, version: '1.1.0', to: { name: 'prod', index: index(['1.1.0', 'a']), rules: rules() } }), { kind: 'alreadyPromoted', version: '1.1.0', digest: 'a' });
  const refused = (p: ReturnType<typeof planPromotion>) => (p.kind === 'refused' ? p.reason : p.kind);
  assert.equal(refused(planPromotion({ chart: 'shop', from, version: '1.2.0-rc.1', to: { name: 'prod', index: undefined, rules: rules() } })), 'prereleaseNotAllowed');
  assert.equal(refused(planPromotion({ chart: 'shop', from, version: '9.9.9', to: { name: 'prod', index: undefined, rules: rules() } })), 'notInSource');
  assert.equal(refused(planPromotion({ chart: 'shop', from, version: '1.1.0', to: { name: 'prod', index: index(['1.1.0', 'zzz']), rules: rules() } })), 'targetDiffers');
  assert.equal(refused(planPromotion({ chart: 'shop', from: { ...from, name: 'dev' }, to: { name: 'prod', index: undefined, rules: rules({ from: 'staging' }) } })), 'wrongSource');
  assert.equal(planPromotion({ chart: 'shop', from, version: '1.2.0-rc.1', to: { name: 'staging2', index: undefined, rules: rules({ allowPrerelease: true }) } }).kind, 'promote');
});

test('promoted entry keeps the digest and records where it came from', () => {
  const source = index(['1.1.0', 'a']).entries.shop![0]!;
  const entry = promotedEntry(source, { from: 'staging', at, by: 'ci-bot' });
  assert.equal(entry.digest, 'a');
  assert.equal(entry.annotations?.[PROVENANCE.promotedFrom], 'staging');
  assert.equal(entry.annotations?.[PROVENANCE.sourceDigest], 'a');
  assert.equal(entry.annotations?.[PROVENANCE.promotedBy], 'ci-bot');
  assert.deepEqual(entry.urls, ['shop-1.1.0.tgz']);
});
