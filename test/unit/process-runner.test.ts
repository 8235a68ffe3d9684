import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProcess } from '../../src/adapters/process-runner.js';

test('runProcess: stdin given as a promise reaches the child once it resolves; the child waits for it', async () => {
  let give!: (text: string) => void;
  const input = new Promise<string>((resolve) => (give = resolve));
  let started = false;
  const pending = runProcess('sh', ['-c', 'echo started; cat'], {
    env: process.env,
    input,
    onSpawn: (child) => child.stdout!.once('data', () => ((started = true), give('late input\n'))),
  });
  const outcome = await pending;
  assert.ok(started);
  assert.equal(outcome.exitCode, 0);
  assert.equal(outcome.stdout, 'started\nlate input\n');
});

test('runProcess: a stdin promise that rejects stops the child', async () => {
  let fail!: (err: Error) => void;
  const input = new Promise<string>((_, reject) => (fail = reject));
  const outcome = await runProcess('sh', ['-c', 'echo started; cat; echo "read: got EOF"'], {
    env: process.env,
    input,
    onSpawn: (child) => child.stdout!.once('data', () => fail(new Error('decryption failed'))),
  });
  // Killed by SIGTERM while waiting for stdin: no exit code, and it never saw the end of its input.
  assert.equal(outcome.exitCode, null);
  assert.equal(outcome.stdout, 'started\n');
});
