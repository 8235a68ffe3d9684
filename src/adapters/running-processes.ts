import type { ChildProcess } from 'node:child_process';

export interface RunningProcess {
  pid: number;
  /** What it is doing, e.g. `helm upgrade shop -n shop-dev`. */
  description: string;
}

/**
 * The child processes chartctl is waiting on, so that a signal can be
 * forwarded to them and a second signal can say what is left running.
 */
export class RunningProcesses {
  private readonly children = new Map<ChildProcess, string>();

  /** Tracks `child` until it closes. */
  add(child: ChildProcess, description: string): void {
    if (child.pid === undefined) return;
    this.children.set(child, description);
    child.once('close', () => this.children.delete(child));
  }

  list(): RunningProcess[] {
    return [...this.children].map(([child, description]) => ({ pid: child.pid!, description }));
  }

  get size(): number {
    return this.children.size;
  }

  signalAll(signal: NodeJS.Signals): void {
    for (const child of this.children.keys()) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    }
  }
}
