import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeHelmFailure } from '../../src/core/helm-failure.js';

test('helm 3 --debug output: not-ready resources named once, error kept, noise dropped', () => {
  const stderr = `upgrade.go:164: 2026-11-23 21:26:45.7 +0000 UTC m=+0.07 [debug] preparing upgrade for shop
ready.go:303: 2026-11-23 21:26:46.1 +0000 UTC m=+0.48 [debug] Deployment is not ready: h3/shop-web. 0 out of 1 expected pods are ready
ready.go:303: 2026-11-23 21:26:48.1 +0000 UTC m=+2.48 [debug] Deployment is not ready: h3/shop-web. 0 out of 1 expected pods are ready
upgrade.go:487: 2026-11-23 21:26:49.1 +0000 UTC m=+3.47 [debug] warning: Upgrade "shop" failed: context deadline exceeded
Error: UPGRADE FAILED: release shop failed, and has been rolled back due to atomic being set: context deadline exceeded
helm.sh/helm/v3/pkg/action.(*Upgrade).failRelease
	helm.sh/helm/v3/pkg/action/upgrade.go:506
runtime.goexit
	runtime/asm_amd64.s:1700
`;
  assert.deepEqual(summarizeHelmFailure(stderr), [
    'not ready: Deployment h3/shop-web is not ready: 0 out of 1 expected pods are ready',
    'Error: UPGRADE FAILED: release shop failed, and has been rolled back due to atomic being set: context deadline exceeded',
  ]);
});

test('helm 4 output is kept as is (it names the resource itself)', () => {
  const stderr = 'level=WARN msg="upgrade failed" name=shop error="resource Deployment/ns/web not ready"\nError: UPGRADE FAILED: release shop failed, and has been rolled back due to rollback-on-failure being set: resource Deployment/ns/web not ready. status: InProgress\n';
  const lines = summarizeHelmFailure(stderr);
  assert.equal(lines.length, 2);
  assert.match(lines[1]!, /resource Deployment\/ns\/web not ready/);
});
