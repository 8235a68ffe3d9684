import type { IncomingMessage } from 'node:http';
import { requestFunction } from './lazy-http.js';
import type { ClusterAccess } from './schema-sources/kubeconfig.js';

export interface KubeResponse {
  status: number;
  body: Record<string, any>;
}

/**
 * One JSON request to a Kubernetes API server, authenticated as the kubeconfig
 * context says (the same access `validate --cluster` uses). Network failures
 * reject with a readable message; HTTP statuses are returned for the caller to judge.
 */
export function kubeRequest(access: ClusterAccess, method: string, path: string, options: { body?: unknown; timeoutMs: number; signal?: AbortSignal }): Promise<KubeResponse> {
  const url = new URL(`${access.server}${path}`);
  const isHttps = url.protocol === 'https:';
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = requestFunction(isHttps)(
      url,
      {
        method,
        headers: {
          Accept: 'application/json',
          'User-Agent': 'chartctl',
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
          ...access.headers,
        },
        ...(isHttps ? { ca: access.ca, cert: access.cert, key: access.key, rejectUnauthorized: !access.insecureSkipTlsVerify } : {}),
        signal: options.signal,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, any> = {};
          try {
            body = text ? (JSON.parse(text) as Record<string, any>) : {};
          } catch {
            body = { message: text.slice(0, 200) };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer from ${url.host} within ${options.timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code === 'ECONNREFUSED' ? `connection refused by ${url.host}` : err.message || String(err))));
    req.end(payload);
  });
}
