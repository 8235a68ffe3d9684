import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server } from '../../src/sandbox/s3-server.js';

/** Sends a PUT announcing `announced` bytes, writes `sent` of them, then drops the connection. */
function abortedPut(endpoint: string, path: string, announced: number, sent: number): Promise<void> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`PUT ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Length: ${announced}\r\nContent-Type: application/gzip\r\n\r\n`);
      socket.write(Buffer.alloc(sent, 0x61), () => setTimeout(() => socket.destroy(), 50));
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

test('an upload cut off mid-body is not stored, as on S3; a complete one is', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-s3-'));
  const server = await startS3Server({ directory: dir, buckets: ['acme-charts'] });
  try {
    await abortedPut(server.endpoint, '/acme-charts/cut/shop-1.0.0.tgz', 100_000, 40_000);
    // Upstream directly: what s3rver holds, not what the front would answer.
    const cut = await fetch(`${server.upstreamEndpoint}/acme-charts/cut/shop-1.0.0.tgz`);
    assert.equal(cut.status, 404, 'nothing of the cut-off upload is stored');

    const whole = await fetch(`${server.endpoint}/acme-charts/whole/shop-1.0.0.tgz`, { method: 'PUT', body: Buffer.alloc(5000, 0x62) });
    assert.equal(whole.status, 200);
    const back = await fetch(`${server.endpoint}/acme-charts/whole/shop-1.0.0.tgz`);
    assert.equal((await back.arrayBuffer()).byteLength, 5000);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
