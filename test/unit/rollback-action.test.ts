import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rollback } from '../../src/actions/rollback.js';
import { MemoryReleases } from '../../src/adapters/memory-releases.js';
import type { AppRepo } from '../../src/adapters/app-repo.js';
import { parseEnvironment } from '../../src/core/environment-file.js';
import { isChartctlError } from '../../src/core/errors.js';
import { projectRoot } from '../support/project.js';
import { actorOnlyGit, FAKE_NOW, fakeDeps } from '../support/fake-deps.js';
import { MemoryReleaseLocks } from '../../src/adapters/memory-release-locks.js';

const prod = parseEnvironment('prod', 'environments/prod.yaml', readFileSync(join(projectRoot, 'environments', 'prod.yaml'), 'utf8'));
const repo = { loadEnvironment: async () => prod } as Pick<AppRepo, 'loadEnvironment'> as AppRepo;
const target = { release: prod.release, namespace: prod.namespace };
/** The release lock names its holder: without CHARTCTL_ACTOR that is git's user. */
const git = actorOnlyGit();
const manifest = (image: string) => `---\n# Source: shop/templates/web.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ${prod.namespace}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: ${image}\n`;

/** prod: 1.0.0 good, 1.1.0 failed and rolled back by helm (so it is marked superseded), what runs is revision 1's. */
function rolledBackByHelm(): MemoryReleases {
  const releases = new MemoryReleases();
  releases.seed(target, { status: 'superseded', chartVersion: '1.0.0', manifest: manifest('web:1.0.0'), tests: 'passed' });
  releases.seed(target, { status: 'superseded', chartVersion: '1.1.0', manifest: manifest('web:1.1.0'), description: 'Upgrade "shop" failed: timed out' });
  releases.seed(target, { status: 'deployed', chartVersion: '1.0.0', manifest: manifest('web:1.0.0'), description: 'Rollback to 1' });
  return releases;
}

test('rollback whose target equals what runs is a no-op: no helm rollback, no new revision', async () => {
  const releases = rolledBackByHelm();
  const outcome = await rollback(fakeDeps({ repo, git, releases }), { env: 'prod', yes: true });
  assert.equal(outcome.kind, 'unchanged');
  assert.equal(outcome.plan.to.revision, 1, 'the failed upgrade marked superseded is skipped');
  assert.ok(!releases.calls.some((c) => c.startsWith('rollback')), releases.calls.join('\n'));
  assert.equal((await releases.history(target)).length, 3);
});

test('rollback in CI of an environment that requires approval needs CHARTCTL_ACTOR with --yes (decideApproval), and changes nothing without it', async () => {
  const releases = rolledBackByHelm();
  const outcome = await rollback(fakeDeps({ repo, git, releases, env: { CI: 'true', CHARTCTL_ACTOR: 'alice' } }), { env: 'prod', revision: 2, yes: true });
  assert.equal(outcome.kind, 'rolledBack');
  assert.equal((await releases.history(target)).length, 4);

  const refused = rolledBackByHelm();
  await assert.rejects(rollback(fakeDeps({ repo, git, releases: refused, env: { CI: 'true' } }), { env: 'prod', revision: 2, yes: true }), (err: unknown) => isChartctlError(err) && err.code === 'NOT_CONFIRMED' && /CHARTCTL_ACTOR/.test(err.message));
  assert.ok(!refused.calls.some((c) => c.startsWith('rollback')));
});

test('a rollback helm fails is a failed outcome with recovery commands, not an exception', async () => {
  const releases = rolledBackByHelm();
  releases.rollbacks = ['fails'];
  const outcome = await rollback(fakeDeps({ repo, git, releases }), { env: 'prod', revision: 2, yes: true });
  assert.equal(outcome.kind, 'failed');
  assert.match(outcome.kind === 'failed' ? outcome.reason : '', /Rollback "shop" failed/);
});

test('rollback records in its release lock that it starts helm before helm rolls back; one that runs no helm records none', async () => {
  const releases = rolledBackByHelm();
  const locks = new MemoryReleaseLocks();
  const lockOf = (l: MemoryReleaseLocks) => l.read({ ...target, kubeContext: prod.kubeContext });
  const seenByHelm: unknown[] = [];
  const rollbackOf = releases.rollback.bind(releases);
  releases.rollback = async (r) => {
    seenByHelm.push((await lockOf(locks))?.helmStartedAt);
    return rollbackOf(r);
  };
  assert.equal((await rollback(fakeDeps({ repo, git, releases, locks }), { env: 'prod', revision: 2, yes: true })).kind, 'rolledBack');
  assert.deepEqual(seenByHelm, [FAKE_NOW], 'written before helm ran');
  assert.deepEqual((await lockOf(locks))?.helmStartedAt, FAKE_NOW, 'and kept when the lock was freed');

  const unchanged = new MemoryReleaseLocks();
  assert.equal((await rollback(fakeDeps({ repo, git, releases: rolledBackByHelm(), locks: unchanged }), { env: 'prod', yes: true })).kind, 'unchanged');
  const freed = await lockOf(unchanged);
  assert.equal(freed?.lastHolder !== undefined && freed.helmStartedAt, null, 'it held the lock and started no helm');
});
