/**
 * helm-diff's hook and rename options on a real chart nobody here wrote: podinfo
 * (../shared/corpus/charts/podinfo), rendered twice by real helm 4. Its test pods are
 * named `…-test-<randAlphaNum 5>` and annotated `helm.sh/hook: test-success` (helm 2's
 * name, which helm-diff also leaves out), so every render renames them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { diffReleases } from '../../src/core/release-diff.js';
import { hasSharedCorpus, helmBinaries, SHARED_SKIP_REASON, sharedCorpus } from '../support/project.js';

const render = async () =>
  (
    await execa(helmBinaries.helm4, [
      'template', 'podinfo', join(sharedCorpus, 'charts', 'podinfo'), '--namespace', 'web',
      '--set', 'cache=redis:6379', '--set', 'hooks.preUpgrade.job.enabled=true',
    ])
  ).stdout;

test('podinfo: test pods with random names are renames under -D; --include-tests/--no-hooks keep helm-diff\'s meaning', { skip: hasSharedCorpus ? false : SHARED_SKIP_REASON }, async () => {
  const [deployed, candidate] = [await render(), await render()];
  const hooks = (o: object) => diffReleases(deployed, candidate, { namespace: 'web', ...o }).changes.filter((c) => c.hook);
  const tests = hooks({}).filter((c) => c.kind === 'Pod');
  assert.ok(tests.length >= 4, `podinfo renders its test pods: ${tests.map((c) => c.name).join(', ')}`);
  assert.ok(tests.every((c) => c.change === 'added' || c.change === 'removed'), 'a random name is a new resource');
  const renamed = hooks({ findRenames: 0.5 }).filter((c) => c.kind === 'Pod');
  assert.equal(renamed.length, tests.length / 2);
  for (const c of renamed) {
    assert.equal(c.change, 'changed');
    const stem = (name: string) => name.replace(/-[a-z0-9]{5}$/, '');
    assert.equal(stem(c.renamedFrom!.split('/').at(-1)!), stem(c.name), `${c.renamedFrom} paired with its own kind of test, not another: ${c.name}`);
  }
  assert.deepEqual(hooks({ tests: false }).map((c) => `${c.kind} ${c.name} ${c.change}`), ['Job podinfo-pre-upgrade unchanged']);
  assert.deepEqual(hooks({ hooks: false }), []);
});
