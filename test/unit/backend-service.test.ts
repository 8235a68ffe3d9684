import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findBackendService } from '../../src/core/strategy/backend-service.js';
import type { KubeObject } from '../../src/core/manifests.js';

const service = (name: string, selector?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ...(selector ? { selector } : {}), ports: [{ name: 'http', port: 80, nodePort: 30001 }] } });
const api = service('shop-api', { app: 'api' });
const web = service('shop-web', { app: 'web' });
const headless = service('shop-headless');

test('backend service: the named one, or the only one with a selector; its ports without nodePort', () => {
  assert.deepEqual(findBackendService([api, web], 'shop', 'web'), { kind: 'found', name: 'shop-web', selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] });
  assert.deepEqual(findBackendService([api, headless], 'shop', undefined), { kind: 'found', name: 'shop-api', selector: { app: 'api' }, ports: [{ name: 'http', port: 80 }] });
});

test('backend service: several with a selector and none named is ambiguous; a missing name or none at all is missing, listing those there are', () => {
  assert.deepEqual(findBackendService([api, web], 'shop', undefined), { kind: 'ambiguous', names: ['shop-api', 'shop-web'] });
  assert.deepEqual(findBackendService([api, web], 'shop', 'db'), { kind: 'missing', names: ['shop-api', 'shop-web'] });
  assert.deepEqual(findBackendService([headless], 'shop', undefined), { kind: 'missing', names: [] });
});
