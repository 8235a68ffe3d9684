// Runs every compiled test file (dist/test/**/*.test.js) with node's own test runner.
// `npm test` builds first (pretest), so this always runs the current sources.
import { existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testRoot = join(root, 'dist', 'test');
const only = process.argv.slice(2);
const files = readdirSync(testRoot, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.js'))
  // tsc never deletes: a compiled test whose source was removed or renamed is not a test any more.
  .filter((f) => existsSync(join(root, 'test', f.replace(/\.js$/, '.ts'))))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => join(testRoot, f));
if (files.length === 0) {
  console.error(`run-tests: no test files matched under ${testRoot}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, CHARTCTL_ROOT: root },
});
process.exit(result.status ?? 1);
