import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../support/project.js';

test('npm run demo: the whole lifecycle runs clean, under 60 s, and leaves nothing running', async () => {
  const started = Date.now();
  const r = await execa(process.execPath, [join(projectRoot, 'scripts', 'demo.mjs')], { cwd: projectRoot, reject: false, timeout: 120_000, env: { NO_COLOR: '1' } });
  const seconds = (Date.now() - started) / 1000;
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  assert.ok(seconds < 60, `took ${seconds}s`);
  for (const stepText of ['sandbox up', 'lint every environment', 'publish dev', 'deploy dev', 'promote dev → staging', 'promote staging → prod', 'diff prod', '→ rolledBack', 'rollback prod (by hand)']) {
    assert.ok(r.stdout.includes(stepText), `step "${stepText}" missing:\n${r.stdout}`);
  }
  assert.match(r.stdout, /has sha256:[0-9a-f]{12} in all three repositories \(identical bytes\)/);
  assert.match(r.stdout, /sandbox stopped, nothing left running/);
  // `sandbox down` removed the background process and its state file.
  const state = join(projectRoot, '.chartctl', 'demo', 'sandbox', 'sandbox.json');
  if (existsSync(state)) {
    const { pid } = JSON.parse(readFileSync(state, 'utf8')) as { pid: number };
    assert.throws(() => process.kill(pid, 0), 'the sandbox process is gone');
  }
  // The repository's own example files were not edited (the demo works on a copy).
  assert.match(readFileSync(join(projectRoot, 'charts', 'shop', 'Chart.yaml'), 'utf8'), /^version: 1\.0\.0$/m);
});
