import { createHash } from 'node:crypto';
import type { S3RepositoryConfig } from '../core/environment.js';
import type { ChartRepositories, ChartRepository, GetResult, PutOptions, StoredObjectInfo, WriteResult } from './chart-repository.js';

interface Stored {
  body: Uint8Array;
  etag: string;
  metadata: Record<string, string>;
  lastModified: Date;
}

/** Objects of every bucket of a fake endpoint, shared by the repositories opened on it. */
export class MemoryObjectStore {
  readonly buckets = new Map<string, Map<string, Stored>>();
  /** Like an endpoint that silently ignores If-Match/If-None-Match (older MinIO, some gateways). */
  ignoreConditions = false;
  /** Called before every write, to inject races in tests. */
  beforeWrite?: (key: string) => void;
  /** Called after every write that landed, to inject a writer that replaces it before it is read back. */
  afterWrite?: (key: string) => void;

  bucket(name: string): Map<string, Stored> {
    let b = this.buckets.get(name);
    if (!b) this.buckets.set(name, (b = new Map()));
    return b;
  }
}

const etagOf = (body: Uint8Array) => `"${createHash('md5').update(body).digest('hex')}"`;

/** In-memory repository with S3's conditional-write semantics, for unit tests. */
export class MemoryChartRepository implements ChartRepository {
  readonly copyScope = 'memory';
  constructor(
    readonly url: string,
    readonly bucket: string,
    readonly prefix: string,
    readonly store: MemoryObjectStore,
    readonly environment = prefix.split('/').pop() || bucket,
  ) {}

  static fromUrl(url: string, store = new MemoryObjectStore()): MemoryChartRepository {
    const rest = url.replace(/^s3:\/\//, '');
    const slash = rest.indexOf('/');
    return new MemoryChartRepository(url, slash < 0 ? rest : rest.slice(0, slash), slash < 0 ? '' : rest.slice(slash + 1), store);
  }

  keyOf(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  private objects(): Map<string, Stored> {
    return this.store.bucket(this.bucket);
  }

  async get(name: string, options: { ifNoneMatch?: string } = {}): Promise<GetResult> {
    const o = this.objects().get(this.keyOf(name));
    if (!o) return { kind: 'missing' };
    if (options.ifNoneMatch && options.ifNoneMatch === o.etag) return { kind: 'notModified', etag: o.etag };
    return { kind: 'found', body: o.body, etag: o.etag, metadata: { ...o.metadata } };
  }

  async head(name: string): Promise<StoredObjectInfo | undefined> {
    const o = this.objects().get(this.keyOf(name));
    return o ? { name, etag: o.etag, size: o.body.length, lastModified: o.lastModified, metadata: { ...o.metadata } } : undefined;
  }

  private write(key: string, body: Uint8Array, options: PutOptions, metadata: Record<string, string>): WriteResult {
    this.store.beforeWrite?.(key);
    const current = this.objects().get(key);
    if (!this.store.ignoreConditions) {
      if (options.ifNoneMatch === '*' && current) return { kind: 'preconditionFailed' };
      if (options.ifMatch !== undefined && (!current || (options.ifMatch !== '*' && current.etag !== options.ifMatch))) return { kind: 'preconditionFailed' };
    }
    const etag = etagOf(body);
    this.objects().set(key, { body: Uint8Array.from(body), etag, metadata, lastModified: new Date() });
    this.store.afterWrite?.(key);
    return { kind: 'written', etag };
  }

  async put(name: string, body: Uint8Array, options: PutOptions = {}): Promise<WriteResult> {
    return this.write(this.keyOf(name), body, options, { ...(options.metadata ?? {}) });
  }

  async copyFrom(source: ChartRepository, sourceName: string, name: string, options: PutOptions = {}): Promise<WriteResult> {
    const from = this.store.bucket(source.bucket).get(source.keyOf(sourceName));
    if (!from) throw new Error(`copy source ${source.keyOf(sourceName)} does not exist`);
    return this.write(this.keyOf(name), from.body, options, options.metadata ? { ...options.metadata } : { ...from.metadata });
  }

  async delete(name: string): Promise<void> {
    this.objects().delete(this.keyOf(name));
  }

  async list(): Promise<StoredObjectInfo[]> {
    const prefix = this.prefix ? `${this.prefix}/` : '';
    return [...this.objects().entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, o]) => ({ name: k.slice(prefix.length), etag: o.etag, size: o.body.length, lastModified: o.lastModified }));
  }
}

/** Fake factory: every environment's repository lives in one shared in-memory endpoint. */
export class MemoryChartRepositories implements ChartRepositories {
  /** What the disk cache answers; undefined: nothing cached, the endpoint is asked. Set it to model an answer gone stale. */
  cachedAnswer?: boolean;
  constructor(readonly store = new MemoryObjectStore()) {}
  open(config: S3RepositoryConfig, environment: string): ChartRepository {
    return new MemoryChartRepository(config.url, config.bucket, config.prefix, this.store, environment);
  }
  async supportsConditionalWrites(): Promise<boolean> {
    return this.cachedAnswer ?? this.confirmConditionalWrites();
  }
  async confirmConditionalWrites(): Promise<boolean> {
    this.cachedAnswer = !this.store.ignoreConditions;
    return this.cachedAnswer;
  }
}
