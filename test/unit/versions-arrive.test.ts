import { test } from 'node:test';
import assert from 'node:assert/strict';
import { howVersionsArrive } from '../../src/core/environment.js';

test('the first environment (no promotion.from) gets its versions by publish, not "promote it to dev first"', () => {
  assert.equal(howVersionsArrive({ name: 'dev', promotion: { allowPrerelease: true, requireApproval: false } }), 'chartctl publish dev');
  assert.equal(howVersionsArrive({ name: 'prod', promotion: { from: 'staging', allowPrerelease: false, requireApproval: true } }), 'chartctl promote staging prod');
});
