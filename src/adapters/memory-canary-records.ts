import type { CanaryRecord } from '../core/strategy/canary-plan.js';
import type { CanaryRecords, StoredCanary } from './canary-records.js';
import type { RouterTarget } from './traffic-router.js';

/** Canary records in memory with the API server's resourceVersion rule, for unit tests. */
export class MemoryCanaryRecords implements CanaryRecords {
  readonly stored = new Map<string, StoredCanary>();
  private version = 0;

  async read(target: RouterTarget, release: string): Promise<StoredCanary | undefined> {
    const s = this.stored.get(`${target.namespace}/${release}`);
    return s && structuredClone(s);
  }

  async write(target: RouterTarget, release: string, record: CanaryRecord, resourceVersion?: string): Promise<{ kind: 'written'; resourceVersion: string } | { kind: 'conflict' }> {
    const key = `${target.namespace}/${release}`;
    if (this.stored.get(key)?.resourceVersion !== resourceVersion) return { kind: 'conflict' };
    const written = String(++this.version);
    this.stored.set(key, { record: structuredClone(record), resourceVersion: written });
    return { kind: 'written', resourceVersion: written };
  }

  async remove(target: RouterTarget, release: string): Promise<void> {
    this.stored.delete(`${target.namespace}/${release}`);
  }
}
