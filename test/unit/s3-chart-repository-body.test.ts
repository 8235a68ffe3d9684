import { afterEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ChartRepository } from '../../src/adapters/s3-chart-repository.js';
import { isChartctlError } from '../../src/core/errors.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Node's HTTP client fails a body cut short of its Content-Length, so a real endpoint cannot get
 * one past it; the SDK's answer is stubbed here to stand for any request handler or proxy that would.
 */
const repository = new S3ChartRepository(
  { url: 's3://acme-charts/dev', bucket: 'acme-charts', prefix: 'dev' },
  { endpoint: 'http://127.0.0.1:1', region: 'us-east-1', forcePathStyle: true, requestTimeoutMs: 5_000, connectionTimeoutMs: 1_000, maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
  'dev',
);
const index = new TextEncoder().encode('apiVersion: v1\nentries: {}\n');

function answerGet(contentLength: number): void {
  mock.method(S3Client.prototype, 'send', async () => ({ Body: { transformToByteArray: async () => index }, ContentLength: contentLength, ETag: '"etag"', Metadata: {} }));
}
afterEach(() => mock.restoreAll());

test('a GET body shorter than its Content-Length is refused with the key and both sizes, never taken for the whole object', async () => {
  answerGet(2048);
  await assert.rejects(repository.get('index.yaml'), (err: unknown) => {
    assert.ok(isChartctlError(err));
    assert.equal(err.code, 'REPO_ERROR');
    assert.match(err.message, /s3:\/\/acme-charts\/dev\/index\.yaml .*sent 27 bytes where its Content-Length announced 2048/);
    assert.match(err.hint ?? '', /Nothing of the partial answer was used/);
    return true;
  });
});

test('a GET body of its announced Content-Length is the object', async () => {
  answerGet(index.length);
  const got = await repository.get('index.yaml');
  assert.equal(got.kind, 'found');
  assert.deepEqual(got.kind === 'found' && got.body, index);
});
