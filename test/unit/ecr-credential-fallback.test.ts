import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ecrCredentialFallback, type EcrTokenSource } from '../../src/adapters/ecr-credentials.js';
import type { EcrRegistry } from '../../src/core/ecr-registry.js';

test('the fallback asks the ECR token source for ECR hosts only, with the account and region of the host', async () => {
  const asked: [string, EcrRegistry][] = [];
  const tokens: EcrTokenSource = {
    credentialFor: async (registry, ecr) => {
      asked.push([registry, ecr]);
      return { credential: { username: 'AWS', secret: 'x', source: 'ecr' }, tried: ['ecr'] };
    },
  };
  const fallback = ecrCredentialFallback(tokens);
  assert.equal((await fallback('210987654321.dkr.ecr.ap-south-1.amazonaws.com')).credential?.username, 'AWS');
  assert.deepEqual(await fallback('ghcr.io'), { tried: [] });
  assert.deepEqual(await fallback('127.0.0.1:5000'), { tried: [] });
  assert.deepEqual(asked, [['210987654321.dkr.ecr.ap-south-1.amazonaws.com', { account: '210987654321', region: 'ap-south-1' }]]);
});
