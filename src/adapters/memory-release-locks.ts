import { leaseNameFor, type LeaseRecord } from '../core/release-lock.js';
import type { LeaseWrite, LeaseWriteResult, ReleaseLocks, ReleaseLockTarget } from './release-locks.js';

/** In-memory Leases with the API server's resourceVersion semantics, for unit tests. */
export class MemoryReleaseLocks implements ReleaseLocks {
  readonly leases = new Map<string, LeaseRecord>();
  private revision = 0;
  /** Called before every write, to inject a competing writer deterministically. */
  beforeWrite?: (key: string) => void;
  /** Every write that landed, in order (what a test asserts on). */
  readonly writes: Array<{ key: string; write: LeaseWrite }> = [];

  static keyOf(target: ReleaseLockTarget): string {
    return `${target.kubeContext ?? ''}/${target.namespace}/${leaseNameFor(target.release)}`;
  }

  async read(target: ReleaseLockTarget): Promise<LeaseRecord | undefined> {
    const found = this.leases.get(MemoryReleaseLocks.keyOf(target));
    return found && { ...found };
  }

  async create(target: ReleaseLockTarget, write: LeaseWrite): Promise<LeaseWriteResult> {
    const key = MemoryReleaseLocks.keyOf(target);
    this.beforeWrite?.(key);
    if (this.leases.has(key)) return { kind: 'conflict' };
    return { kind: 'written', lease: this.store(key, target, write) };
  }

  async update(target: ReleaseLockTarget, resourceVersion: string, write: LeaseWrite): Promise<LeaseWriteResult> {
    const key = MemoryReleaseLocks.keyOf(target);
    this.beforeWrite?.(key);
    if (this.leases.get(key)?.resourceVersion !== resourceVersion) return { kind: 'conflict' };
    return { kind: 'written', lease: this.store(key, target, write) };
  }

  /** Sets a Lease as another job would have written it. */
  put(target: ReleaseLockTarget, write: LeaseWrite): LeaseRecord {
    return this.store(MemoryReleaseLocks.keyOf(target), target, write);
  }

  private store(key: string, target: ReleaseLockTarget, write: LeaseWrite): LeaseRecord {
    const lease: LeaseRecord = { name: leaseNameFor(target.release), resourceVersion: String(++this.revision), ...write };
    this.leases.set(key, lease);
    this.writes.push({ key, write });
    return { ...lease };
  }
}
