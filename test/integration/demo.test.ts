import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../support/project.js';
import { isConnectionRefused } from '../support/network-errors.js';

// How long the demo takes is measured by bench/, not asserted here.
test('npm run demo: the whole lifecycle runs clean and leaves nothing running', async () => {
  // The bound only stops a hung demo: on a loaded CI machine the demo alone can pass 2 minutes.
  const r = await execa(process.execPath, [join(projectRoot, 'scripts', 'demo.mjs')], { cwd: projectRoot, reject: false, timeout: 600_000, env: { NO_COLOR: '1' } });
  assert.equal(r.exitCode, 0, `${r.timedOut ? 'killed at the 600 s bound\n' : ''}${r.stdout}\n${r.stderr}`);
  for (const stepText of ['sandbox up', 'lint every environment', 'publish dev', 'deploy dev', 'promote dev → staging', 'promote staging → prod', 'diff prod', '→ rolledBack', 'rollback prod (by hand)']) {
    assert.ok(r.stdout.includes(stepText), `step "${stepText}" missing:\n${r.stdout}`);
  }
  assert.match(r.stdout, /has sha256:[0-9a-f]{12} in all three repositories \(identical bytes\)/);
  assert.match(r.stdout, /sandbox stopped, nothing left running/);
  // `sandbox down` removed the background process and its state file: the simulator the demo printed no longer answers.
  assert.ok(!existsSync(join(projectRoot, '.chartctl', 'demo', 'sandbox', 'sandbox.json')), 'the sandbox state file is removed');
  const simulator = /simulator (http:\/\/127\.0\.0\.1:\d+)/.exec(r.stdout)?.[1];
  assert.ok(simulator, `the demo names its simulator:\n${r.stdout}`);
  await assert.rejects(fetch(`${simulator}/version`), isConnectionRefused, 'the sandbox process is gone');
  // The repository's own example files were not edited (the demo works on a copy).
  assert.match(readFileSync(join(projectRoot, 'charts', 'shop', 'Chart.yaml'), 'utf8'), /^version: 1\.0\.0$/m);
});
