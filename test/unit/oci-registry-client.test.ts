import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciRegistryClient } from '../../src/adapters/oci-registry-client.js';
import { parseOciRepository } from '../../src/core/environment-file.js';
import { ChartctlError } from '../../src/core/errors.js';

// A stub speaking just enough of the distribution API to answer what a real registry seldom does on demand:
// paginated tags, 429, tampered bytes, 403. The happy paths run against the real registry (test/integration/oci-registry*).
const digest = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const GOOD = new TextEncoder().encode('the real blob');
const SECRET = 'hunter2-do-not-print';
let server: Server;
let host: string;
let home: string;
let rateLimited = 0;
const patches: string[] = [];
let uploaded = '';

function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const p = url.pathname;
  if (p === '/v2/r/tags/list' && !url.searchParams.get('last')) {
    res.writeHead(200, { link: '</v2/r/tags/list?last=b&n=1000>; rel="next"' }).end(JSON.stringify({ name: 'r', tags: ['a', 'b'] }));
  } else if (p === '/v2/r/tags/list') {
    res.writeHead(200).end(JSON.stringify({ name: 'r', tags: ['c'] }));
  } else if (p === '/v2/missing/tags/list') {
    res.writeHead(404).end('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}');
  } else if (p === '/v2/nolist/tags/list') {
    res.writeHead(405).end('{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}');
  } else if (p === '/v2/busy/tags/list') {
    if (rateLimited++ < 2) res.writeHead(429, { 'retry-after': '0' }).end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
    else res.writeHead(200).end(JSON.stringify({ tags: ['x'] }));
  } else if (p === '/v2/always-busy/tags/list') {
    res.writeHead(429, { 'retry-after': '3600' }).end();
  } else if (p === `/v2/r/blobs/${digest(GOOD)}`) {
    res.writeHead(200).end('the fake blob');
  } else if (p === '/v2/r/manifests/1.0.0') {
    res.writeHead(200, { 'docker-content-digest': digest(GOOD), 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end('{"schemaVersion":2}');
  } else if (p === '/v2/forbidden/tags/list') {
    res.writeHead(403).end('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}');
  } else if (req.method === 'HEAD' && p.startsWith('/v2/up/blobs/')) {
    res.writeHead(404).end();
  } else if (req.method === 'POST' && p === '/v2/up/blobs/uploads/') {
    res.writeHead(202, { location: '/upload/0' }).end();
  } else if (req.method === 'PATCH' && p.startsWith('/upload/')) {
    patches.push(String(req.headers['content-range']));
    uploaded += body.toString();
    res.writeHead(202, { location: `/upload/${patches.length}` }).end();
  } else if (req.method === 'PUT' && p.startsWith('/upload/')) {
    res.writeHead(url.searchParams.get('digest') === digest(new TextEncoder().encode(uploaded)) ? 201 : 400).end();
  } else {
    res.writeHead(500).end();
  }
}

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  home = mkdtempSync(join(tmpdir(), 'chartctl-oci-client-'));
  mkdirSync(join(home, '.config', 'helm', 'registry'), { recursive: true });
  writeFileSync(join(home, '.config', 'helm', 'registry', 'config.json'), JSON.stringify({ auths: { [host]: { auth: Buffer.from(`ci:${SECRET}`).toString('base64') } } }));
});
after(async () => {
  await new Promise((r) => server.close(r));
  rmSync(home, { recursive: true, force: true });
});

const client = (chunkBytes?: number) => new OciRegistryClient(parseOciRepository({ url: `oci://${host}/`, plainHttp: true }), 'dev', { env: { HOME: home }, chunkBytes });
async function refused(promise: Promise<unknown>, code: string): Promise<string> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ChartctlError, `expected ${code}, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return err.message;
}

test('tag listing follows Link pagination; an unknown repository is undefined; disabled listing is named', async () => {
  assert.deepEqual(await client().tags('r'), ['a', 'b', 'c']);
  assert.equal(await client().tags('missing'), undefined);
  assert.match(await refused(client().tags('nolist'), 'OCI_TAG_LISTING_UNAVAILABLE'), /does not list the tags of nolist \(HTTP 405: UNSUPPORTED/);
});

test('429 is retried after Retry-After; a long Retry-After is reported, not waited out', async () => {
  assert.deepEqual(await client().tags('busy'), ['x']);
  assert.equal(rateLimited, 3);
  assert.match(await refused(client().tags('always-busy'), 'OCI_RATE_LIMITED'), /HTTP 429, Retry-After: 3600/);
});

test('bytes that do not match their digest are refused, blobs and manifests alike', async () => {
  assert.match(await refused(client().blob('r', digest(GOOD), GOOD.length), 'DIGEST_MISMATCH'), /Refusing .*r@sha256:/);
  assert.match(await refused(client().manifest('r', '1.0.0'), 'DIGEST_MISMATCH'), /its bytes hash to sha256:/);
});

test('403 names the credential source, never the secret', async () => {
  const message = await refused(client().tags('forbidden'), 'OCI_FORBIDDEN');
  assert.match(message, /denied access \(HTTP 403: DENIED: requested access to the resource is denied\).*the credential from helm registry config/);
  assert.ok(!message.includes(SECRET));
});

test('blobs above the chunk size go up in PATCH chunks with Content-Range, then PUT ?digest', async () => {
  const bytes = new TextEncoder().encode('0123456789');
  await client(4).uploadBlob('up', digest(bytes), bytes);
  assert.deepEqual(patches, ['0-3', '4-7', '8-9']);
  assert.equal(uploaded, '0123456789');
});
