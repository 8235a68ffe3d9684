import type http from 'node:http';
import type https from 'node:https';
import { createRequire } from 'node:module';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Uint8Array;
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Responses bigger than this are cut off and refused (`tooLarge`), never buffered whole. */
  maxBytes: number;
  signal?: AbortSignal;
  /** Accept a TLS certificate that does not verify (`insecure: true`). */
  insecure?: boolean;
}

export class ResponseTooLarge extends Error {}

type Client = { request: typeof http.request; agent: http.Agent };
const clients = new Map<'http' | 'https' | 'insecure', Client>();

/**
 * node:http or node:https with its keep-alive agent, loaded and made on the first request that needs it,
 * not at start: most runs never reach a registry (node:http costs ~1.5 ms to load), and a plain-HTTP
 * registry never needs node:https and node:tls (~0.6 ms more).
 */
function clientFor(secure: boolean, insecure: boolean | undefined): Client {
  const kind = secure ? (insecure ? 'insecure' : 'https') : 'http';
  let client = clients.get(kind);
  if (!client) {
    const module = createRequire(import.meta.url)(secure ? 'node:https' : 'node:http') as typeof https;
    client = { request: module.request, agent: new module.Agent({ keepAlive: true, ...(kind === 'insecure' ? { rejectUnauthorized: false } : {}) }) };
    clients.set(kind, client);
  }
  return client;
}

/** One HTTP exchange with a body cap; node's own client, so `insecure` can be scoped to one registry. */
export function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const { request: send, agent } = clientFor(request.url.protocol === 'https:', request.insecure);
  return new Promise((resolve, reject) => {
    const req = send(
      request.url,
      { method: request.method, headers: { ...request.headers, ...(request.body ? { 'content-length': String(request.body.length) } : {}) }, agent, signal: request.signal },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > request.maxBytes) {
            res.destroy();
            reject(new ResponseTooLarge(`more than ${request.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: new Uint8Array(Buffer.concat(chunks)) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body ? Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength) : undefined);
  });
}
