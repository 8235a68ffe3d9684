import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execa } from 'execa';
import { hasSharedCorpus, projectRoot, SHARED_SKIP_REASON } from '../support/project.js';

// kubeconform's own acceptance cases, run through chartctl validate (scripts/compare-kubeconform.mjs).
test('chartctl validate agrees with kubeconform on every acceptance case that does not need the network', { skip: hasSharedCorpus ? false : SHARED_SKIP_REASON, timeout: 300_000 }, async () => {
  const r = await execa(process.execPath, [join(projectRoot, 'scripts', 'compare-kubeconform.mjs')], { reject: false });
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  const m = /agreement: (\d+)\/(\d+) \(deliberate differences: (\d+), unexpected: 0/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const [, agree, compared, deliberate] = m.map(Number);
  assert.equal(agree! + deliberate!, compared, r.stdout);
  assert.ok(agree! >= 55, r.stdout);
});
