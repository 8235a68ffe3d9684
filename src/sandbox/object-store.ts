/**
 * The simulator's etcd: every object kept in memory as plain JSON, one
 * global resourceVersion counter, and an event log that watches replay from.
 */
import { gone } from './api-status.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export type KubeObject = Record<string, any>;

export interface StoreEvent {
  resourceVersion: number;
  /** `group/resource` (see storageKeyOf). */
  storageKey: string;
  namespace: string;
  type: WatchEventType;
  object: KubeObject;
}

const EVENT_LOG_LIMIT = 20_000;

export class ObjectStore {
  private revision = 1;
  private byType = new Map<string, Map<string, KubeObject>>();
  private log: StoreEvent[] = [];
  private listeners = new Set<(event: StoreEvent) => void>();

  get resourceVersion(): number {
    return this.revision;
  }

  get(storageKey: string, namespace: string, name: string): KubeObject | undefined {
    return this.byType.get(storageKey)?.get(`${namespace}/${name}`);
  }

  list(storageKey: string, namespace?: string): KubeObject[] {
    const objects = [...(this.byType.get(storageKey)?.values() ?? [])];
    const filtered = namespace ? objects.filter((o) => (o.metadata?.namespace ?? '') === namespace) : objects;
    return filtered.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  }

  /** Every stored type key (for namespace deletion and inspection). */
  storageKeys(): string[] {
    return [...this.byType.keys()];
  }

  /** Stores a new or changed object, stamping the next resourceVersion, and notifies watchers. */
  put(storageKey: string, object: KubeObject): KubeObject {
    const key = keyOf(object);
    let bucket = this.byType.get(storageKey);
    if (!bucket) this.byType.set(storageKey, (bucket = new Map()));
    const type: WatchEventType = bucket.has(key) ? 'MODIFIED' : 'ADDED';
    object.metadata.resourceVersion = String(++this.revision);
    bucket.set(key, object);
    this.emit({ resourceVersion: this.revision, storageKey, namespace: object.metadata.namespace ?? '', type, object });
    return object;
  }

  remove(storageKey: string, namespace: string, name: string): KubeObject | undefined {
    const bucket = this.byType.get(storageKey);
    const object = bucket?.get(`${namespace}/${name}`);
    if (!bucket || !object) return undefined;
    bucket.delete(`${namespace}/${name}`);
    const deleted = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.revision) } };
    this.emit({ resourceVersion: this.revision, storageKey, namespace, type: 'DELETED', object: deleted });
    return deleted;
  }

  /** Events after `resourceVersion` (exclusive); 410 Gone when the log no longer reaches back that far. */
  eventsSince(resourceVersion: number): StoreEvent[] {
    const first = this.log[0];
    if (first && resourceVersion < first.resourceVersion - 1) {
      throw gone(`too old resource version: ${resourceVersion} (${first.resourceVersion - 1})`);
    }
    let lo = 0;
    while (lo < this.log.length && this.log[lo]!.resourceVersion <= resourceVersion) lo++;
    return this.log.slice(lo);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    // Watchers get their own copy: handlers must never see later mutations.
    const frozen = { ...event, object: structuredClone(event.object) };
    this.log.push(frozen);
    if (this.log.length > EVENT_LOG_LIMIT) this.log.splice(0, this.log.length - EVENT_LOG_LIMIT);
    for (const listener of this.listeners) listener(frozen);
  }
}

/** JSON with object keys sorted: equal for objects that differ only in key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

const keyOf = (o: KubeObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
