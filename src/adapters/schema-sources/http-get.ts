import { lookup, type LookupAddress } from 'node:dns';
import type { IncomingMessage } from 'node:http';
import { requestFunction } from '../lazy-http.js';

export interface HttpGetOptions {
  headers?: Record<string, string>;
  /** PEM certificate authorities to trust (a cluster's CA). */
  ca?: string | Buffer;
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  insecureSkipTlsVerify?: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Refuse bodies larger than this (a schema document is a few MB at most). */
  maxBytes?: number;
}

export interface HttpResponse {
  status: number;
  body: Buffer;
  url: string;
}

/** GET with redirects (up to 5), a timeout for the whole exchange, and TLS options; network failures reject with a readable message. */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpResponse> {
  let current = url;
  for (let hop = 0; hop < 6; hop++) {
    const res = await once(current, options);
    if (res.status >= 300 && res.status < 400 && res.location) {
      current = new URL(res.location, current).toString();
      continue;
    }
    return { status: res.status, body: res.body, url: current };
  }
  throw new Error(`too many redirects fetching ${url}`);
}

async function once(url: string, options: HttpGetOptions): Promise<{ status: number; body: Buffer; location?: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`"${url}" is not a valid URL`);
  }
  // Offline (lint with an empty schema cache), loading node:https and setting up TLS cost ~40 ms of CPU before
  // the lookup inside the request failed: the host is resolved first, and the request reuses the answer.
  const addresses = await resolveHost(parsed, options);
  return request(url, parsed, addresses, options);
}

function request(url: string, parsed: URL, addresses: LookupAddress[] | undefined, options: HttpGetOptions): Promise<{ status: number; body: Buffer; location?: string }> {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const isHttps = parsed.protocol === 'https:';
    const req = requestFunction(isHttps)(
      parsed,
      {
        method: 'GET',
        headers: { Accept: 'application/json', 'User-Agent': 'chartctl', ...options.headers },
        ...(isHttps ? { ca: options.ca, cert: options.cert, key: options.key, rejectUnauthorized: !options.insecureSkipTlsVerify } : {}),
        ...(addresses ? { lookup: answered(addresses) } : {}),
        signal: options.signal,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            req.destroy(new Error(`response from ${url} is larger than ${maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), location: res.headers.location }));
        res.on('error', reject);
      },
    );
    req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer from ${parsed.host} within ${options.timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(describeNetworkError(err, parsed))));
    req.end();
  });
}

/**
 * The host's addresses, or a rejection with the message the request would have given (no such host, or no
 * answer within the timeout). Undefined when aborted meanwhile: the request then fails as an aborted one does.
 */
function resolveHost(url: URL, options: HttpGetOptions): Promise<LookupAddress[] | undefined> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return resolve(undefined);
    const onAbort = () => settle(() => resolve(undefined));
    const timer = setTimeout(() => settle(() => reject(new Error(`no answer from ${url.host} within ${options.timeoutMs} ms`))), options.timeoutMs);
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    lookup(host, { all: true }, (err, found) =>
      settle(() => (err ? reject(new Error(describeNetworkError(err, url))) : resolve(found))),
    );
  });
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for the request that answers with the addresses already resolved, as node:dns would. */
function answered(addresses: LookupAddress[]) {
  return (host: string, opts: { all?: boolean; family?: number | string }, callback: LookupCallback) => {
    const family = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : Number(opts.family ?? 0);
    const usable = family ? addresses.filter((a) => a.family === family) : addresses;
    if (usable.length === 0) callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
    else if (opts.all) callback(null, usable);
    else callback(null, usable[0]!.address, usable[0]!.family);
  };
}

function describeNetworkError(err: NodeJS.ErrnoException, url: URL): string {
  switch (err.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve host ${url.hostname} (no network or DNS?)`;
    case 'ECONNREFUSED':
      return `connection refused by ${url.host}`;
    case 'ECONNRESET':
      return `connection reset by ${url.host}`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS certificate of ${url.host} is not trusted (${err.code}); give the CA, or --insecure-skip-tls-verify`;
    default:
      return err.message || String(err);
  }
}
