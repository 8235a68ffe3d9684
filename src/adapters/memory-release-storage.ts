import type { ReleaseStorage, StoredRelease } from './release-storage.js';

/** Release records held in memory, keyed `namespace/release/revision`; for tests of the actions above. */
export class MemoryReleaseStorage implements ReleaseStorage {
  readonly reads: string[] = [];
  constructor(private readonly stored: Map<string, StoredRelease> = new Map(), readonly context = 'memory') {}

  put(release: string, namespace: string, revision: number, stored: StoredRelease): this {
    this.stored.set(`${namespace}/${release}/${revision}`, stored);
    return this;
  }

  async read(release: string, namespace: string, revision: number): Promise<StoredRelease> {
    const key = `${namespace}/${release}/${revision}`;
    this.reads.push(key);
    return this.stored.get(key) ?? { kind: 'absent' };
  }
}
