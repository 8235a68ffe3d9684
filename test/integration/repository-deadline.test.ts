import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleApp, runCli } from '../support/project.js';

/**
 * An endpoint that answers at once and then drips the body: 16 bytes every
 * 250 ms of a 2 KiB index.yaml, 32 s in all. With a 1 s timeout a socket-idle
 * timer never fires on it (every byte resets it); only a deadline on the
 * whole request does.
 */
const BODY_BYTES = 2048;
const DRIP_BYTES = 16;
const DRIP_EVERY_MS = 250;

let server: Server;
let endpoint: string;
let app: { dir: string; remove: () => void };
let cache: string;
const drips = new Set<NodeJS.Timeout>();
let requests = 0;

function drip(res: ServerResponse): void {
  const body = Buffer.from(`apiVersion: v1\nentries: {}\ngenerated: "2026-01-01T00:00:00Z"\n#${'x'.repeat(BODY_BYTES)}`).subarray(0, BODY_BYTES - 1);
  res.writeHead(200, { 'content-type': 'application/x-yaml', 'content-length': String(BODY_BYTES), etag: '"drip"' });
  let sent = 0;
  const send = () => {
    if (res.destroyed) return stop();
    res.write(body.subarray(sent, sent + DRIP_BYTES));
    sent += DRIP_BYTES;
    if (sent >= body.length) {
      res.end('\n');
      stop();
    }
  };
  const timer = setInterval(send, DRIP_EVERY_MS);
  send();
  const stop = () => {
    clearInterval(timer);
    drips.delete(timer);
  };
  drips.add(timer);
  res.on('close', stop);
}

before(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    drip(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app = copyExampleApp();
  cache = mkdtempSync(join(tmpdir(), 'chartctl-s3-cache-'));
});
after(async () => {
  for (const timer of drips) clearInterval(timer);
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  app?.remove();
  if (cache) rmSync(cache, { recursive: true, force: true });
});

test('an endpoint that drips its answer fails with REPO_TIMEOUT at the deadline, not when the last byte arrives', async () => {
  const run = await runCli(['--cwd', app.dir, 'repo', 'list', 'dev', '--output', 'json'], {
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'DRIP',
      AWS_SECRET_ACCESS_KEY: 'drip-secret',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      XDG_CACHE_HOME: cache,
      CHARTCTL_S3_TIMEOUT_MS: '1000',
      CHARTCTL_S3_MAX_ATTEMPTS: '2',
    },
    // Guards against the old behaviour (following the 32 s drip to its end) passing slowly: killed here, it fails.
    timeoutMs: 15_000,
  });
  assert.equal(run.exitCode, 1, `exit code (-1: killed after 15 s, the drip was being followed to its end)\n${run.stderr}`);
  const { error } = JSON.parse(run.stdout) as { error: { code: string; message: string } };
  assert.equal(error.code, 'REPO_TIMEOUT');
  assert.match(error.message, /s3:\/\/acme-charts\/dev\/index\.yaml .*did not complete the request within 1000 ms/);
  assert.match(error.message, /2 attempt\(s\)/, 'a read that missed its deadline is tried again, up to CHARTCTL_S3_MAX_ATTEMPTS');
  assert.equal(requests, 2, 'one request per attempt');
});
