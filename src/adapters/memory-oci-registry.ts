import { createHash } from 'node:crypto';
import type { OciRepositoryConfig } from '../core/environment.js';
import type { FetchedManifest, OciRegistries, OciRegistry } from './oci-registry.js';

const digestOf = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Everything one in-memory registry host holds, shared by the repositories opened on it. */
export class MemoryRegistryStore {
  readonly blobs = new Map<string, Map<string, Uint8Array>>();
  readonly manifests = new Map<string, Map<string, Uint8Array>>();
  readonly tagsOf = new Map<string, Map<string, string>>();
  /** Every blob upload and mount, in order, for tests that assert what travelled. */
  readonly log: { op: 'upload' | 'mount'; repository: string; digest: string }[] = [];

  repo<T>(map: Map<string, Map<string, T>>, name: string): Map<string, T> {
    let m = map.get(name);
    if (!m) map.set(name, (m = new Map()));
    return m;
  }
}

/** The fake beside the HTTP client: the same contract (digests checked on read, mounts within one host) over maps. */
export class MemoryOciRegistry implements OciRegistry {
  readonly url: string;
  readonly registry: string;

  constructor(
    private readonly config: OciRepositoryConfig,
    private readonly store: MemoryRegistryStore,
  ) {
    this.url = config.url;
    this.registry = config.registry;
  }

  repositoryOf(chart: string): string {
    return this.config.path ? `${this.config.path}/${chart}` : chart;
  }

  async tags(repository: string): Promise<string[] | undefined> {
    const tags = this.store.tagsOf.get(repository);
    return tags ? [...tags.keys()].sort() : undefined;
  }

  async manifest(repository: string, reference: string): Promise<FetchedManifest | undefined> {
    const digest = reference.startsWith('sha256:') ? reference : this.store.tagsOf.get(repository)?.get(reference);
    const bytes = digest ? this.store.manifests.get(repository)?.get(digest) : undefined;
    if (!digest || !bytes) return undefined;
    if (digestOf(bytes) !== digest) throw new Error(`fake registry: manifest ${digest} was tampered with`);
    return { digest, bytes };
  }

  async blob(repository: string, digest: string, size: number): Promise<Uint8Array> {
    const bytes = this.store.blobs.get(repository)?.get(digest);
    if (!bytes) throw new Error(`fake registry: blob ${digest} missing in ${repository}`);
    if (bytes.length !== size || digestOf(bytes) !== digest) throw new Error(`fake registry: blob ${digest} does not match`);
    return bytes;
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    return Boolean(this.store.blobs.get(repository)?.has(digest));
  }

  async uploadBlob(repository: string, digest: string, bytes: Uint8Array): Promise<void> {
    if (digestOf(bytes) !== digest) throw new Error('fake registry: DIGEST_INVALID');
    this.store.repo(this.store.blobs, repository).set(digest, bytes);
    this.store.log.push({ op: 'upload', repository, digest });
  }

  async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    const bytes = this.store.blobs.get(from)?.get(digest);
    if (!bytes) return false;
    this.store.repo(this.store.blobs, repository).set(digest, bytes);
    this.store.log.push({ op: 'mount', repository, digest });
    return true;
  }

  async putManifest(repository: string, tag: string, bytes: Uint8Array): Promise<string> {
    const digest = digestOf(bytes);
    this.store.repo(this.store.manifests, repository).set(digest, bytes);
    this.store.repo(this.store.tagsOf, repository).set(tag, digest);
    return digest;
  }
}

/** In-memory registries, one store per host. */
export class MemoryOciRegistries implements OciRegistries {
  readonly hosts = new Map<string, MemoryRegistryStore>();

  open(config: OciRepositoryConfig): OciRegistry {
    let store = this.hosts.get(config.registry);
    if (!store) this.hosts.set(config.registry, (store = new MemoryRegistryStore()));
    return new MemoryOciRegistry(config, store);
  }
}
