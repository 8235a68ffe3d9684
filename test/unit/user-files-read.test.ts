import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_CONFIG_FILE_BYTES, readUserFile } from '../../src/adapters/user-files.js';
import { ChartctlError } from '../../src/core/errors.js';

const options = { shown: 'values.yaml', what: 'values file', maxBytes: MAX_CONFIG_FILE_BYTES, hint: 'Check the path.' };

/** Bytes asked of Buffer.allocUnsafe while `run` runs. */
async function allocatedDuring(run: () => Promise<unknown>): Promise<number> {
  const original = Buffer.allocUnsafe;
  let bytes = 0;
  Buffer.allocUnsafe = (size: number) => {
    bytes += size;
    return original(size);
  };
  try {
    await run();
  } finally {
    Buffer.allocUnsafe = original;
  }
  return bytes;
}

test('reading a small file allocates about its size, not a megabyte a read (a fleet reads dozens of them at once)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-read-'));
  try {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, 'api:\n  replicaCount: 2\n');
    let text = '';
    const bytes = await allocatedDuring(async () => {
      text = (await readUserFile(file, options)).toString('utf8');
    });
    assert.equal(text, 'api:\n  replicaCount: 2\n');
    assert.ok(bytes < 4096, `allocated ${bytes} bytes to read ${text.length}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a regular file whose stat size is short of its content (as /proc reports 0) is read whole, and still bounded', async () => {
  const whole = await readUserFile('/proc/self/maps', options);
  assert.ok(whole.length > 0);
  // The process's own maps can change between two reads; the first lines (the executable's) do not.
  assert.equal(whole.toString('utf8').split('\n')[0], readFileSync('/proc/self/maps', 'utf8').split('\n')[0]);
  await assert.rejects(readUserFile('/proc/self/maps', { ...options, maxBytes: 100 }), (err: unknown) => err instanceof ChartctlError && err.code === 'FILE_TOO_LARGE');
});
