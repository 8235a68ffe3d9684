import { test } from 'node:test';
import assert from 'node:assert/strict';
import { releaseExists } from '../../src/actions/diff.js';

/** A helm call that has not answered (and, in these tests, never does). */
const pending = <T>() => new Promise<T>(() => undefined);

test('releaseExists: the manifest answering first decides, without waiting for the history', async () => {
  assert.equal(await releaseExists(pending(), Promise.resolve('# Source: shop/templates/api.yaml\nkind: Deployment\n')), true);
  assert.equal(await releaseExists(pending(), Promise.resolve(undefined)), false);
});

test('releaseExists: the history answering first decides, without waiting for the manifest', async () => {
  assert.equal(await releaseExists(Promise.resolve([{ revision: 1 }]), pending()), true);
  assert.equal(await releaseExists(Promise.resolve([]), pending()), false);
});

test('releaseExists: a failed call leaves the answer to the other; both failing is the history error', async () => {
  assert.equal(await releaseExists(Promise.resolve([{ revision: 3 }]), Promise.reject(new Error('get all failed'))), true);
  assert.equal(await releaseExists(Promise.reject(new Error('history failed')), Promise.resolve('')), true, 'an empty manifest is still a release');
  await assert.rejects(releaseExists(Promise.reject(new Error('cluster unreachable (history)')), Promise.reject(new Error('cluster unreachable (get)'))), /history/);
});
