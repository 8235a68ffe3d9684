import type { S3Endpoint } from '../core/index-url.js';

/**
 * One environment's chart repository: an object store scoped to
 * `s3://bucket/prefix`, with the conditional operations publishing needs.
 * Names passed in are relative to the prefix (`index.yaml`, `shop-1.0.0.tgz`).
 * Expected outcomes (missing, not modified, precondition failed) are values;
 * access, network and timeout failures throw ChartctlError.
 */
export interface StoredObjectInfo {
  name: string;
  etag: string;
  size: number;
  lastModified?: Date;
  metadata?: Record<string, string>;
}

export type GetResult =
  | { kind: 'missing' }
  | { kind: 'notModified'; etag: string }
  | { kind: 'found'; body: Uint8Array; etag: string; metadata: Record<string, string> };

export type WriteResult = { kind: 'written'; etag: string } | { kind: 'preconditionFailed' };

export interface WriteConditions {
  /** Write only if the current object has this ETag (optimistic lock on index.yaml). */
  ifMatch?: string;
  /** `*`: write only if nothing exists under the name (immutable tarballs). */
  ifNoneMatch?: '*';
}

export interface PutOptions extends WriteConditions {
  contentType?: string;
  metadata?: Record<string, string>;
}

export interface ChartRepository {
  /** `s3://bucket/prefix`, for messages. */
  readonly url: string;
  readonly bucket: string;
  readonly prefix: string;
  /** The environment it belongs to, for messages. */
  readonly environment: string;
  /** The endpoint it is read through, so index urls of this bucket over http(s) there resolve inside it (absent: none do). */
  readonly servedBy?: S3Endpoint;
  /** Identifies the endpoint+credentials scope: server-side copy works between repositories with the same value. */
  readonly copyScope: string;
  /** Full object key of a name, for messages. */
  keyOf(name: string): string;
  /** `ifNoneMatch`: an ETag seen before; an unchanged object answers `notModified` without a body (cheap polling). */
  get(name: string, options?: { ifNoneMatch?: string }): Promise<GetResult>;
  head(name: string): Promise<StoredObjectInfo | undefined>;
  put(name: string, body: Uint8Array, options?: PutOptions): Promise<WriteResult>;
  /** Server-side copy from another repository in the same scope. */
  copyFrom(source: ChartRepository, sourceName: string, name: string, options?: PutOptions): Promise<WriteResult>;
  delete(name: string): Promise<void>;
  /** Every object under the prefix (names relative to it), with ETag and size. */
  list(): Promise<StoredObjectInfo[]>;
}

/** Builds repositories and remembers, per bucket, whether the endpoint honours conditional writes. */
export interface ChartRepositories {
  open(config: import('../core/environment.js').S3RepositoryConfig, environment: string): ChartRepository;
  /** Probes once per endpoint+bucket (cached on disk) whether If-Match/If-None-Match are enforced. */
  supportsConditionalWrites(repository: ChartRepository): Promise<boolean>;
  /**
   * The same question answered by the endpoint now, not by the disk cache: probes unless this
   * process already did (`again`: probes even then), and replaces the cached answer. An answer
   * cached days ago says nothing about an endpoint that was reconfigured since.
   */
  confirmConditionalWrites(repository: ChartRepository, options?: { again?: boolean }): Promise<boolean>;
}
