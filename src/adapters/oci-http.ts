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

let clients: { http: typeof http; https: typeof https; agents: { http: http.Agent; https: https.Agent; insecure: https.Agent } } | undefined;

/** Loaded and made on the first request, not at start: most runs never reach a registry, and node:http and node:https cost ~5 ms to load. */
function httpClients(): NonNullable<typeof clients> {
  if (clients) return clients;
  const load = createRequire(import.meta.url);
  const h = load('node:http') as typeof http;
  const s = load('node:https') as typeof https;
  clients = { http: h, https: s, agents: { http: new h.Agent({ keepAlive: true }), https: new s.Agent({ keepAlive: true }), insecure: new s.Agent({ keepAlive: true, rejectUnauthorized: false }) } };
  return clients;
}

/** One HTTP exchange with a body cap; node's own client, so `insecure` can be scoped to one registry. */
export function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const secure = request.url.protocol === 'https:';
  const { http, https, agents } = httpClients();
  const agent = secure ? (request.insecure ? agents.insecure : agents.https) : agents.http;
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
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
