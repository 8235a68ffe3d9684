import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Everything that must be undone before the process ends (private temp dirs
 * holding decrypted values, child processes). `main` runs it on normal exit and
 * on SIGINT/SIGTERM, so nothing is left behind whichever way a command ends.
 */
export class Cleanup {
  private readonly tasks = new Map<number, () => void>();
  private next = 0;

  /** Registers a synchronous undo step; returns a function that runs and forgets it. */
  add(task: () => void): () => void {
    const id = this.next++;
    this.tasks.set(id, task);
    return () => {
      const t = this.tasks.get(id);
      this.tasks.delete(id);
      t?.();
    };
  }

  runAll(): void {
    for (const [id, task] of [...this.tasks].reverse()) {
      this.tasks.delete(id);
      try {
        task();
      } catch {
        // Best effort: one failing undo step must not stop the others.
      }
    }
  }

  get pending(): number {
    return this.tasks.size;
  }
}

/**
 * Creates a 0700 directory outside the repository for decrypted material and
 * returns it with a `remove` that is also run by the cleanup registry on signals.
 */
export async function privateTempDir(cleanup: Cleanup, prefix = 'chartctl-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  await chmod(path, 0o700);
  const forget = cleanup.add(() => rmSync(path, { recursive: true, force: true }));
  return {
    path,
    remove: async () => {
      await rm(path, { recursive: true, force: true });
      forget();
    },
  };
}
