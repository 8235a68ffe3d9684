import type { OciRepositoryConfig } from '../core/environment.js';

/** A manifest as read from a registry: its bytes hash to `digest` (checked by the client). */
export interface FetchedManifest {
  digest: string;
  bytes: Uint8Array;
  mediaType?: string;
}

/** How a blob reached the target repository. */
export type BlobTransfer = 'present' | 'mounted' | 'uploaded';

/**
 * One OCI distribution registry as chart storage. Repository names are full
 * paths under the registry (`charts/shop`). Expected outcomes (unknown tag,
 * unknown repository) are values; network, auth, rate-limit and protocol
 * failures throw ChartctlError without credentials in the message.
 */
export interface OciRegistry {
  /** `oci://host[:port]/path`, for messages. */
  readonly url: string;
  readonly registry: string;
  /** The repository path of one chart: `<path>/<chart>`. */
  repositoryOf(chart: string): string;
  /** Every tag, following `Link` pagination; undefined when the repository does not exist. */
  tags(repository: string): Promise<string[] | undefined>;
  /** The manifest a tag or digest names, verified against the digest (asked for, or the registry's `Docker-Content-Digest`); undefined when unknown. */
  manifest(repository: string, reference: string): Promise<FetchedManifest | undefined>;
  /** A blob's bytes, refused unless exactly `size` long and hashing to `digest`. */
  blob(repository: string, digest: string, size: number): Promise<Uint8Array>;
  /** `HEAD`: whether the repository already holds the blob (a read; nothing is written). */
  hasBlob(repository: string, digest: string): Promise<boolean>;
  /** Uploads the blob (the registry checks `digest` against the bytes). */
  uploadBlob(repository: string, digest: string, bytes: Uint8Array): Promise<void>;
  /** Cross-repository mount (same registry); false when the registry answered with an upload session instead. */
  mountBlob(repository: string, digest: string, from: string): Promise<boolean>;
  /** PUT under a tag; returns the digest the registry stored it as. */
  putManifest(repository: string, tag: string, bytes: Uint8Array, mediaType: string): Promise<string>;
}

export interface OciRegistries {
  open(config: OciRepositoryConfig, environment: string): OciRegistry;
}
