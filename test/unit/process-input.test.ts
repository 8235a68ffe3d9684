import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProcess } from '../../src/adapters/process-runner.js';

test('runProcess with input still being made: the child starts first and gets it on stdin once it is ready', async () => {
  let provide!: (text: string) => void;
  const input = new Promise<string>((resolve) => (provide = resolve));
  // `timeout` bounds a child whose stdin is never closed (the runner failing), so the test fails rather than hangs.
  const outcome = await runProcess('sh', ['-c', 'echo started; timeout 20 cat'], {
    env: process.env,
    input,
    // The input is made only once the child has shown it runs: a runner that waited for the input first would never finish.
    onSpawn: (child) => child.stdout!.once('data', () => provide('secret: value\n')),
  });
  assert.equal(outcome.exitCode, 0);
  assert.equal(outcome.stdout, 'started\nsecret: value\n');
});

test('runProcess with input that fails to be made: the waiting child is stopped', async () => {
  let fail!: (err: Error) => void;
  const input = new Promise<string>((_, reject) => (fail = reject));
  const outcome = await runProcess('sh', ['-c', 'echo started; timeout 20 cat; echo after'], {
    env: process.env,
    input,
    onSpawn: (child) => child.stdout!.once('data', () => fail(new Error('decryption failed'))),
  });
  assert.equal(outcome.exitCode, null, 'killed by a signal, not exited after reading an empty stdin');
  assert.equal(outcome.stdout, 'started\n');
});
