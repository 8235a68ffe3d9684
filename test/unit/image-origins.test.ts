import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageOrigins, sharedFiles } from '../../src/core/image-origins.js';

const files: Record<string, string> = {
  'common.yaml': 'web:\n  image:\n    tag: "1.27.1"\napi:\n  image:\n    tag: "2.0.0"\n',
  'prod.yaml': 'api:\n  image:\n    tag: "1.9.0"  # pinned for INC-7\n',
  'dev.yaml': 'web: {replicas: 1}\n',
  'ci.yaml.hbs': 'web:\n  image:\n    tag: "{{ env "TAG" }}"\n',
};
const services = [
  { service: 'api', tagPath: 'api.image.tag' },
  { service: 'web', tagPath: 'web.image.tag' },
  { service: 'worker', tagPath: 'worker.image.tag' },
];

test('image origins: the shared file, a per-environment override, and a chart default', () => {
  const shared = sharedFiles([{ values: ['common.yaml', 'prod.yaml'] }, { values: ['common.yaml', 'dev.yaml', 'ci.yaml.hbs'] }]);
  assert.deepEqual([...shared], ['common.yaml']);
  assert.deepEqual(imageOrigins(services, ['common.yaml', 'prod.yaml'], shared, (f) => files[f]), [
    { service: 'api', tagPath: 'api.image.tag', tag: '1.9.0', file: 'prod.yaml', override: true },
    { service: 'web', tagPath: 'web.image.tag', tag: '1.27.1', file: 'common.yaml', override: false },
    { service: 'worker', tagPath: 'worker.image.tag', tag: null, file: null, override: false },
  ]);
  // Templates are rendered at deploy time: not looked into.
  assert.equal(imageOrigins(services, ['common.yaml', 'dev.yaml', 'ci.yaml.hbs'], shared, (f) => files[f])[1]!.file, 'common.yaml');
});

test('image origins: each values file is read once for all the services, and one that does not parse is passed over', () => {
  const reads: string[] = [];
  const withBroken: Record<string, string> = { ...files, 'broken.yaml': 'api: [unclosed\n' };
  const origins = imageOrigins(services, ['common.yaml', 'prod.yaml', 'broken.yaml'], new Set(['common.yaml']), (f) => {
    reads.push(f);
    return withBroken[f];
  });
  assert.deepEqual(reads.sort(), ['broken.yaml', 'common.yaml', 'prod.yaml']);
  assert.deepEqual(origins.map((o) => o.file), ['prod.yaml', 'common.yaml', null]);
});
