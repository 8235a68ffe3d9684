/**
 * The HTTP face of the simulator: routes Kubernetes API paths (discovery,
 * OpenAPI, resources and their status/scale/log subresources, watch) and the
 * sandbox's own admin paths under /__sandbox/, applies request faults, and
 * keeps simple counters (requests, time spent handling them) for the bench.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadYamlDocument } from '../core/yaml-limits.js';
import { ApiError, badRequest, internalError, methodNotAllowed, pathNotFound, unsupportedMediaType } from './api-status.js';
import type { Cluster } from './cluster.js';
import { coreVersions, group, groupList, resourceList, versionInfo } from './discovery.js';
import type { FaultRegistry } from './faults.js';
import { checkFields, parseFieldValidation, type FieldValidation } from './field-validation.js';
import { isPlainObject } from './list-strategies.js';
import type { KubeObject } from './object-store.js';
import { openApiDocument, openApiIndex } from './openapi.js';
import { applyJsonPatch, applyMergePatch } from './patch-json.js';
import { applyStrategicMergePatch } from './patch-strategic-merge.js';
import { decodeProtobufObject, PROTOBUF_CONTENT_TYPE } from './protobuf-bodies.js';
import { apiVersionOf, type ResourceType } from './resource-catalog.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { asTable, wantsTable } from './tables.js';
import { serveWatch } from './watch.js';

export interface ApiServerOptions {
  cluster: Cluster;
  faults: FaultRegistry;
  kubeVersion: string;
  /** Handles /__sandbox/* (see admin-api.ts). */
  admin: (req: IncomingMessage, res: ServerResponse, path: string, body: Buffer) => Promise<void>;
  /** One line per request, for debugging what a client sends. */
  log?: (line: string) => void;
}

export interface ApiStats {
  requests: number;
  /** Wall time spent handling non-watch requests (fault delays excluded). */
  handlingMs: number;
  watches: number;
}

interface ResourceRoute {
  type: ResourceType;
  namespace: string;
  name?: string;
  subresource?: string;
}

export class ApiServer {
  readonly stats: ApiStats = { requests: 0, handlingMs: 0, watches: 0 };
  private server: Server;
  private openStreams = new Set<() => void>();

  constructor(private readonly options: ApiServerOptions) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const close of [...this.openStreams]) close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    const started = performance.now();
    let watching = false;
    try {
      const body = await readBody(req);
      if (url.pathname.startsWith('/__sandbox/')) return await this.options.admin(req, res, url.pathname, body);
      this.stats.requests++;
      const route = this.resolveResource(url.pathname);
      const fault = this.options.faults.takeRequestFault({ method, resource: route?.type.resource, namespace: route?.namespace || undefined, name: route?.name });
      if (fault?.delayMs) {
        await new Promise((r) => setTimeout(r, fault.delayMs));
      }
      if (fault?.disconnect) {
        req.socket.destroy();
        return;
      }
      if (fault?.status) throw new ApiError(fault.status, reasonFor(fault.status), `sandbox: injected fault #${fault.id} (${method} ${url.pathname})`);
      watching = Boolean(route && method === 'GET' && !route.name && isTrue(url.searchParams.get('watch')));
      const handlingStarted = performance.now();
      await this.route(req, res, url, method, body, route);
      if (!watching) this.stats.handlingMs += performance.now() - handlingStarted;
    } catch (err) {
      const apiError = err instanceof ApiError ? err : internalError(err instanceof Error ? err.message : String(err));
      if (!(err instanceof ApiError)) this.options.log?.(`internal error: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) sendJson(res, apiError.code, apiError.toStatus());
      else res.end();
    } finally {
      this.options.log?.(`${method} ${req.url} ${req.headers['content-type'] ?? ''} -> ${res.statusCode} (${(performance.now() - started).toFixed(1)} ms)${watching ? ' [watch]' : ''}`);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL, method: string, body: Buffer, route: ResourceRoute | undefined): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const { cluster, kubeVersion } = this.options;
    if (method === 'GET') {
      if (path === '/version') return sendJson(res, 200, versionInfo(kubeVersion));
      if (path === '/healthz' || path === '/readyz' || path === '/livez') return sendText(res, 200, 'ok');
      if (path === '/api') return sendJson(res, 200, coreVersions(req.headers.host ?? '127.0.0.1'));
      if (path === '/apis') return sendJson(res, 200, groupList(cluster.catalog));
      if (path === '/openapi/v3') return sendJson(res, 200, openApiIndex(cluster.catalog, kubeVersion));
      const openapi = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
      if (openapi) {
        const doc = openapi[1] ? openApiDocument(cluster.catalog, '', openapi[1], kubeVersion) : openApiDocument(cluster.catalog, openapi[2]!, openapi[3]!, kubeVersion);
        if (!doc) throw pathNotFound();
        return sendJson(res, 200, doc);
      }
      const groupOnly = /^\/apis\/([^/]+)$/.exec(path);
      if (groupOnly) {
        const doc = group(cluster.catalog, groupOnly[1]!);
        if (!doc) throw pathNotFound();
        return sendJson(res, 200, doc);
      }
      const gv = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
      if (gv) {
        const doc = gv[1] ? resourceList(cluster.catalog, '', gv[1]) : resourceList(cluster.catalog, gv[2]!, gv[3]!);
        if (!doc) throw pathNotFound();
        return sendJson(res, 200, doc);
      }
    }
    if (!route) throw pathNotFound();
    return this.serveResource(req, res, url, method, body, route);
  }

  /** `/api/v1/namespaces/ns/pods/name/log` and friends -> type, namespace, name, subresource. */
  private resolveResource(pathname: string): ResourceRoute | undefined {
    const parts = pathname.split('/').filter(Boolean);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 3) [group, version, rest] = ['', parts[1]!, parts.slice(2)];
    else if (parts[0] === 'apis' && parts.length >= 4) [group, version, rest] = [parts[1]!, parts[2]!, parts.slice(3)];
    else return undefined;
    let namespace = '';
    const namespaceSubresource = group === '' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
    if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresource) {
      namespace = rest[1]!;
      rest = rest.slice(2);
    }
    const type = this.options.cluster.catalog.byResource(group, version, rest[0]!);
    if (!type || rest.length > 3) return undefined;
    return { type, namespace, name: rest[1], subresource: rest[2] };
  }

  private async serveResource(req: IncomingMessage, res: ServerResponse, url: URL, method: string, body: Buffer, route: ResourceRoute): Promise<void> {
    const { cluster } = this.options;
    const { type: t, namespace, name, subresource } = route;
    const q = url.searchParams;
    const manager = q.get('fieldManager') || managerFromUserAgent(req.headers['user-agent']);
    const dryRun = q.getAll('dryRun').includes('All');
    const fieldValidation = parseFieldValidation(q.get('fieldValidation'));
    if (subresource && !(t.subresources ?? []).includes(subresource)) throw pathNotFound();

    if (!name) {
      if (method === 'GET') {
        const labelSelector = parseLabelSelector(q.get('labelSelector'));
        const fieldSelector = parseFieldSelector(q.get('fieldSelector'));
        if (isTrue(q.get('watch'))) {
          this.stats.watches++;
          const timeout = q.get('timeoutSeconds');
          return serveWatch(
            cluster,
            {
              type: t,
              namespace: namespace || undefined,
              labelSelector,
              fieldSelector,
              resourceVersion: q.get('resourceVersion') ?? '',
              sendInitialEvents: isTrue(q.get('sendInitialEvents')),
              allowBookmarks: isTrue(q.get('allowWatchBookmarks')),
              timeoutSeconds: timeout ? Number(timeout) : undefined,
            },
            req,
            res,
            (close) => {
              this.openStreams.add(close);
              return () => this.openStreams.delete(close);
            },
          );
        }
        const items = cluster.list(t, namespace || undefined).filter((o) => labelSelector(o) && fieldSelector(o));
        const resourceVersion = String(cluster.store.resourceVersion);
        if (wantsTable(req)) return sendJson(res, 200, asTable(t, items, resourceVersion));
        return sendJson(res, 200, { kind: `${t.kind}List`, apiVersion: apiVersionOf(t), metadata: { resourceVersion }, items });
      }
      if (method === 'POST') {
        const object = this.validated(res, t, decodeBody(req, body), fieldValidation, false);
        return sendJson(res, 201, cluster.create(t, namespace, object, { manager, dryRun }));
      }
      if (method === 'DELETE') {
        const labelSelector = parseLabelSelector(q.get('labelSelector'));
        const fieldSelector = parseFieldSelector(q.get('fieldSelector'));
        const items = cluster.list(t, namespace || undefined).filter((o) => labelSelector(o) && fieldSelector(o));
        for (const o of items) cluster.delete(t, o.metadata.namespace ?? '', o.metadata.name, { dryRun });
        return sendJson(res, 200, { kind: `${t.kind}List`, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(cluster.store.resourceVersion) }, items });
      }
      throw methodNotAllowed(`the server does not allow this method on the requested resource`);
    }

    if (subresource === 'log') {
      if (method !== 'GET') throw methodNotAllowed('pods/log only supports GET');
      const pod = cluster.get(t, namespace, name);
      const container = q.get('container') ?? pod.spec?.containers?.[0]?.name;
      const state = pod.status?.containerStatuses?.find((c: KubeObject) => c.name === container)?.state ?? {};
      const exit = state.terminated ? ` and exited with code ${state.terminated.exitCode}` : '';
      return sendText(res, 200, `chartctl sandbox: container ${container} of pod ${namespace}/${name} ran${exit} (simulated; no real process ran).\n`);
    }
    if (subresource === 'scale') return this.serveScale(req, res, method, body, route, manager, dryRun);

    switch (method) {
      case 'GET': {
        const object = cluster.get(t, namespace, name);
        if (wantsTable(req) && !subresource) return sendJson(res, 200, asTable(t, [object], object.metadata.resourceVersion));
        return sendJson(res, 200, object);
      }
      case 'PUT': {
        const object = subresource ? decodeBody(req, body) : this.validated(res, t, decodeBody(req, body), fieldValidation, false);
        return sendJson(res, 200, cluster.update(t, namespace, name, object, { manager, dryRun, subresource }));
      }
      case 'PATCH':
        return this.servePatch(req, res, body, route as Required<Pick<ResourceRoute, 'name'>> & ResourceRoute, manager, dryRun, isTrue(q.get('force')), subresource ? 'Ignore' : fieldValidation);
      case 'DELETE': {
        const options = body.length ? decodeBody(req, body) : {};
        const removed = cluster.delete(t, namespace, name, {
          propagationPolicy: q.get('propagationPolicy') ?? options.propagationPolicy,
          dryRun: dryRun || (options.dryRun ?? []).includes('All'),
          preconditionUid: options.preconditions?.uid,
          preconditionResourceVersion: options.preconditions?.resourceVersion,
        });
        return sendJson(res, 200, removed);
      }
      default:
        throw methodNotAllowed(`the server does not allow this method on the requested resource`);
    }
  }

  /** Unknown fields: dropped with a Warning header, or refused under Strict (field-validation.ts). */
  private validated(res: ServerResponse, t: ResourceType, object: KubeObject, mode: FieldValidation, apply: boolean): KubeObject {
    const { object: checked, warnings } = checkFields(t, object, mode, apply);
    if (warnings.length) res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
    return checked;
  }

  private servePatch(req: IncomingMessage, res: ServerResponse, body: Buffer, route: ResourceRoute & { name: string }, manager: string, dryRun: boolean, force: boolean, fieldValidation: FieldValidation): void {
    const { cluster } = this.options;
    const { type: t, namespace, name, subresource } = route;
    const contentType = mediaType(req);
    if (contentType === 'application/apply-patch+yaml' || contentType === 'application/apply-patch+cbor') {
      const applied = this.validated(res, t, parseYamlOrJson(body), fieldValidation, true);
      return sendJson(res, 200, cluster.apply(t, namespace, name, applied, { manager, dryRun, force, subresource }));
    }
    const current = cluster.get(t, namespace, name);
    let next: KubeObject;
    if (contentType === 'application/strategic-merge-patch+json') {
      if (t.servedVersions) throw unsupportedMediaType(`${contentType} (strategic merge patch is not supported for custom resources; use a JSON merge patch)`);
      next = applyStrategicMergePatch(current, parseJson(body), t.kind);
    } else if (contentType === 'application/merge-patch+json') {
      next = applyMergePatch(current, parseJson(body));
    } else if (contentType === 'application/json-patch+json') {
      next = applyJsonPatch(current, parseJson(body) as never);
    } else {
      throw unsupportedMediaType(contentType);
    }
    const rv = next.metadata?.resourceVersion;
    if (rv === current.metadata.resourceVersion) delete next.metadata.resourceVersion;
    sendJson(res, 200, cluster.update(t, namespace, name, this.validated(res, t, next, fieldValidation, false), { manager, dryRun, subresource }));
  }

  private serveScale(req: IncomingMessage, res: ServerResponse, method: string, body: Buffer, route: ResourceRoute, manager: string, dryRun: boolean): void {
    const { cluster } = this.options;
    const { type: t, namespace, name } = route as ResourceRoute & { name: string };
    const object = cluster.get(t, namespace, name);
    const scaleOf = (o: KubeObject) => ({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name, namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
      spec: { replicas: o.spec?.replicas ?? 1 },
      status: { replicas: o.status?.replicas ?? 0, selector: Object.entries(o.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') },
    });
    if (method === 'GET') return sendJson(res, 200, scaleOf(object));
    let replicas: number | undefined;
    if (method === 'PUT') replicas = decodeBody(req, body).spec?.replicas;
    else if (method === 'PATCH') replicas = applyMergePatch(scaleOf(object), mediaType(req) === 'application/json-patch+json' ? applyJsonPatch(scaleOf(object), parseJson(body) as never) : parseJson(body)).spec?.replicas;
    else throw methodNotAllowed('scale supports GET, PUT and PATCH');
    if (typeof replicas !== 'number') throw badRequest('scale: spec.replicas must be a number');
    const updated = cluster.update(t, namespace, name, { ...object, spec: { ...object.spec, replicas } }, { manager, dryRun });
    sendJson(res, 200, scaleOf(updated));
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => (req.complete ? undefined : reject(new Error('client went away'))));
  });
}

const mediaType = (req: IncomingMessage) => (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();

function decodeBody(req: IncomingMessage, body: Buffer): KubeObject {
  const type = mediaType(req);
  if (type === PROTOBUF_CONTENT_TYPE) return decodeProtobufObject(body);
  if (type === 'application/json' || type === '*/*') return parseJson(body);
  if (type === 'application/yaml') return parseYamlOrJson(body);
  throw unsupportedMediaType(type);
}

function parseJson(body: Buffer): KubeObject {
  try {
    const value = JSON.parse(body.toString('utf8'));
    if (!isPlainObject(value) && !Array.isArray(value)) throw new Error('not an object');
    return value as KubeObject;
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded as JSON: ${(err as Error).message}`);
  }
}

function parseYamlOrJson(body: Buffer): KubeObject {
  try {
    const value = loadYamlDocument(body.toString('utf8'));
    if (!isPlainObject(value)) throw new Error('not an object');
    return value;
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded as YAML: ${(err as Error).message}`);
  }
}

/** The real server names an unnamed field manager after the User-Agent's first word (`helm/v3.17.3 ...` -> `helm`). */
function managerFromUserAgent(agent: string | undefined): string {
  return (agent ?? 'unknown').split('/')[0]!.slice(0, 128) || 'unknown';
}

const isTrue = (v: string | null) => v === 'true' || v === '1';

function reasonFor(status: number): string {
  return { 409: 'Conflict', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout', 404: 'NotFound', 422: 'Invalid' }[status] ?? 'Unknown';
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

