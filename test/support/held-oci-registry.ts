import { MemoryOciRegistry, type MemoryRegistryStore } from '../../src/adapters/memory-oci-registry.js';
import type { FetchedManifest } from '../../src/adapters/oci-registry.js';
import type { OciRepositoryConfig } from '../../src/core/environment.js';

/** One log of calls and one gate, shared by the repositories a test opens. */
export class RegistryHold {
  readonly calls: string[] = [];
  private release!: () => void;
  held!: Promise<void>;

  constructor() {
    this.holdTagReads();
  }

  /** Reads from now on wait for answerTagReads(). */
  holdTagReads(): void {
    this.held = new Promise<void>((resolve) => (this.release = resolve));
  }

  answerTagReads(): void {
    this.release();
  }
}

/** The memory registry, recording each call and holding every tag and tag-list read until the test lets them answer. */
export class HeldRegistry extends MemoryOciRegistry {
  constructor(
    config: OciRepositoryConfig,
    store: MemoryRegistryStore,
    readonly hold = new RegistryHold(),
  ) {
    super(config, store);
  }

  get calls(): string[] {
    return this.hold.calls;
  }

  answerTagReads(): void {
    this.hold.answerTagReads();
  }

  private get held(): Promise<void> {
    return this.hold.held;
  }

  override async manifest(repo: string, reference: string): Promise<FetchedManifest | undefined> {
    this.calls.push(`manifest ${repo}:${reference}`);
    await this.held;
    return super.manifest(repo, reference);
  }

  override async tags(repo: string): Promise<string[] | undefined> {
    this.calls.push(`tags ${repo}`);
    await this.held;
    return super.tags(repo);
  }

  override async blob(repo: string, digest: string, size: number): Promise<Uint8Array> {
    this.calls.push(`blob ${repo} ${digest.slice(0, 15)}`);
    return super.blob(repo, digest, size);
  }

  override async mountBlob(repo: string, digest: string, from: string): Promise<boolean> {
    this.calls.push(`mountBlob ${repo} ${digest.slice(0, 15)}`);
    return super.mountBlob(repo, digest, from);
  }

  override async hasBlob(repo: string, digest: string): Promise<boolean> {
    this.calls.push(`hasBlob ${digest.slice(0, 15)}`);
    return super.hasBlob(repo, digest);
  }

  override async uploadBlob(repo: string, digest: string, bytes: Uint8Array): Promise<void> {
    this.calls.push(`uploadBlob ${digest.slice(0, 15)}`);
    return super.uploadBlob(repo, digest, bytes);
  }

  override async putManifest(repo: string, tag: string, bytes: Uint8Array): Promise<string> {
    this.calls.push(`putManifest ${tag}`);
    return super.putManifest(repo, tag, bytes);
  }
}
