// The deploy/rollback plan and recovery-matrix unit tests, imported and run in
// this process by node's own test runner (no child process per file): their
// total time against the issue's target (< 2 s).
//   npm run bench:release-plans
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { projectRoot } from '../test/support/project.js';

const TARGET_MS = 2000;
const names = ['deploy-plan', 'rollback-plan', 'helm-releases', 'release-history'];

const start = process.hrtime.bigint();
for (const name of names) await import(pathToFileURL(join(projectRoot, 'dist', 'test', 'unit', `${name}.test.js`)).href);
// Registered last, so node's runner starts it once every imported test has finished (top-level tests run one at a time).
test('release plans bench: total time', () => {
  const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
  console.log('\nrelease plans and recovery matrix (unit tests over the in-memory releases and a scripted helm, in process)');
  console.log(`  files: ${names.map((n) => `test/unit/${n}.test.ts`).join(', ')} (pass/fail counts below)`);
  console.log(`  total: ${totalMs.toFixed(1)} ms against the ${TARGET_MS} ms target: ratio ${(totalMs / TARGET_MS).toFixed(3)} (target < 1)\n`);
});
