// The merge semantics the simulator applies for helm 3's strategic merge patches,
// helm 4's server-side apply, JSON (merge) patches, selectors and protobuf bodies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { applyStrategicMergePatch } from '../../src/sandbox/patch-strategic-merge.js';
import { applyJsonPatch, applyMergePatch } from '../../src/sandbox/patch-json.js';
import { serverSideApply } from '../../src/sandbox/server-side-apply.js';
import { parseFieldSelector, parseLabelSelector } from '../../src/sandbox/selectors.js';
import { decodeProtobufObject } from '../../src/sandbox/protobuf-bodies.js';

const deployment = (): Record<string, any> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { a: '1', b: '2' } },
  spec: {
    replicas: 1,
    template: {
      spec: {
        containers: [
          { name: 'web', image: 'web:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] },
          { name: 'sidecar', image: 'side:1' },
        ],
      },
    },
  },
});

test('strategic merge patch merges containers and env by name, deletes with null and $patch: delete', () => {
  const patched = applyStrategicMergePatch(
    deployment(),
    {
      metadata: { labels: { b: null, c: '3' } },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'web:2', env: [{ name: 'B', $patch: 'delete' }, { name: 'C', value: '3' }] },
              { name: 'sidecar', $patch: 'delete' },
            ],
          },
        },
      },
    } as never,
    'Deployment',
  );
  assert.deepEqual(patched.metadata.labels, { a: '1', c: '3' });
  const containers = patched.spec.template.spec.containers;
  assert.deepEqual(containers.map((c: { name: string }) => c.name), ['web']);
  assert.equal(containers[0].image, 'web:2');
  assert.deepEqual(containers[0].env, [{ name: 'A', value: '1' }, { name: 'C', value: '3' }]);
  assert.deepEqual(containers[0].ports, [{ containerPort: 80 }], 'fields the patch does not name are kept');
});

test('strategic merge patch honours $setElementOrder, $retainKeys and $deleteFromPrimitiveList; unkeyed lists are replaced', () => {
  const base = { kind: 'Deployment', metadata: { finalizers: ['x', 'y'] }, spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } }, template: { spec: { containers: [{ name: 'a' }, { name: 'b' }], tolerations: [{ key: 'k1' }] } } } };
  const patched = applyStrategicMergePatch(
    base,
    {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] },
      spec: {
        strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null },
        template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], tolerations: [{ key: 'k2' }] } },
      },
    },
    'Deployment',
  );
  assert.deepEqual(patched.metadata.finalizers, ['y']);
  assert.deepEqual(patched.spec.strategy, { type: 'Recreate' });
  assert.deepEqual(patched.spec.template.spec.containers, [{ name: 'b' }, { name: 'a' }]);
  assert.deepEqual(patched.spec.template.spec.tolerations, [{ key: 'k2' }]);
});

test('Service ports merge by port, container ports by containerPort', () => {
  const svc = { kind: 'Service', spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
  const patched = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, 'Service');
  assert.deepEqual(patched.spec.ports, [{ port: 80, targetPort: 9090 }, { port: 443 }]);
});

test('server-side apply removes fields the manager stopped applying, keeps other managers\' fields', () => {
  const now = '2025-01-01T00:00:00Z';
  const first = serverSideApply(undefined, deployment(), 'helm', 'Deployment', now);
  assert.equal(first.metadata.managedFields[0].manager, 'helm');
  assert.equal(first.metadata.managedFields[0].operation, 'Apply');
  // Another writer adds an annotation the chart does not manage.
  const edited = structuredClone(first);
  edited.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': 'now' };
  edited.metadata.managedFields.push({ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: now, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:kubectl.kubernetes.io/restartedAt': {} } } } });

  const next = deployment();
  delete (next.metadata.labels as Record<string, string>).b;
  next.spec.template.spec.containers = [{ ...next.spec.template.spec.containers[0]!, image: 'web:2', env: [{ name: 'A', value: '1' }] }];
  const second = serverSideApply(edited, next, 'helm', 'Deployment', now);
  assert.deepEqual(second.metadata.labels, { a: '1' }, 'label b is no longer applied');
  assert.deepEqual(second.metadata.annotations, { 'kubectl.kubernetes.io/restartedAt': 'now' }, "kubectl's annotation survives");
  assert.deepEqual(second.spec.template.spec.containers.map((c: { name: string }) => c.name), ['web'], 'the sidecar is removed');
  assert.deepEqual(second.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }]);
  assert.equal(second.spec.template.spec.containers[0].image, 'web:2');
  assert.deepEqual(second.metadata.managedFields.map((m: { manager: string }) => m.manager).sort(), ['helm', 'kubectl']);
});

test('JSON merge patch and JSON patch follow RFC 7386 and RFC 6902', () => {
  assert.deepEqual(applyMergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] }), { a: 1, b: { d: 3, e: 4 }, l: [3] });
  const doc = { metadata: { labels: { a: '1' } }, spec: { list: [1, 2] } };
  const patched = applyJsonPatch(doc, [
    { op: 'add', path: '/metadata/labels/b~1c', value: '2' },
    { op: 'remove', path: '/metadata/labels/a' },
    { op: 'add', path: '/spec/list/-', value: 3 },
    { op: 'replace', path: '/spec/list/0', value: 0 },
  ]);
  assert.deepEqual(patched, { metadata: { labels: { 'b/c': '2' } }, spec: { list: [0, 2, 3] } });
  assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/list/0', value: 9 }]), /testing value/);
});

test('label and field selectors', () => {
  const obj = { metadata: { name: 'x', labels: { owner: 'helm', name: 'shop', tier: 'web' } }, status: { phase: 'Running' } };
  assert.equal(parseLabelSelector('owner=helm,name=shop')(obj), true);
  assert.equal(parseLabelSelector('owner=helm,name!=shop')(obj), false);
  assert.equal(parseLabelSelector('tier in (web, api),!missing')(obj), true);
  assert.equal(parseLabelSelector('tier notin (web)')(obj), false);
  assert.equal(parseLabelSelector('tier')(obj), true);
  assert.equal(parseFieldSelector('metadata.name=x,status.phase!=Failed')(obj), true);
  assert.equal(parseFieldSelector('metadata.name=y')(obj), false);
  assert.throws(() => parseLabelSelector('a b c'), /unable to parse/);
});

test('protobuf Secret bodies (k8s\\0 + runtime.Unknown) decode to the JSON shape', () => {
  // Encoded field by field from the k8s.io/api generated.proto numbers, independently of the decoder's schema.
  const meta = protobuf.Writer.create();
  meta.uint32((1 << 3) | 2).string('sh.helm.release.v1.shop.v1'); // name
  meta.uint32((3 << 3) | 2).string('shop'); // namespace
  for (const [k, v] of [['owner', 'helm'], ['name', 'shop']] as const) {
    const entry = protobuf.Writer.create().uint32((1 << 3) | 2).string(k).uint32((2 << 3) | 2).string(v).finish();
    meta.uint32((11 << 3) | 2).bytes(entry); // labels
  }
  const secret = protobuf.Writer.create();
  secret.uint32((1 << 3) | 2).bytes(meta.finish());
  const dataEntry = protobuf.Writer.create().uint32((1 << 3) | 2).string('release').uint32((2 << 3) | 2).bytes(Buffer.from('H4sI')).finish();
  secret.uint32((2 << 3) | 2).bytes(dataEntry);
  secret.uint32((3 << 3) | 2).string('helm.sh/release.v1');
  const typeMeta = protobuf.Writer.create().uint32((1 << 3) | 2).string('v1').uint32((2 << 3) | 2).string('Secret').finish();
  const unknown = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(typeMeta).uint32((2 << 3) | 2).bytes(secret.finish()).finish();
  const body = Buffer.concat([Buffer.from('k8s\u0000', 'latin1'), Buffer.from(unknown)]);

  assert.deepEqual(decodeProtobufObject(body), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'sh.helm.release.v1.shop.v1', namespace: 'shop', labels: { owner: 'helm', name: 'shop' } },
    data: { release: Buffer.from('H4sI').toString('base64') },
    type: 'helm.sh/release.v1',
  });
  assert.throws(() => decodeProtobufObject(Buffer.from('nope')), /k8s\\0 envelope/);
});

test('server-side apply without force conflicts on a field another manager set to a different value', () => {
  const now = '2025-01-01T00:00:00Z';
  const live = serverSideApply(undefined, deployment(), 'helm', 'Deployment', now);
  // `kubectl scale` took spec.replicas.
  live.spec.replicas = 5;
  live.metadata.managedFields = [
    { ...live.metadata.managedFields[0], fieldsV1: { ...live.metadata.managedFields[0].fieldsV1 } },
    { manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: now, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
  ];
  assert.throws(
    () => serverSideApply(live, deployment(), 'helm', 'Deployment', now, false),
    (err: Error & { code?: number }) => err.code === 409 && /conflict with "kubectl" using apps\/v1: \.spec\.replicas/.test(err.message),
  );
  // Same value: no conflict, ownership shared.
  const same = deployment();
  same.spec.replicas = 5;
  const shared = serverSideApply(live, same, 'helm', 'Deployment', now, false);
  assert.ok(shared.metadata.managedFields.some((m: { manager: string }) => m.manager === 'kubectl'));
  // Forced: helm takes the field over.
  const forced = serverSideApply(live, deployment(), 'helm', 'Deployment', now, true);
  assert.equal(forced.spec.replicas, 1);
  assert.equal(forced.metadata.managedFields.some((m: { manager: string }) => m.manager === 'kubectl'), false);
});
