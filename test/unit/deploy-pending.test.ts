// deploy over a pending-* head, on the in-memory releases: in progress is refused (never
// rolled back), stuck is refused with the way out, or rolled back first with deploy.recoverStuck.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { settlePending } from '../../src/actions/deploy/pending.js';
import { MemoryReleases } from '../../src/adapters/memory-releases.js';
import type { Environment } from '../../src/core/environment.js';
import { ChartctlError } from '../../src/core/errors.js';
import type { PendingState } from '../../src/core/pending-release.js';
import { fakeDeps } from '../support/fake-deps.js';

const target = { release: 'shop', namespace: 'shop-dev' };
const environment = (recoverStuck: boolean) =>
  ({ name: 'dev', release: 'shop', namespace: 'shop-dev', deploy: { timeout: '5m', wait: true, tests: true, rollbackOnFailure: true, historyMax: 10, recoverStuck } }) as Environment;

function pendingRelease() {
  const releases = new MemoryReleases();
  releases.seed(target, { status: 'superseded', chartVersion: '1.0.0' });
  releases.seed(target, { status: 'deployed', chartVersion: '1.1.0' });
  const head = releases.seed(target, { status: 'pending-upgrade', chartVersion: '1.2.0' });
  return { releases, head };
}
const state = (kind: 'inProgress' | 'stuck', revision: ReturnType<typeof pendingRelease>['head']): Exclude<PendingState, { kind: 'none' }> => ({ kind, revision, reason: kind === 'stuck' ? 'it was written by job-a, whose lock expired without finishing' : 'the release lock is held by job-b' });

test('in progress is refused even with recoverStuck, and nothing is rolled back', async () => {
  for (const recoverStuck of [false, true]) {
    const { releases, head } = pendingRelease();
    const deps = fakeDeps({ releases });
    await assert.rejects(settlePending(deps, environment(recoverStuck), state('inProgress', head), { dryRun: false }), (err: unknown) => {
      assert.ok(err instanceof ChartctlError);
      assert.equal(err.code, 'RELEASE_IN_PROGRESS');
      assert.match(err.message, /is being changed: revision 3 is pending-upgrade and the release lock is held by job-b\. Not deploying over it; it is not stuck\./);
      return true;
    });
    assert.ok(!releases.calls.some((c) => c.startsWith('rollback')), `recoverStuck ${recoverStuck}: ${releases.calls.join(', ')}`);
  }
});

test('stuck without recoverStuck: refused with the way out, nothing rolled back', async () => {
  const { releases, head } = pendingRelease();
  await assert.rejects(settlePending(fakeDeps({ releases }), environment(false), state('stuck', head), { dryRun: false }), (err: unknown) => {
    assert.ok(err instanceof ChartctlError);
    assert.equal(err.code, 'RELEASE_STUCK');
    assert.match(err.message, /is stuck in pending-upgrade at revision 3: it was written by job-a, whose lock expired without finishing\./);
    assert.match(err.hint ?? '', /chartctl rollback dev.*deploy\.recoverStuck: true in environments\/dev\.yaml/);
    return true;
  });
  assert.ok(!releases.calls.some((c) => c.startsWith('rollback')));
});

test('stuck with recoverStuck: rolled back to the last good revision first; a dry run only says it would', async () => {
  const dry = pendingRelease();
  const dryDeps = fakeDeps({ releases: dry.releases });
  assert.equal(await settlePending(dryDeps, environment(true), state('stuck', dry.head), { dryRun: true }), false);
  assert.ok(!dry.releases.calls.some((c) => c.startsWith('rollback')));
  assert.ok(dryDeps.reporter.lines.some((l) => /a deploy would first roll it back to revision 2 \(deploy.recoverStuck\)/.test(l)));

  const { releases, head } = pendingRelease();
  const deps = fakeDeps({ releases });
  assert.equal(await settlePending(deps, environment(true), state('stuck', head), { dryRun: false }), true);
  assert.ok(releases.calls.includes('rollback shop 2'), releases.calls.join(', '));
  const newest = (await releases.history(target)).at(-1)!;
  assert.deepEqual([newest.status, newest.description], ['deployed', 'Rollback to 2']);
  assert.ok(deps.reporter.lines.some((l) => /stuck in pending-upgrade at revision 3 .*rolling back to revision 2 first/.test(l)));
});

test('stuck with recoverStuck and no good revision (a first install left pending): refused, with helm uninstall', async () => {
  const releases = new MemoryReleases();
  const head = releases.seed(target, { status: 'pending-install' });
  await assert.rejects(settlePending(fakeDeps({ releases }), environment(true), state('stuck', head), { dryRun: false }), /no earlier good revision to roll back to/);
});
