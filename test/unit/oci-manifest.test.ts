import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chartManifest,
  HELM_CHART_LAYER_MEDIA_TYPE,
  HELM_CONFIG_MEDIA_TYPE,
  HELM_PROVENANCE_LAYER_MEDIA_TYPE,
  helmConfigJson,
  helmManifestAnnotations,
  parseChartManifest,
  serializeManifest,
  tagOfVersion,
  versionOfTag,
} from '../../src/core/oci-manifest.js';
import { ChartctlError } from '../../src/core/errors.js';

// What helm 4.1.4 `helm push` wrote for the podinfo 6.14.1 chart (read back from a real distribution registry).
const PODINFO = {
  apiVersion: 'v1', version: '6.14.1', appVersion: '6.14.1', name: 'podinfo', description: 'Podinfo Helm chart for Kubernetes',
  home: 'https://github.com/stefanprodan/podinfo', maintainers: [{ email: 'stefanprodan@users.noreply.github.com', name: 'stefanprodan' }],
  sources: ['https://github.com/stefanprodan/podinfo'], kubeVersion: '>=1.23.0-0',
};
const HELM_CONFIG = '{"name":"podinfo","home":"https://github.com/stefanprodan/podinfo","sources":["https://github.com/stefanprodan/podinfo"],"version":"6.14.1","description":"Podinfo Helm chart for Kubernetes","maintainers":[{"name":"stefanprodan","email":"stefanprodan@users.noreply.github.com"}],"apiVersion":"v1","appVersion":"6.14.1","kubeVersion":"\\u003e=1.23.0-0"}';
const HELM_MANIFEST = '{"schemaVersion":2,"config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"sha256:dbceb8fe7918859cefcbda477fb58162053c12d89a8ab5c9b590ea060f6b164b","size":350},"layers":[{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"sha256:1a1dfbc67659f2eb59e950980158768c53af7b606567a63cbd3e87e572aa05c8","size":16918}],"annotations":{"org.opencontainers.image.authors":"stefanprodan (stefanprodan@users.noreply.github.com)","org.opencontainers.image.created":"2026-12-02T13:08:55Z","org.opencontainers.image.description":"Podinfo Helm chart for Kubernetes","org.opencontainers.image.source":"https://github.com/stefanprodan/podinfo","org.opencontainers.image.title":"podinfo","org.opencontainers.image.url":"https://github.com/stefanprodan/podinfo","org.opencontainers.image.version":"6.14.1"}}';

test('config JSON and manifest bytes are the ones helm push writes', () => {
  assert.equal(helmConfigJson(PODINFO), HELM_CONFIG);
  assert.equal(HELM_CONFIG.length, 350);
  const manifest = chartManifest({
    config: { mediaType: HELM_CONFIG_MEDIA_TYPE, digest: 'sha256:dbceb8fe7918859cefcbda477fb58162053c12d89a8ab5c9b590ea060f6b164b', size: 350 },
    chart: { mediaType: HELM_CHART_LAYER_MEDIA_TYPE, digest: 'sha256:1a1dfbc67659f2eb59e950980158768c53af7b606567a63cbd3e87e572aa05c8', size: 16918 },
    annotations: helmManifestAnnotations(PODINFO, '2026-12-02T13:08:55Z'),
  });
  assert.equal(serializeManifest(manifest), HELM_MANIFEST);
});

test('chart annotations are copied, never over title or version', () => {
  const a = helmManifestAnnotations({ name: 'x', version: '1.0.0', annotations: { 'org.opencontainers.image.version': '9', team: 'core' } }, 't');
  assert.equal(a['org.opencontainers.image.version'], '1.0.0');
  assert.equal(a.team, 'core');
});

test('versions with build metadata use helm\'s tag form', () => {
  assert.equal(tagOfVersion('1.2.3+build.5'), '1.2.3_build.5');
  assert.equal(versionOfTag('1.2.3_build.5'), '1.2.3+build.5');
});

test('manifests that are not helm charts are refused with the reason', () => {
  const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
  const ok = JSON.parse(HELM_MANIFEST);
  assert.equal(parseChartManifest(enc(ok), 'm').chart.size, 16918);
  const cases: [unknown, RegExp][] = [
    ['not json', /not JSON/],
    [{ ...ok, schemaVersion: 1 }, /schemaVersion/],
    [{ ...ok, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }, /media type/],
    [{ ...ok, config: { ...ok.config, mediaType: 'application/vnd.oci.image.config.v1+json' } }, /config media type/],
    [{ ...ok, layers: [] }, /0 chart layers/],
    [{ ...ok, layers: [ok.layers[0], ok.layers[0]] }, /2 chart layers/],
    [{ ...ok, layers: [{ ...ok.layers[0], mediaType: 'application/vnd.oci.image.layer.v1.tar' }] }, /layer of media type/],
    [{ ...ok, layers: [{ ...ok.layers[0], digest: 'sha256:../../etc' }] }, /is not sha256/],
    [{ ...ok, layers: [{ ...ok.layers[0], size: -1 }] }, /descriptor/],
  ];
  for (const [value, reason] of cases) {
    assert.throws(() => parseChartManifest(enc(value), 'oci://r/x:1'), (e) => e instanceof ChartctlError && e.code === 'OCI_MANIFEST_INVALID' && reason.test(e.message), String(reason));
  }
});

test('a .prov layer sits beside the chart layer in digest order, as helm push writes them; without one only the chart', () => {
  const config = { mediaType: HELM_CONFIG_MEDIA_TYPE, digest: `sha256:${'c'.repeat(64)}`, size: 2 };
  const chart = { mediaType: HELM_CHART_LAYER_MEDIA_TYPE, digest: `sha256:${'5'.repeat(64)}`, size: 10 };
  const lower = { mediaType: HELM_PROVENANCE_LAYER_MEDIA_TYPE, digest: `sha256:${'0'.repeat(64)}`, size: 3 };
  const higher = { ...lower, digest: `sha256:${'f'.repeat(64)}` };
  assert.deepEqual(chartManifest({ config, chart, provenance: lower, annotations: {} }).layers, [lower, chart]);
  assert.deepEqual(chartManifest({ config, chart, provenance: higher, annotations: {} }).layers, [chart, higher]);
  assert.deepEqual(chartManifest({ config, chart, annotations: {} }).layers, [chart]);
});
