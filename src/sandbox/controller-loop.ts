/**
 * What every simulated controller shares: it watches the cluster's object store and reconciles a key
 * at most once per batch, asynchronously like the real ones (the write that queued it has been
 * answered first), and an error in it is reported, never thrown into the API server.
 */
import type { Cluster } from './cluster.js';
import type { StoreEvent } from './object-store.js';

export abstract class ControllerLoop {
  private unsubscribe?: () => void;
  private queued = new Set<string>();
  private stopped = false;

  constructor(
    protected readonly cluster: Cluster,
    /** A controller bug must not take the API server down with it. */
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  protected abstract onEvent(event: StoreEvent): void;

  start(): void {
    this.unsubscribe = this.cluster.store.subscribe((event) => this.onEvent(event));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }

  /** Runs `reconcile` once after the current batch of writes, however often `key` is queued before then. */
  protected schedule(key: string, reconcile: () => void): void {
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
