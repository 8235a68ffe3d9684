/**
 * helm-diff's hook and rename options on a real chart nobody here wrote: podinfo
 * (../shared/corpus/charts/podinfo), rendered twice by real helm 4. Its test pods are
 * named `…-test-<randAlphaNum 5>` and annotated `helm.sh/hook: test-success` (helm 2's
 * name, which helm-diff also leaves out), so every render renames them; they are matched by
 * their template (`# Source:`), so an unchanged chart has no changes.
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

test('podinfo: test pods with random names are matched by template; --include-tests/--no-hooks keep helm-diff\'s meaning', { skip: hasSharedCorpus ? false : SHARED_SKIP_REASON }, async () => {
  const [deployed, candidate] = [await render(), await render()];
  const hooks = (o: object) => diffReleases(deployed, candidate, { namespace: 'web', ...o }).changes.filter((c) => c.hook);
  const tests = hooks({}).filter((c) => c.kind === 'Pod');
  assert.ok(tests.length >= 2, `podinfo renders its test pods: ${tests.map((c) => c.name).join(', ')}`);
  assert.ok(deployed.match(/-test-[a-z0-9]{5}$/gm)!.some((name) => !candidate.includes(name)), 'the two renders gave the test pods other names');
  assert.ok(tests.every((c) => c.change === 'unchanged'), 'each test pod is paired with the one its template rendered before');
  for (const o of [{}, { findRenames: 0.5 }]) assert.equal(diffReleases(deployed, candidate, { namespace: 'web', ...o }).hasChanges, false);
  assert.deepEqual(hooks({ tests: false }).map((c) => `${c.kind} ${c.name} ${c.change}`), ['Job podinfo-pre-upgrade unchanged']);
  assert.deepEqual(hooks({ hooks: false }), []);
});
