import { createServer, request as httpRequest, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseTarget } from './s3-names.js';
import { sha256Hex, verifyRequest } from './s3-signature.js';
import { storeObjectsWhole, type S3rverStore } from './s3rver-whole-writes.js';

/**
 * A local S3-protocol server on loopback: s3rver (an independent S3
 * implementation storing objects as files) behind a small front that adds
 * what s3rver lacks and chartctl relies on:
 *
 * - conditional writes like S3: PutObject/CopyObject with If-None-Match: *
 *   or If-Match: "<etag>" answer 412 PreconditionFailed (404 NoSuchKey for
 *   If-Match on a missing key), checked and written atomically;
 * - per-key serialisation of every object request, so a reader never sees a
 *   half-written object or an ETag that does not belong to the bytes (s3rver
 *   writes in place), and uploads stored whole or not at all: a PUT is read
 *   completely before s3rver sees it, so a client killed mid-upload leaves nothing,
 *   and s3rver answers it only once the object file holds all of it
 *   (s3rver-whole-writes.ts), so the lock is not released while bytes are still landing;
 * - fault injection for tests and `chartctl sandbox fault`: latency, fixed
 *   error answers, or ignoring conditional headers like a non-conforming endpoint.
 *
 * - signatures checked like S3: s3rver verifies only V2 signatures and takes any
 *   V4 signature from a known access key, so the front verifies V4 (header and
 *   presigned) against S3_SERVER_CREDENTIALS: 403 InvalidAccessKeyId for another
 *   key, 403 SignatureDoesNotMatch for a wrong secret, 400
 *   XAmzContentSHA256Mismatch for a body that is not the one signed;
 * - names that stay inside the data directory: s3rver joins bucket and key onto
 *   it as a file path, so a bucket that is not a valid S3 bucket name (400
 *   InvalidBucketName) and a key with a `.` or `..` segment (400
 *   InvalidArgument) are refused. Real S3 stores such keys as ordinary keys;
 *   this local server does not.
 *
 * Anonymous GETs and HEADs are served (s3rver's default), so `helm repo add
 * <endpoint>/<bucket>/<prefix>` works against what chartctl publishes;
 * anonymous writes are refused (403 AccessDenied), as on a private bucket.
 * Credentials for signed requests: access key S3RVER, secret S3RVER.
 */
export interface S3ServerOptions {
  host?: string;
  port?: number;
  directory: string;
  /** Buckets to create at start (existing ones are kept). */
  buckets?: string[];
}

export interface S3Faults {
  /** Added before answering every S3 request (a slow endpoint). */
  delayMs?: number;
  /** Answer every S3 request with this S3 error code (AccessDenied → 403, InternalError → 500, SlowDown → 503, ...). */
  error?: string;
  /** Accept If-Match/If-None-Match and ignore them, like a non-conforming endpoint. */
  ignoreConditions?: boolean;
}

export interface S3Server {
  endpoint: string;
  close(): Promise<void>;
  setFaults(faults: S3Faults): void;
}

export const S3_SERVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** Control path on the front (bucket names cannot contain `_`, so it never shadows a bucket). */
export const FAULTS_PATH = '/_chartctl/faults';

const ERROR_STATUS: Record<string, number> = { AccessDenied: 403, InvalidAccessKeyId: 403, NoSuchBucket: 404, InternalError: 500, ServiceUnavailable: 503, SlowDown: 503 };

export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const host = options.host ?? '127.0.0.1';
  await mkdir(options.directory, { recursive: true });
  const { default: S3rver } = (await import('s3rver')) as { default: S3rverConstructor };
  const upstream = new S3rver({
    silent: true,
    directory: options.directory,
    vhostBuckets: false,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  storeObjectsWhole(upstream.store);
  // s3rver listens on a unix socket in a private 0700 directory, not on a port: only the front,
  // which refuses traversing names and checks signatures, can reach it.
  const socketDir = await mkdtemp(join(tmpdir(), 'chartctl-s3rver-'));
  const socketPath = join(socketDir, 's3rver.sock');
  await upstream.configureBuckets();
  const upstreamServer = await upstream.listen({ path: socketPath });
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const locks = new Map<string, Promise<void>>();
  let faults: S3Faults = {};

  const front = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'InternalError', err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://front');
    if (url.pathname === FAULTS_PATH) return controlFaults(req, res);
    if (faults.delayMs) await sleep(faults.delayMs);
    if (faults.error) {
      req.resume();
      return sendError(res, ERROR_STATUS[faults.error] ?? 500, faults.error, 'Injected by the test S3 server');
    }
    // The raw path, as s3rver will see it (URL parsing would resolve `..` segments first).
    const target = parseTarget(req.url ?? '/', header(req, 'x-amz-copy-source'));
    if ('refusal' in target) {
      req.resume();
      return sendError(res, 400, target.refusal.code, target.refusal.message);
    }
    const { bucket, key, copySourceKey } = target;
    const authority = verifyRequest(req, S3_SERVER_CREDENTIALS);
    if (authority.kind === 'refused' || (authority.kind === 'anonymous' && req.method !== 'GET' && req.method !== 'HEAD')) {
      req.resume();
      const refusal = authority.kind === 'refused' ? authority : { status: 403, code: 'AccessDenied', message: 'Anonymous requests may only read; sign writes with the server credentials' };
      return sendError(res, refusal.status, refusal.code, refusal.message);
    }
    const isObjectRequest = Boolean(bucket && key) && !url.searchParams.has('uploads') && !url.searchParams.has('uploadId');
    if (!isObjectRequest) {
      if (req.method === 'GET' && bucket && !key && url.searchParams.get('list-type') === '2') return listObjectsV2(req, res, url);
      return forward(req, res);
    }
    const copySource = copySourceKey !== undefined;
    const keys = copySource ? [`${bucket}/${key}`, copySourceKey] : [`${bucket}/${key}`];
    await withLocks([...new Set(keys)].sort(), async () => {
      if ((req.method === 'PUT' || req.method === 'POST') && !faults.ignoreConditions) {
        const refusal = await checkConditions(req, bucket!, key);
        if (refusal) {
          req.resume();
          return sendError(res, refusal.status, refusal.code, refusal.message);
        }
      }
      if (req.method !== 'PUT' || copySource) return forward(req, res);
      // S3 stores an upload whole or not at all; s3rver would keep what arrived before a client died.
      const body = await wholeBody(req);
      if (!body) return void res.destroy();
      const signed = header(req, 'x-amz-content-sha256');
      if (authority.kind === 'signed' && signed && /^[0-9a-f]{64}$/i.test(signed) && sha256Hex(body) !== signed.toLowerCase()) {
        return sendError(res, 400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
      }
      await forward(req, res, body);
    });
  }

  async function wholeBody(req: IncomingMessage): Promise<Buffer | undefined> {
    const chunks: Buffer[] = [];
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      return undefined;
    }
    return req.complete ? Buffer.concat(chunks) : undefined;
  }

  async function withLocks(keys: string[], body: () => Promise<void>): Promise<void> {
    const previous = keys.map((k) => locks.get(k) ?? Promise.resolve());
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = keys.map((k, i) => {
      const next = previous[i]!.then(() => mine);
      locks.set(k, next);
      return next;
    });
    await Promise.all(previous);
    try {
      await body();
    } finally {
      release();
      keys.forEach((k, i) => {
        if (locks.get(k) === chained[i]) locks.delete(k);
      });
    }
  }

  /** S3's rules for If-None-Match / If-Match on writes. */
  async function checkConditions(req: IncomingMessage, bucket: string, key: string): Promise<{ status: number; code: string; message: string } | undefined> {
    const ifNoneMatch = header(req, 'if-none-match');
    const ifMatch = header(req, 'if-match');
    if (!ifNoneMatch && !ifMatch) return undefined;
    const current = await headUpstream(bucket, key);
    if (current.status !== 200 && current.status !== 404) return undefined; // let s3rver explain (e.g. NoSuchBucket)
    const etag = current.status === 200 ? current.etag : undefined;
    if (ifNoneMatch !== undefined) {
      if (ifNoneMatch.trim() !== '*') return { status: 501, code: 'NotImplemented', message: 'If-None-Match on writes only accepts *' };
      if (etag !== undefined) return { status: 412, code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold' };
    }
    if (ifMatch !== undefined) {
      if (etag === undefined) return { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' };
      const wanted = ifMatch.split(',').map((t) => normaliseEtag(t));
      if (!wanted.includes('*') && !wanted.includes(normaliseEtag(etag))) {
        return { status: 412, code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold' };
      }
    }
    return undefined;
  }

  function headUpstream(bucket: string, key: string): Promise<{ status: number; etag?: string }> {
    return new Promise((resolve, reject) => {
      const path = `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
      const r = httpRequest({ socketPath, method: 'HEAD', path, agent }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 500, etag: typeof res.headers.etag === 'string' ? res.headers.etag : undefined });
      });
      r.on('error', reject);
      r.end();
    });
  }

  /**
   * Passes the request to s3rver as it streams in, or with `body` when it was read already, and
   * settles only when s3rver has answered: a client that goes away mid-exchange must not release
   * the key's lock while s3rver is still writing the object in place.
   */
  function forward(req: IncomingMessage, res: ServerResponse, body?: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const upstreamReq = httpRequest(
        { socketPath, method: req.method, path: req.url, headers: req.headers, agent },
        (upstreamRes) => {
          upstreamRes.on('end', resolve);
          upstreamRes.on('close', resolve);
          upstreamRes.on('error', reject);
          if (res.destroyed) return void upstreamRes.resume();
          res.writeHead(upstreamRes.statusCode ?? 500, upstreamRes.headers);
          upstreamRes.pipe(res);
          res.on('close', () => upstreamRes.resume());
        },
      );
      upstreamReq.on('error', reject);
      res.on('close', () => {
        // A request still streaming in never completes: stop it (s3rver then stores nothing).
        if (!body && !req.complete) {
          upstreamReq.destroy();
          resolve();
        }
      });
      if (body) upstreamReq.end(body);
      else req.pipe(upstreamReq);
    });
  }

  /**
   * s3rver's ListObjectsV2 continuation tokens use DES, which OpenSSL 3 (Node ≥ 17) refuses, so
   * listing more than one page fails with 500. Served here through ListObjects (v1, marker-based)
   * with an opaque token of our own: base64 of the last key.
   */
  async function listObjectsV2(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const params = new URLSearchParams();
    for (const name of ['prefix', 'delimiter', 'max-keys', 'encoding-type']) {
      const value = url.searchParams.get(name);
      if (value !== null) params.set(name, value);
    }
    const token = url.searchParams.get('continuation-token');
    const marker = token !== null ? Buffer.from(token, 'base64').toString('utf8') : url.searchParams.get('start-after');
    if (marker) params.set('marker', marker);
    const query = params.toString();
    const upstreamRes = await new Promise<IncomingMessage>((resolve, reject) => {
      // Unsigned: s3rver serves anonymous reads, and the client's signature covered the v2 query, not this one.
      const headers = { ...req.headers };
      delete headers.authorization;
      const r = httpRequest({ socketPath, method: 'GET', path: `${url.pathname}${query ? `?${query}` : ''}`, headers, agent }, resolve);
      r.on('error', reject);
      r.end();
    });
    const chunks: Buffer[] = [];
    for await (const c of upstreamRes) chunks.push(c as Buffer);
    let body = Buffer.concat(chunks).toString('utf8');
    if (upstreamRes.statusCode === 200) {
      const keys = [...body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => unescapeXml(m[1]!));
      const truncated = /<IsTruncated>true<\/IsTruncated>/.test(body);
      const extra = [
        `<KeyCount>${keys.length}</KeyCount>`,
        token !== null ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : '',
        truncated && keys.length ? `<NextContinuationToken>${Buffer.from(keys[keys.length - 1]!, 'utf8').toString('base64')}</NextContinuationToken>` : '',
      ].join('');
      body = body.replace('</ListBucketResult>', `${extra}</ListBucketResult>`);
    }
    const headers = { ...upstreamRes.headers, 'content-length': String(Buffer.byteLength(body)) };
    delete headers['transfer-encoding'];
    res.writeHead(upstreamRes.statusCode ?? 500, headers);
    res.end(body);
  }

  async function controlFaults(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'POST' || req.method === 'PUT') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      faults = text.trim() ? (JSON.parse(text) as S3Faults) : {};
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(faults));
  }

  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(options.port ?? 0, host, () => resolve());
  });
  const address = front.address() as AddressInfo;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  return {
    endpoint,
    setFaults(next: S3Faults) {
      faults = { ...next };
    },
    async close() {
      await new Promise<void>((resolve) => {
        front.close(() => resolve());
        front.closeAllConnections();
      });
      agent.destroy();
      await new Promise<void>((resolve) => {
        upstreamServer.close(() => resolve());
        upstreamServer.closeAllConnections();
      });
      await rm(socketDir, { recursive: true, force: true });
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|#39|#x27|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'", amp: '&' })[e]!);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function normaliseEtag(etag: string): string {
  return etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message.replace(/[<&>]/g, '')}</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

interface S3rverConstructor {
  new (options: Record<string, unknown>): { store: S3rverStore; configureBuckets(): Promise<void>; listen(options: { path: string }): Promise<Server> };
}
