import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMAT_CHECKS } from '../../src/core/schema/formats.js';
import { compileLocationTemplate, locationVariables, parseSchemaLocation } from '../../src/core/schema/location-template.js';
import { parseKubeVersion } from '../../src/core/schema/kube-version.js';
import { gvkOf, matchesKindFilter } from '../../src/core/schema/gvk.js';
import { readManifestText } from '../../src/core/schema/manifest-input.js';
import { transformSchema, transformDefinitions, QUANTITY_PATTERN, DATE_TIME_PATTERN } from '../../src/core/schema/kube-schema-transform.js';
import { crdSchemas } from '../../src/core/schema/crd-schemas.js';
import { classifySchemaDocument } from '../../src/core/schema/schema-document.js';
import { formatPath, closest } from '../../src/core/schema/schema-problems.js';
import { locatePath } from '../../src/core/schema/yaml-events.js';
import { LineIndex } from '../../src/core/schema/line-index.js';
import { isChartctlError } from '../../src/core/errors.js';

test('location template fields are computed exactly as kubeconform does', () => {
  const render = compileLocationTemplate('{{ .NormalizedKubernetesVersion }}{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}|{{.Group}}|{{ .ResourceAPIVersion }}.json');
  assert.equal(render(locationVariables(gvkOf('apps/v1', 'Deployment'), 'v1.33.0', true)), 'v1.33.0-strict/deployment-apps-v1|apps|v1.json');
  // Core kinds: Group is the part before the slash, i.e. the version itself.
  assert.equal(render(locationVariables(gvkOf('v1', 'Service'), 'master', false)), 'master/service-v1|v1|v1.json');
  // Only the first label of a dotted group goes into the suffix.
  assert.equal(render(locationVariables(gvkOf('sagemaker.aws.amazon.com/v1', 'TrainingJob'), 'master', false)), 'master/trainingjob-sagemaker-v1|sagemaker.aws.amazon.com|v1.json');
});

test('location templates: trim markers work, unknown fields and other actions fail early', () => {
  assert.equal(compileLocationTemplate('a/ {{- .ResourceKind -}} /b.json')(locationVariables(gvkOf('v1', 'Pod'), 'master', false)), 'a/pod/b.json');
  for (const bad of ['foo {{ .Foo }}', 'x/{{ .ResourceKind | lower }}.json', 'x/{{ .ResourceKind .json']) {
    assert.throws(() => parseSchemaLocation(bad), (e) => isChartctlError(e) && e.code === 'BAD_SCHEMA_LOCATION', bad);
  }
  assert.throws(() => parseSchemaLocation('x/{{ .Foo }}.json', 'CHARTCTL_SCHEMA_LOCATION'), /^ChartctlError: CHARTCTL_SCHEMA_LOCATION "x\/\{\{ \.Foo \}\}\.json" is not a valid location template/);
  assert.equal(parseSchemaLocation('default').kind, 'default');
  assert.equal(parseSchemaLocation('./schemas/{{ .ResourceKind }}.json').kind, 'template');
  assert.deepEqual(parseSchemaLocation('https://example.test/schemas/'), { kind: 'base', base: 'https://example.test/schemas' });
});

test('kube versions: X.Y and X.Y.Z with or without v, master; anything else is refused', () => {
  assert.deepEqual(parseKubeVersion('1.33'), { display: '1.33', normalized: 'v1.33.0' });
  assert.deepEqual(parseKubeVersion('v1.30.2'), { display: '1.30.2', normalized: 'v1.30.2' });
  assert.equal(parseKubeVersion('master').normalized, 'master');
  for (const bad of ['1', 'one.two', '1.33.0.1', '']) assert.throws(() => parseKubeVersion(bad), (e) => isChartctlError(e) && e.code === 'BAD_KUBE_VERSION');
});

test('skip/reject filters match a bare kind or apiVersion/kind', () => {
  const f = new Set(['Secret', 'apps/v1/Deployment']);
  assert.ok(matchesKindFilter(f, 'v1', 'Secret'));
  assert.ok(matchesKindFilter(f, 'apps/v1', 'Deployment'));
  assert.ok(!matchesKindFilter(f, 'apps/v1beta1', 'Deployment'));
});

test('manifests are read as Kubernetes reads YAML: YAML 1.1 booleans and octals, no base-60, dates stay text', () => {
  const [doc] = readManifestText('x.yaml', 'a: yes\nb: off\nc: 012\nd: 12:30\ne: 2024-01-01\nf: 1e3\ng: "yes"\nh: 0x1F\n', { duplicateKeys: false });
  assert.deepEqual(doc!.value, { a: true, b: false, c: 10, d: '12:30', e: '2024-01-01', f: 1000, g: 'yes', h: 31 });
});

test('a stream: empty documents skipped, lines and helm Source comments kept, documents indexed', () => {
  const text = '---\n# Source: chart/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# only a comment\n---\n\n---\n# Source: chart/templates/b.yaml\napiVersion: v1\nkind: Secret\n';
  const docs = readManifestText('rendered', text, { duplicateKeys: false });
  assert.deepEqual(
    docs.map((d) => [d.index, d.line, d.source, (d.value as { kind: string }).kind]),
    [
      [0, 3, 'chart/templates/a.yaml', 'ConfigMap'],
      [1, 12, 'chart/templates/b.yaml', 'Secret'],
    ],
  );
});

test('one broken document is reported at file:line:col and the others are still read', () => {
  const text = 'apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n  bad: indent\n---\napiVersion: v1\nkind: C\n';
  const docs = readManifestText('f.yaml', text, { duplicateKeys: false });
  assert.equal(docs.length, 3);
  assert.equal((docs[0]!.value as { kind: string }).kind, 'A');
  assert.equal(docs[1]!.value, undefined);
  assert.equal(docs[1]!.error!.line, 6);
  assert.ok(docs[1]!.error!.col >= 1);
  assert.equal((docs[2]!.value as { kind: string }).kind, 'C');
});

test('duplicate keys: the last wins normally; strict reading reports each with its path and position', () => {
  const text = 'kind: A\nspec:\n  containers: []\n  x: 1\n  containers:\n  - name: b\n';
  assert.deepEqual(readManifestText('f', text, { duplicateKeys: false })[0]!.value, { kind: 'A', spec: { containers: [{ name: 'b' }], x: 1 } });
  const [doc] = readManifestText('f', text, { duplicateKeys: true });
  assert.deepEqual(doc!.duplicateKeys, [{ path: ['spec'], key: 'containers', line: 5, col: 3 }]);
});

test('JSON files are read directly, with the same result as YAML', () => {
  const docs = readManifestText('x.json', '\n{"apiVersion": "v1", "kind": "Pod"}', { duplicateKeys: false });
  assert.deepEqual(docs.map((d) => [d.line, d.value]), [[2, { apiVersion: 'v1', kind: 'Pod' }]]);
});

test('line index: the same positions whether looked up in file order or not', () => {
  const text = 'a\n\nbb\nccc\n\n';
  const naive = (offset: number) => {
    const before = text.slice(0, offset);
    return { line: before.split('\n').length, col: offset - before.lastIndexOf('\n') };
  };
  const offsets = Array.from({ length: text.length + 2 }, (_, i) => i);
  const inOrder = new LineIndex(text);
  for (const o of offsets) assert.deepEqual(inOrder.position(o), naive(o), `offset ${o} in order`);
  const mixed = new LineIndex(text);
  for (const o of [3, 3, 7, 1, 9, 0, 12, 5]) assert.deepEqual(mixed.position(o), naive(o), `offset ${o} out of order`);
});

test('locating a path prefers the key of the last segment', () => {
  const text = 'spec:\n  containers:\n  - name: a\n  - name: b\n    imagePullPolice: Always\n';
  const offset = locatePath(text, ['spec', 'containers', 1, 'imagePullPolice']);
  assert.equal(text.slice(offset, offset + 'imagePullPolice'.length), 'imagePullPolice');
  assert.equal(formatPath(['spec', 'containers', 1, 'imagePullPolice']), 'spec.containers[1].imagePullPolice');
  assert.equal(formatPath(['metadata', 'labels', 'app.kubernetes.io/name']), 'metadata.labels["app.kubernetes.io/name"]');
  assert.equal(closest('imagePullPolice', ['image', 'imagePullPolicy', 'name']), 'imagePullPolicy');
  assert.equal(closest('zzz', ['image', 'name']), undefined);
});

test('transform: int-or-string, nullable, formats, OpenAPI exclusive bounds', () => {
  const t = transformSchema(
    {
      type: 'object',
      properties: {
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        when: { type: 'string', format: 'date-time', nullable: true },
        size: { type: 'string', format: 'quantity' },
        n: { type: 'integer', minimum: 0, exclusiveMinimum: true },
        other: { type: 'string', format: 'password', description: 'dropped' },
        interval: { type: 'string', format: 'duration', pattern: '^[0-9]' },
      },
    },
    { strict: false },
  ) as any;
  assert.deepEqual(t.properties.port, { type: ['integer', 'string'] });
  assert.deepEqual(t.properties.when, { type: ['string', 'null'], pattern: DATE_TIME_PATTERN });
  assert.deepEqual(t.properties.size, { type: ['string', 'number'], pattern: QUANTITY_PATTERN });
  assert.deepEqual(t.properties.n, { type: 'integer', exclusiveMinimum: 0 });
  // An annotation-only format (as in kubeconform's jsonschema); an asserted one next to a pattern: both hold.
  assert.deepEqual(t.properties.other, { type: 'string' });
  assert.deepEqual(t.properties.interval, { type: 'string', pattern: '^[0-9]', allOf: [{ pattern: FORMAT_CHECKS.duration!.pattern }] });
  assert.equal(t.additionalProperties, undefined, 'not strict: open');
});

test('strict closes objects only where the schema is closed', () => {
  const t = transformSchema(
    {
      type: 'object',
      properties: {
        closed: { type: 'object', properties: { a: { type: 'string' } } },
        preserved: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
        map: { type: 'object', additionalProperties: { type: 'string' } },
        bare: { type: 'object' },
        union: { allOf: [{ properties: { a: { type: 'string' } } }] },
      },
    },
    { strict: true },
  ) as any;
  assert.equal(t.additionalProperties, false);
  assert.equal(t.properties.closed.additionalProperties, false);
  assert.equal(t.properties.preserved.additionalProperties, undefined);
  assert.deepEqual(t.properties.map.additionalProperties, { type: 'string' });
  assert.equal(t.properties.bare.additionalProperties, undefined);
  assert.equal(t.properties.union.allOf[0].additionalProperties, undefined, 'branches of combinators stay open');
});

test('well-known definitions: Quantity and IntOrString become plain unions', () => {
  const d = transformDefinitions({ 'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] }, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {} }, { strict: false }) as any;
  assert.deepEqual(d['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], { type: ['integer', 'string'] });
  assert.equal(d['io.k8s.apimachinery.pkg.api.resource.Quantity'].pattern, QUANTITY_PATTERN);
  const re = new RegExp(QUANTITY_PATTERN);
  for (const ok of ['500m', '1.5', '512Mi', '2Gi', '1e3', '+1', '.5']) assert.ok(re.test(ok), ok);
  for (const bad of ['512MB', '1 Gi', 'lots']) assert.ok(!re.test(bad), bad);
});

test('CRDs: v1 per-version schemas and v1beta1 shared validation yield a schema per version', () => {
  const v1 = crdSchemas({
    metadata: { name: 'widgets.example.com' },
    spec: { group: 'example.com', names: { kind: 'Widget' }, versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } } }, { name: 'v2' }] },
  });
  assert.deepEqual(v1.map((c) => `${c.gvk.group}/${c.gvk.version}/${c.gvk.kind}`), ['example.com/v1/Widget', 'example.com/v2/Widget']);
  assert.ok((v1[0]!.schema as any).properties.apiVersion, 'implicit apiVersion/kind/metadata added');
  assert.equal((v1[1]!.schema as any)['x-kubernetes-preserve-unknown-fields'], true, 'no schema: anything goes');
  const beta = crdSchemas({ spec: { group: 'g.io', names: { kind: 'K', plural: 'ks' }, version: 'v1alpha1', validation: { openAPIV3Schema: { properties: { spec: {} } } } } });
  assert.equal(beta[0]!.crd, 'ks.g.io');
  assert.ok((beta[0]!.schema as any).properties.spec);
});

test('schema documents are told apart: definitions, OpenAPI v3, single schema', () => {
  assert.equal(classifySchemaDocument({ definitions: { A: { 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'A' }] } } })!.kind, 'definitions');
  const openapi = classifySchemaDocument({ openapi: '3.0.0', components: { schemas: { B: { 'x-kubernetes-group-version-kind': [{ group: 'apps', version: 'v1', kind: 'B' }] } } } });
  assert.equal(openapi!.kind, 'openapi');
  assert.equal(openapi?.kind === 'openapi' && openapi.byGvk.get('apps/v1/B'), 'B');
  assert.equal(classifySchemaDocument({ type: 'object', properties: {}, definitions: {} })!.kind, 'single');
});
