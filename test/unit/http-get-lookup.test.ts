import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { httpGet } from '../../src/adapters/schema-sources/http-get.js';

const httpGetModule = fileURLToPath(new URL('../../src/adapters/schema-sources/http-get.js', import.meta.url));

test('a host that does not resolve fails with the lookup message, without loading node:https', () => {
  // A fresh process: the test runner itself may have loaded node:https already. `.invalid` never resolves (RFC 6761).
  const script = `import { httpGet } from ${JSON.stringify(httpGetModule)};
    const message = await httpGet('https://schemas.chartctl-test.invalid/v1.33.0/_definitions.json', { timeoutMs: 10_000 }).then(() => 'answered', (e) => e.message);
    console.log(JSON.stringify({ message, https: process.moduleLoadList.includes('NativeModule https') }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { message: string; https: boolean };
  assert.equal(out.message, 'cannot resolve host schemas.chartctl-test.invalid (no network or DNS?)');
  assert.equal(out.https, false);
});

test('a host that resolves is asked at the addresses found (localhost, whichever family answers)', async () => {
  const server = createServer((req, res) => res.end(JSON.stringify({ path: req.url, host: req.headers.host })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await httpGet(`http://localhost:${port}/schema.json`, { timeoutMs: 10_000 });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body.toString('utf8')), { path: '/schema.json', host: `localhost:${port}` });
  } finally {
    server.close();
  }
});
