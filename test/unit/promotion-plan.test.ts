import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartIndexEntry, emptyChartIndex, withEntry, PROVENANCE, type ChartIndex } from '../../src/core/chart-index.js';
import { planPromotion, promotedEntry, type PromotionPlan } from '../../src/core/promotion-plan.js';

const at = new Date('2026-01-01T00:00:00Z');
function index(...versions: [string, string, string?][]): ChartIndex {
  let i = emptyChartIndex(at);
  for (const [version, digest, url] of versions) {
    i = withEntry(i, chartIndexEntry({ apiVersion: 'v2', name: 'shop', version }, { digest, created: at.toISOString(), url: url ?? `shop-${version}.tgz` }), at);
  }
  return i;
}
const rules = (over: Partial<{ from: string; allowPrerelease: boolean; requireApproval: boolean }> = {}) => ({ allowPrerelease: false, requireApproval: false, ...over });
const staging = { bucket: 'acme-charts', prefix: 'staging' };
const refused = (p: PromotionPlan) => (p.kind === 'refused' ? p.reason : p.kind);

test('promote: default picks the newest version the target allows', () => {
  const plan = planPromotion({
    chart: 'shop',
    from: { name: 'staging', index: index(['1.1.0', 'a'], ['1.2.0-rc.1', 'b'], ['1.0.0', 'c']), repository: staging },
    to: { name: 'prod', index: index(['1.0.0', 'c']), rules: rules({ from: 'staging' }) },
  });
  assert.equal(plan.kind, 'promote');
  assert.equal(plan.kind === 'promote' && plan.version, '1.1.0');
  assert.equal(plan.kind === 'promote' && plan.targetName, 'shop-1.1.0.tgz');
});

test('promote: nothing newer, same bytes already there, and the refusals', () => {
  const from = { name: 'staging', index: index(['1.1.0', 'a'], ['1.2.0-rc.1', 'b']), repository: staging };
  assert.equal(planPromotion({ chart: 'shop', from, to: { name: 'prod', index: index(['1.1.0', 'a']), rules: rules() } }).kind, 'upToDate');
  assert.deepEqual(planPromotion({ chart: 'shop', from, version: '1.1.0', to: { name: 'prod', index: index(['1.1.0', 'a']), rules: rules() } }), { kind: 'alreadyPromoted', version: '1.1.0', digest: 'a' });
  assert.equal(refused(planPromotion({ chart: 'shop', from, version: '1.2.0-rc.1', to: { name: 'prod', index: undefined, rules: rules() } })), 'prereleaseNotAllowed');
  assert.equal(refused(planPromotion({ chart: 'shop', from, version: '9.9.9', to: { name: 'prod', index: undefined, rules: rules() } })), 'notInSource');
  assert.equal(refused(planPromotion({ chart: 'shop', from, version: '1.1.0', to: { name: 'prod', index: index(['1.1.0', 'zzz']), rules: rules() } })), 'targetDiffers');
  assert.equal(refused(planPromotion({ chart: 'shop', from: { ...from, name: 'dev' }, to: { name: 'prod', index: undefined, rules: rules({ from: 'staging' }) } })), 'wrongSource');
  assert.equal(planPromotion({ chart: 'shop', from, version: '1.2.0-rc.1', to: { name: 'staging2', index: undefined, rules: rules({ allowPrerelease: true }) } }).kind, 'promote');
});

test('promote: a source url that leaves the source repository is refused, naming the url', () => {
  const hostile: [string, string][] = [
    ['../../../../home/u/.bashrc', 'climb above the bucket root'],
    ['../prod/shop-1.1.0.tgz', 'outside the prefix'],
    ['/prod/shop-1.1.0.tgz', 'outside the prefix'],
    ['s3://other-bucket/staging/shop-1.1.0.tgz', 'names bucket "other-bucket"'],
    ['https://evil.example/shop-1.1.0.tgz', 'https: url'],
    ['', 'empty'],
  ];
  for (const [url, why] of hostile) {
    const plan = planPromotion({ chart: 'shop', version: '1.1.0', from: { name: 'staging', index: index(['1.1.0', 'a', url]), repository: staging }, to: { name: 'prod', index: undefined, rules: rules() } });
    assert.equal(refused(plan), 'urlOutsideRepository', url);
    assert.ok(plan.kind === 'refused' && plan.detail.includes(JSON.stringify(url)) && plan.detail.includes(why), `${url}: ${plan.kind === 'refused' ? plan.detail : plan.kind}`);
  }
});

test('promote: the target name comes from the chart and version, not from the source url', () => {
  for (const url of ['/staging/sub/x.tgz', 's3://acme-charts/staging/renamed.tgz', './shop-1.1.0.tgz']) {
    const plan = planPromotion({ chart: 'shop', version: '1.1.0', from: { name: 'staging', index: index(['1.1.0', 'a', url]), repository: staging }, to: { name: 'prod', index: undefined, rules: rules() } });
    assert.equal(plan.kind === 'promote' && plan.targetName, 'shop-1.1.0.tgz', url);
  }
});

test('promote: a chart name or version that would make the target name a path is refused', () => {
  const traversingVersion = withEntry(emptyChartIndex(at), { name: 'shop', version: '1.0.0/../../../x', digest: 'a', urls: ['x.tgz'] }, at);
  const plan = planPromotion({ chart: 'shop', version: '1.0.0/../../../x', from: { name: 'staging', index: traversingVersion, repository: staging }, to: { name: 'prod', index: undefined, rules: rules({ allowPrerelease: true }) } });
  assert.equal(refused(plan), 'unsafeTargetName');
  const dotted = withEntry(emptyChartIndex(at), { name: '..', version: '1.0.0', digest: 'a', urls: ['x.tgz'] }, at);
  assert.equal(refused(planPromotion({ chart: '..', version: '1.0.0', from: { name: 'staging', index: dotted, repository: staging }, to: { name: 'prod', index: undefined, rules: rules() } })), 'unsafeTargetName');
});

test('promoted entry keeps the digest, points at its own object and records where it came from', () => {
  const source = index(['1.1.0', 'a', '/staging/elsewhere/shop.tgz']).entries.shop![0]!;
  const entry = promotedEntry(source, 'shop-1.1.0.tgz', { from: 'staging', at, by: 'ci-bot' });
  assert.equal(entry.digest, 'a');
  assert.equal(entry.annotations?.[PROVENANCE.promotedFrom], 'staging');
  assert.equal(entry.annotations?.[PROVENANCE.sourceDigest], 'a');
  assert.equal(entry.annotations?.[PROVENANCE.promotedBy], 'ci-bot');
  assert.deepEqual(entry.urls, ['shop-1.1.0.tgz']);
});
