import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeySourceError, KeySourceRouter } from '../../src/adapters/sops-keys/key-service.js';
import type { MasterKey } from '../../src/core/sops/types.js';

/** A key source that counts its unwraps and fails while `failing` is set. */
function countingSource() {
  const source = {
    calls: 0,
    failing: false,
    async unwrap(key: MasterKey): Promise<Uint8Array> {
      source.calls++;
      if (source.failing) throw new KeySourceError('no identity yet');
      return new TextEncoder().encode(`key for ${'enc' in key ? key.enc : ''}`);
    },
    async wrap(): Promise<never> {
      throw new Error('not used');
    },
  };
  return source;
}

test('a master key entry is unwrapped once per process; each caller gets its own copy; other entries and failures are not taken from the memo', async () => {
  const age = countingSource();
  const kms = countingSource();
  const router = new KeySourceRouter({ age, kms, pgp: countingSource() } as unknown as ConstructorParameters<typeof KeySourceRouter>[0]);
  const entry: MasterKey = { type: 'age', recipient: 'age1x', enc: 'wrapped-1' };
  const [first, second] = await Promise.all([router.unwrap(entry), router.unwrap({ ...entry })]);
  assert.equal(age.calls, 1);
  assert.deepEqual(first, second);
  first.fill(0);
  assert.deepEqual(await router.unwrap(entry), new TextEncoder().encode('key for wrapped-1'), 'zeroing one copy does not touch the remembered key');
  assert.equal(age.calls, 1);

  const withContext = (context: Record<string, string>): MasterKey => ({ type: 'kms', arn: 'arn:k', context, createdAt: 't', enc: 'wrapped-2', awsProfile: '' });
  await router.unwrap(withContext({ env: 'dev' }));
  await router.unwrap(withContext({ env: 'prod' }));
  assert.equal(kms.calls, 2, 'the same ciphertext under another encryption context is asked again');

  age.failing = true;
  const later: MasterKey = { type: 'age', recipient: 'age1x', enc: 'wrapped-3' };
  await assert.rejects(router.unwrap(later), KeySourceError);
  age.failing = false;
  assert.deepEqual(await router.unwrap(later), new TextEncoder().encode('key for wrapped-3'));
  assert.equal(age.calls, 3);
});
