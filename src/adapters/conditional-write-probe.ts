import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ChartRepository } from './chart-repository.js';

/**
 * Does this endpoint enforce If-None-Match / If-Match on PutObject? Some
 * S3-compatible servers accept the headers and ignore them, which would make
 * the optimistic lock on index.yaml a silent no-op. The probe writes a scratch
 * object under `<prefix>/.chartctl-probe/`, tries to overwrite it with both
 * preconditions that must fail, and deletes it.
 */
export async function probeConditionalWrites(repository: ChartRepository): Promise<boolean> {
  const name = `.chartctl-probe/${Date.now()}-${randomBytes(6).toString('hex')}`;
  const first = await repository.put(name, new TextEncoder().encode('probe 1\n'), { ifNoneMatch: '*' });
  try {
    if (first.kind !== 'written') return false;
    const again = await repository.put(name, new TextEncoder().encode('probe 2\n'), { ifNoneMatch: '*' });
    if (again.kind !== 'preconditionFailed') return false;
    const stale = await repository.put(name, new TextEncoder().encode('probe 3\n'), { ifMatch: '"00000000000000000000000000000000"' });
    return stale.kind === 'preconditionFailed';
  } finally {
    await repository.delete(name).catch(() => undefined);
  }
}

interface CacheEntry {
  supported: boolean;
  checkedAt: string;
}

/** The probe's answers on disk, keyed by endpoint and bucket; concurrent jobs may race on it, so writes are atomic renames. */
export class ConditionalWriteCache {
  constructor(
    private readonly file: string,
    private readonly maxAgeMs = 7 * 24 * 3600_000,
  ) {}

  private async readAll(): Promise<Record<string, CacheEntry>> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as Record<string, CacheEntry>;
    } catch {
      return {};
    }
  }

  async get(key: string, now: Date): Promise<boolean | undefined> {
    const entry = (await this.readAll())[key];
    if (!entry || now.getTime() - Date.parse(entry.checkedAt) > this.maxAgeMs) return undefined;
    return entry.supported;
  }

  async set(key: string, supported: boolean, now: Date): Promise<void> {
    try {
      const all = { ...(await this.readAll()), [key]: { supported, checkedAt: now.toISOString() } };
      await mkdir(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      await writeFile(temp, JSON.stringify(all, null, 2));
      await rename(temp, this.file);
    } catch {
      // A read-only cache only costs a probe next time.
    }
  }
}
