import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeWatchEvent } from '../../src/cli/commands/watch.js';

test("a failed version's line claims only what its reason says: a canary removed or a router not switched was never a rollback to attempt", () => {
  const canary = describeWatchEvent({ event: 'deploy-failed', env: 'prod', version: '1.0.2', reason: 'check error-rate failed; canary removed, stable release shop untouched' });
  assert.equal(canary, 'prod: 1.0.2 failed: check error-rate failed; canary removed, stable release shop untouched');
  const blueGreen = describeWatchEvent({ event: 'deploy-failed', env: 'prod', version: '1.0.2', reason: 'helm test failed; router not switched, blue still live' });
  assert.doesNotMatch(blueGreen, /rolled back/);
});
