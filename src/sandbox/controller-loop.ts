/**
 * What every simulated controller shares: it watches the object store and reconciles a key at most
 * once per batch, asynchronously like the real ones (the write that queued it has been answered
 * first), and an error in it is reported, never thrown into the API server.
 */
import type { ObjectStore, StoreEvent } from './object-store.js';

export class ControllerLoop {
  private unsubscribe?: () => void;
  private queued = new Set<string>();
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly onEvent: (event: StoreEvent) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribe((event) => this.onEvent(event));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }

  /** Runs `reconcile` once after the current batch of writes, however often `key` is queued before then. */
  enqueue(key: string, reconcile: () => void): void {
    if (this.queued.has(key)) return;
    this.queued.add(key);
    setImmediate(() => {
      this.queued.delete(key);
      if (this.stopped) return;
      try {
        reconcile();
      } catch (err) {
        this.onError(err);
      }
    });
  }
}
