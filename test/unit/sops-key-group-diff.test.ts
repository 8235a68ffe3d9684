import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffKeyGroups, updatedShamirThreshold } from '../../src/core/sops/key-group-diff.js';
import type { MasterKey } from '../../src/core/sops/types.js';

const kms = (arn: string, role?: string): MasterKey => ({ type: 'kms', arn, role, createdAt: '2024-01-01T00:00:00Z', enc: 'x', awsProfile: '' });

test("updatekeys compares keys as sops' DiffKeyGroups: group by group, by recipient / fingerprint / ARN only", () => {
  const file: MasterKey[][] = [[{ type: 'age', recipient: 'age1a', enc: 'x' }, kms('arn:aws:kms:us-east-1:1:key/k', 'arn:aws:iam::1:role/old')], [{ type: 'pgp', fingerprint: 'AB12', createdAt: '', enc: 'x' }]];
  const changes = diffKeyGroups(file, [[{ type: 'kms', arn: 'arn:aws:kms:us-east-1:1:key/k', role: 'arn:aws:iam::1:role/new' }, { type: 'age', recipient: 'age1b' }]]);
  assert.deepEqual(changes, [
    { group: 1, kept: ['kms arn:aws:kms:us-east-1:1:key/k (role arn:aws:iam::1:role/new)'], added: ['age age1b'], removed: ['age age1a'] },
    { group: 2, kept: [], added: [], removed: ['pgp AB12'] },
  ]);
});

test("updatekeys keeps the file's Shamir threshold, capped at the rule's number of groups (as sops does)", () => {
  assert.equal(updatedShamirThreshold(2, 3), 2);
  assert.equal(updatedShamirThreshold(3, 2), 2);
  assert.equal(updatedShamirThreshold(2, 1), 1);
  assert.equal(updatedShamirThreshold(undefined, 3), undefined);
});
