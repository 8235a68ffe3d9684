import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { startS3Server, S3_SERVER_CREDENTIALS } from '../../src/sandbox/s3-server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** node:crypto in the shape the AWS signer wants (it signs independently of the server's own verification code). */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** Headers that sign `method path` (the raw path, sent as it is) with the server's credentials, body unsigned. */
async function signedHeaders(endpoint: string, method: string, path: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const { hostname, port } = new URL(endpoint);
  const signer = new SignatureV4({ credentials: S3_SERVER_CREDENTIALS, region: 'us-east-1', service: 's3', sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const [pathname = '/', search = ''] = path.split('?', 2);
  const query = Object.fromEntries(new URLSearchParams(search));
  const signed = await signer.sign({ method, protocol: 'http:', hostname, port: Number(port), path: pathname, query, headers: { host: `${hostname}:${port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...extra } });
  return signed.headers as Record<string, string>;
}

/** A request with the path exactly as given (fetch would resolve `..` before sending it). */
function rawRequest(endpoint: string, method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port: Number(port), method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** Sends a signed PUT announcing `announced` bytes, writes `sent` of them, then drops the connection. */
async function abortedPut(endpoint: string, path: string, announced: number, sent: number): Promise<void> {
  const { hostname, port } = new URL(endpoint);
  const headers = Object.entries(await signedHeaders(endpoint, 'PUT', path, { 'content-type': 'application/gzip' })).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`PUT ${path} HTTP/1.1\r\n${headers}Content-Length: ${announced}\r\n\r\n`);
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
    // The data directory itself: what s3rver holds, not what the front would answer.
    assert.deepEqual(filesUnder(dir).filter((f) => f.includes('cut')), [], 'nothing of the cut-off upload is stored');

    const path = '/acme-charts/whole/shop-1.0.0.tgz';
    const whole = await fetch(`${server.endpoint}${path}`, { method: 'PUT', headers: await signedHeaders(server.endpoint, 'PUT', path), body: Buffer.alloc(5000, 0x62) });
    assert.equal(whole.status, 200);
    const back = await fetch(`${server.endpoint}/acme-charts/whole/shop-1.0.0.tgz`);
    assert.equal((await back.arrayBuffer()).byteLength, 5000);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Holds back the bytes s3rver writes into its object files (through fs-extra write streams) until
 * released, as a disk write does that lags behind on a loaded machine: the file is opened (and so
 * truncated) at once, its content lands later.
 */
function holdObjectFileWrites(): { release(): void } {
  const fsExtra = createRequire(createRequire(import.meta.url).resolve('s3rver'))('fs-extra') as { createWriteStream: (path: string, options?: unknown) => WriteStream };
  const createWriteStream = fsExtra.createWriteStream;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  fsExtra.createWriteStream = (path, options) => {
    const stream = createWriteStream(path, options);
    if (!String(path).endsWith('._S3rver_object')) return stream;
    const write = stream._write.bind(stream);
    stream._write = (chunk, encoding, callback) => void released.then(() => write(chunk, encoding, callback));
    const writev = stream._writev?.bind(stream);
    if (writev) stream._writev = (chunks, callback) => void released.then(() => writev(chunks, callback));
    return stream;
  };
  return {
    release() {
      fsExtra.createWriteStream = createWriteStream;
      release();
    },
  };
}

test('a PUT is answered once its bytes are stored: a GET right after it reads the whole object with its ETag, also when the disk write lags', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-s3-'));
  const server = await startS3Server({ directory: dir, buckets: ['acme-charts'] });
  const path = '/acme-charts/dev/index.yaml';
  const index = Buffer.from(`apiVersion: v1\nentries: {}\ngenerated: "2026-01-01T00:00:00Z"\n# ${'x'.repeat(2000)}\n`);
  const lagging = holdObjectFileWrites();
  try {
    const put = await fetch(`${server.endpoint}${path}`, { method: 'PUT', headers: await signedHeaders(server.endpoint, 'PUT', path), body: index });
    assert.equal(put.status, 200);
    const back = await fetch(`${server.endpoint}${path}`);
    assert.equal(back.status, 200);
    const body = Buffer.from(await back.arrayBuffer());
    // s3rver alone answers before the write and then serves the truncated file: 200, Content-Length 0, the new ETag.
    assert.equal(body.length, index.length, 'the read after an answered write gets the whole object');
    assert.ok(body.equals(index));
    assert.equal(back.headers.get('etag'), `"${createHash('md5').update(index).digest('hex')}"`);
  } finally {
    lagging.release();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keys, buckets and upload ids that would leave the data directory are refused with a 400, and nothing is written or read outside it', async () => {
  const top = mkdtempSync(join(tmpdir(), 'chartctl-s3-'));
  const dir = join(top, 'data');
  mkdirSync(dir);
  writeFileSync(join(top, 'outside.txt._S3rver_object'), 'not for clients');
  const server = await startS3Server({ directory: dir, buckets: ['acme-charts'] });
  try {
    const attempts: Array<{ method: string; path: string; headers?: Record<string, string>; code: string }> = [
      { method: 'PUT', path: '/acme-charts/dev/../../../escaped.txt', code: 'InvalidArgument' },
      { method: 'PUT', path: '/acme-charts/dev/%2e%2e%2F%2E%2E%2f..%2Fescaped-encoded.txt', code: 'InvalidArgument' },
      { method: 'PUT', path: '/acme-charts/./escaped-dot.txt', code: 'InvalidArgument' },
      { method: 'PUT', path: '/../escaped-bucket.txt', code: 'InvalidBucketName' },
      { method: 'PUT', path: '/%2E%2E/escaped-bucket.txt', code: 'InvalidBucketName' },
      { method: 'PUT', path: '/acme-charts/dev/part?partNumber=1&uploadId=..%2F..%2F..%2Fescaped-upload', code: 'NoSuchUpload' },
      { method: 'PUT', path: '/acme-charts/dev/copy.txt', headers: { 'x-amz-copy-source': '/acme-charts/../outside.txt' }, code: 'InvalidArgument' },
      { method: 'GET', path: '/acme-charts/../outside.txt', code: 'InvalidArgument' },
      { method: 'GET', path: '/..', code: 'InvalidBucketName' },
    ];
    for (const a of attempts) {
      const answer = await rawRequest(server.endpoint, a.method, a.path, await signedHeaders(server.endpoint, a.method, a.path, a.headers), a.method === 'PUT' ? 'payload' : '');
      assert.equal(answer.status, 400, `${a.method} ${a.path}: ${answer.body}`);
      assert.match(answer.body, new RegExp(`<Code>${a.code}</Code>`), `${a.method} ${a.path}`);
      assert.doesNotMatch(answer.body, /not for clients/);
    }
    assert.deepEqual(readdirSync(top).sort(), ['data', 'outside.txt._S3rver_object'], 'nothing was created next to the data directory');
    assert.deepEqual(filesUnder(dir).filter((f) => /escaped|copy/.test(f)), [], 'nor inside it');

    const ordinary = '/acme-charts/dev/a..b/shop..1.tgz';
    const stored = await rawRequest(server.endpoint, 'PUT', ordinary, await signedHeaders(server.endpoint, 'PUT', ordinary), 'payload');
    assert.equal(stored.status, 200, `dots inside a segment are ordinary: ${stored.body}`);
  } finally {
    await server.close();
    rmSync(top, { recursive: true, force: true });
  }
});

test('requests are checked against the server credentials like S3: wrong secret 403 SignatureDoesNotMatch, unknown key 403 InvalidAccessKeyId, anonymous writes 403', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-s3-'));
  const server = await startS3Server({ directory: dir, buckets: ['acme-charts'] });
  const client = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
    new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 1 });
  const put = (credentials: { accessKeyId: string; secretAccessKey: string }, key: string) =>
    client(credentials).send(new PutObjectCommand({ Bucket: 'acme-charts', Key: key, Body: 'chart bytes' }));
  const failure = (name: string, status: number) => (e: unknown) => (e as { name?: string }).name === name && (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === status;
  try {
    await put(S3_SERVER_CREDENTIALS, 'dev/good.tgz');
    const back = await client(S3_SERVER_CREDENTIALS).send(new GetObjectCommand({ Bucket: 'acme-charts', Key: 'dev/good.tgz' }));
    assert.equal(await back.Body!.transformToString(), 'chart bytes');

    await assert.rejects(put({ accessKeyId: S3_SERVER_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' }, 'dev/wrong-secret.tgz'), failure('SignatureDoesNotMatch', 403));
    await assert.rejects(client({ accessKeyId: S3_SERVER_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' }).send(new GetObjectCommand({ Bucket: 'acme-charts', Key: 'dev/good.tgz' })), failure('SignatureDoesNotMatch', 403));
    await assert.rejects(put({ accessKeyId: 'AKIANOTKNOWN', secretAccessKey: 'whatever' }, 'dev/unknown-key.tgz'), failure('InvalidAccessKeyId', 403));

    const tampered = '/acme-charts/dev/tampered.tgz';
    const headers = await signedHeaders(server.endpoint, 'PUT', tampered, { 'x-amz-content-sha256': createHash('sha256').update('signed bytes').digest('hex') });
    const swapped = await rawRequest(server.endpoint, 'PUT', tampered, headers, 'other bytes');
    assert.equal(swapped.status, 400);
    assert.match(swapped.body, /<Code>XAmzContentSHA256Mismatch<\/Code>/);

    const anonymous = await fetch(`${server.endpoint}/acme-charts/dev/anonymous.tgz`, { method: 'PUT', body: 'x' });
    assert.equal(anonymous.status, 403);
    assert.match(await anonymous.text(), /<Code>AccessDenied<\/Code>/);
    const read = await fetch(`${server.endpoint}/acme-charts/dev/good.tgz`);
    assert.equal(read.status, 200, 'anonymous reads are served, for helm repo add');

    assert.deepEqual(filesUnder(dir).filter((f) => /wrong-secret|unknown-key|tampered|anonymous/.test(f)), [], 'only the correctly signed upload was stored');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
