import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaFetcher } from '../../src/adapters/schema-sources/schema-fetcher.js';
import { SchemaRegistry } from '../../src/actions/steps/schema-registry.js';
import { crdSchemasIn, validateDocuments } from '../../src/actions/steps/schema-validation.js';
import { COMPILE_THRESHOLD, SchemaCompiler } from '../../src/core/schema/schema-compiler.js';
import { parseKubeVersion } from '../../src/core/schema/kube-version.js';
import { readManifestText, type InputDocument } from '../../src/core/schema/manifest-input.js';
import { renderValidationJunit } from '../../src/core/schema/report-junit.js';
import { renderValidationTap } from '../../src/core/schema/report-tap.js';
import { renderValidationText } from '../../src/core/schema/report-text.js';
import { summarize, type ResourceResult, type ValidateResult } from '../../src/core/schema/validation-result.js';
import { writeFixtureSchemas } from '../support/kube-schema-fixture.js';

let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chartctl-validate-engine-'));
  await writeFixtureSchemas(join(dir, 'schemas'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function check(input: string | InputDocument[], opts: { strict?: boolean; skip?: string[]; reject?: string[]; ignoreMissing?: boolean } = {}): Promise<ResourceResult[]> {
  const docs = typeof input === 'string' ? readManifestText('in.yaml', input, { duplicateKeys: Boolean(opts.strict) }) : input;
  const fetcher = new SchemaFetcher({ offline: true, insecureSkipTlsVerify: false, cwd: dir, timeoutMs: 1000 });
  const registry = new SchemaRegistry(fetcher, { kubeVersion: parseKubeVersion('1.33'), strict: Boolean(opts.strict), locations: ['schemas'], defaultBase: 'unused', crds: crdSchemasIn(docs) });
  return validateDocuments(docs, registry, new SchemaCompiler(), { skip: new Set(opts.skip ?? []), reject: new Set(opts.reject ?? []), ignoreMissingSchemas: Boolean(opts.ignoreMissing) });
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: api:1.0
        imagePullPolice: Always
        resources:
          limits: {cpu: 500m, memory: 512Mi}
`;

test('strict mode catches a typo with its path, line and a suggestion; without strict it is valid', async () => {
  assert.equal((await check(DEPLOYMENT))[0]!.status, 'valid');
  const [r] = await check(DEPLOYMENT, { strict: true });
  assert.equal(r!.status, 'invalid');
  assert.deepEqual(
    r!.problems.map((p) => [p.path, p.message, p.line, p.column]),
    [['spec.template.spec.containers[0].imagePullPolice', 'unknown field (did you mean "imagePullPolicy"?)', 17, 9]],
  );
  assert.equal(r!.name, 'api');
  assert.equal(r!.namespace, 'shop');
  assert.match(r!.schema!, /_definitions\.json$/);
});

test('a problem in a document followed by empty documents is located at its field, not at the first line', async () => {
  for (const text of [`${DEPLOYMENT}---\n---\n`, `${DEPLOYMENT}---\n`, `---\n${DEPLOYMENT}---\n# nothing rendered\n`]) {
    const first = text.startsWith('---') ? 1 : 0;
    const results = await check(text, { strict: true });
    assert.equal(results.length, 1, text);
    assert.deepEqual(
      results[0]!.problems.map((p) => [p.path, p.line, p.column]),
      [['spec.template.spec.containers[0].imagePullPolice', 17 + first, 9]],
      text,
    );
  }
});

test("type, enum, required and quantity problems use the schema's words", async () => {
  const text = DEPLOYMENT.replace('replicas: 2', 'replicas: two').replace('imagePullPolice: Always', 'imagePullPolicy: Sometimes').replace('memory: 512Mi', 'memory: 512MB').replace('      - name: api\n', '      - ports: [{containerPort: 80}]\n');
  const [r] = await check(text);
  const byPath = Object.fromEntries(r!.problems.map((p) => [p.path, p.message]));
  assert.equal(byPath['spec.replicas'], 'expected integer, got string');
  assert.match(byPath['spec.template.spec.containers[0].imagePullPolicy']!, /must be one of: "Always", "IfNotPresent", "Never"/);
  assert.match(byPath['spec.template.spec.containers[0]']!, /missing required field "name"/);
  assert.match(byPath['spec.template.spec.containers[0].resources.limits.memory']!, /quantity/);
});

test('null is accepted for optional fields (as absent), not for required ones', async () => {
  const ok = await check('apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  creationTimestamp: null\nspec:\n  ports:\n  - port: 80\n    targetPort: null\n  selector: null\n');
  assert.equal(ok[0]!.status, 'valid', JSON.stringify(ok[0]!.problems));
  const bad = await check('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: null\n');
  assert.equal(bad[0]!.status, 'invalid');
  assert.match(bad[0]!.problems[0]!.message, /missing required field "port"/);
});

test('nulls among valid fields, a null list item, and an error elsewhere in a resource with nulls; the parsed document is left as it was', async () => {
  const withNulls = DEPLOYMENT.replace('  replicas: 2\n', '  replicas: 2\n  strategy: null\n').replace('        image: api:1.0\n', '        image: api:1.0\n        command: null\n        env:\n        - name: A\n          value: null\n');
  const docs = readManifestText('in.yaml', withNulls, { duplicateKeys: false });
  const before = JSON.stringify(docs[0]!.value);
  const [valid] = await check(docs);
  assert.equal(valid!.status, 'valid', JSON.stringify(valid!.problems));
  assert.equal(JSON.stringify(docs[0]!.value), before);
  const [nullItem] = await check(withNulls.replace('        command: null\n', '        command: [sh, null]\n'));
  assert.deepEqual(nullItem!.problems.map((p) => [p.path, p.line]), [['spec.template.spec.containers[0].command[1]', 18]]);
  const [elsewhere] = await check(withNulls.replace('replicas: 2', 'replicas: two'));
  assert.deepEqual(elsewhere!.problems.map((p) => [p.path, p.message, p.line]), [['spec.replicas', 'expected integer, got string', 7]]);
});

test('List items are validated one by one; skip, reject, missing schemas and identity errors', async () => {
  const list = await check('apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\n  spec: {ports: [{port: x}]}\n');
  assert.deepEqual(list.map((r) => [r.kind, r.item, r.status, r.line]), [['ConfigMap', 0, 'valid', 4], ['Service', 1, 'invalid', 7]]);
  assert.equal(list[1]!.problems[0]!.line, 10);
  const mixed = await check('apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\napiVersion: example.com/v1\nkind: Widget\n---\nmetadata: {name: x}\n---\nkind: ConfigMap\n', { skip: ['Secret'] });
  assert.deepEqual(mixed.map((r) => r.status), ['skipped', 'error', 'error', 'error']);
  assert.match(mixed[1]!.problems[0]!.message, /could not find a schema for example.com\/v1\/Widget/);
  assert.match(mixed[2]!.problems[0]!.message, /missing 'kind'/);
  assert.match(mixed[3]!.problems[0]!.message, /missing 'apiVersion'/);
  assert.equal((await check('apiVersion: example.com/v1\nkind: Widget\n', { ignoreMissing: true }))[0]!.status, 'skipped');
  assert.equal((await check('apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n', { reject: ['v1/Secret'] }))[0]!.status, 'error');
});

test('a CustomResourceDefinition in the same input validates its custom resources', async () => {
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1}
              port: {x-kubernetes-int-or-string: true}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;
  const results = await check(`apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 0, port: http, extra: {anything: [1]}, colour: red}\n---\n${crd}`, { strict: true });
  assert.equal(results[0]!.schema, 'CustomResourceDefinition widgets.example.com');
  assert.deepEqual(results[0]!.problems.map((p) => p.path).sort(), ['spec.colour', 'spec.size']);
  assert.equal(results[1]!.status, 'valid', JSON.stringify(results[1]!.problems));
});

test('reports: text groups findings under the resource; tap and junit count every resource', async () => {
  const resources = await check(`${DEPLOYMENT.replace('replicas: 2', 'replicas: "2"')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n`);
  const result: ValidateResult = { ok: false, kubeVersion: '1.33', strict: false, summary: summarize(resources, 1), resources, warnings: [], compiled: { compiled: 0, fromCache: 0, interpreted: 2 } };
  const text = renderValidationText(result);
  assert.match(text, /^apps\/v1\/Deployment shop\/api in\.yaml:1: invalid\n {2}in\.yaml:7:3: spec\.replicas: expected integer, got string\n/);
  assert.match(text, /1 of 2 resources failed validation \(1 invalid, 0 errors, 0 skipped\)/);
  assert.match(renderValidationText(result, { summary: true }), /Summary: 2 resources found in 1 file - Valid: 1, Invalid: 1, Errors: 0, Skipped: 0/);
  const tap = renderValidationTap(result).split('\n');
  assert.equal(tap[0], 'TAP version 13');
  assert.match(tap[1]!, /^not ok 1 - in\.yaml \(apps\/v1\/Deployment\/shop\/api\): problem validating schema\. Check JSON formatting: jsonschema validation failed with '.*#' - at '\//);
  assert.ok(tap.includes('ok 2 - in.yaml (v1/ConfigMap//c)'), tap.join('\n'));
  assert.ok(tap.includes('1..2'));
  const junit = renderValidationJunit(result, 0.5);
  assert.match(junit, /<testsuites name="chartctl validate" time="0.500" tests="2" failures="1" disabled="0" errors="0">/);
  assert.match(junit, /<testcase name="shop\/api" classname="Deployment@apps\/v1">\n {6}<failure message="spec.replicas: expected integer, got string"/);
  assert.equal((junit.match(/<testcase /g) ?? []).length, 2);
});

test('compiled (many resources of a kind) and walked (few) schemas find the same problems', async () => {
  const bad = DEPLOYMENT.replace('replicas: 2', 'replicas: two').replace('memory: 512Mi', 'memory: 512MB');
  const few = await check(bad, { strict: true });
  const many = await check(Array.from({ length: COMPILE_THRESHOLD + 20 }, () => bad).join('---\n'), { strict: true });
  const problems = (r: ResourceResult) => r.problems.map((p) => [p.path, p.message, p.line]);
  assert.equal(many.length, COMPILE_THRESHOLD + 20);
  assert.deepEqual(problems(many[0]!), problems(few[0]!));
  assert.equal(few[0]!.problems.length, 3);
});
