/**
 * Watch streams (`?watch=true`): newline-delimited JSON events over a chunked
 * response. Supports what client-go's reflector uses: resume from a
 * resourceVersion (410 Gone via an ERROR event when too old), the initial
 * list as ADDED events when no resourceVersion is given, and the streaming
 * list protocol (`sendInitialEvents=true` + `allowWatchBookmarks=true`, ended
 * by a BOOKMARK annotated `k8s.io/initial-events-end`). Periodic bookmarks
 * keep idle watches' resourceVersion fresh.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-status.js';
import type { Cluster } from './cluster.js';
import type { KubeObject, StoreEvent } from './object-store.js';
import { apiVersionOf, storageKeyOf, type ResourceType } from './resource-catalog.js';
import type { Selector } from './selectors.js';

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  labelSelector: Selector;
  fieldSelector: Selector;
  resourceVersion: string;
  sendInitialEvents: boolean;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
}

const BOOKMARK_INTERVAL_MS = 1000;

export function serveWatch(cluster: Cluster, watch: WatchRequest, req: IncomingMessage, res: ServerResponse, track: (close: () => void) => () => void): void {
  const key = storageKeyOf(watch.type);
  const matches = (event: { storageKey: string; namespace: string; object: KubeObject }) =>
    event.storageKey === key && (!watch.namespace || event.namespace === watch.namespace) && watch.labelSelector(event.object) && watch.fieldSelector(event.object);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.socket?.setNoDelay(true);
  const send = (type: string, object: KubeObject) => res.write(`${JSON.stringify({ type, object })}\n`);
  const bookmark = (annotations?: Record<string, string>) =>
    send('BOOKMARK', {
      kind: watch.type.kind,
      apiVersion: apiVersionOf(watch.type),
      metadata: { resourceVersion: String(cluster.store.resourceVersion), ...(annotations ? { annotations } : {}) },
    });

  let lastSent = 0;
  const deliver = (event: StoreEvent) => {
    if (event.resourceVersion <= lastSent || !matches(event)) return;
    lastSent = event.resourceVersion;
    send(event.type, cluster.present(watch.type, event.object));
  };

  // Subscribe before reading the current state, in the same tick: no event can fall in between.
  const unsubscribe = cluster.store.subscribe(deliver);
  const rv = watch.resourceVersion;
  try {
    if (watch.sendInitialEvents || rv === '' || rv === '0') {
      for (const object of cluster.list(watch.type, watch.namespace)) {
        if (watch.labelSelector(object) && watch.fieldSelector(object)) send('ADDED', object);
      }
      lastSent = cluster.store.resourceVersion;
      if (watch.sendInitialEvents && watch.allowBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      const since = Number(rv);
      if (!Number.isFinite(since)) throw new ApiError(400, 'BadRequest', `invalid resource version "${rv}"`);
      lastSent = since;
      for (const event of cluster.store.eventsSince(since)) deliver(event);
      lastSent = Math.max(lastSent, since);
    }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    send('ERROR', err.toStatus());
    unsubscribe();
    res.end();
    return;
  }

  const timers: NodeJS.Timeout[] = [];
  if (watch.allowBookmarks) timers.push(setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS));
  const close = () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    untrack();
    if (!res.writableEnded) res.end();
  };
  const untrack = track(close);
  if (watch.timeoutSeconds && watch.timeoutSeconds > 0 && watch.timeoutSeconds < 2 ** 31 / 1000) {
    timers.push(setTimeout(close, watch.timeoutSeconds * 1000));
  }
  req.on('close', close);
  res.on('close', close);
}
