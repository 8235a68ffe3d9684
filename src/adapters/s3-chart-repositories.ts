import { join } from 'node:path';
import type { RepositoryConfig } from '../core/environment.js';
import type { ChartRepositories, ChartRepository } from './chart-repository.js';
import { ConditionalWriteCache, probeConditionalWrites } from './conditional-write-probe.js';
import { S3ChartRepository, s3Settings } from './s3-chart-repository.js';

/** The real factory built in main: S3 repositories, probe answers cached under the user's cache directory. */
export class S3ChartRepositories implements ChartRepositories {
  private readonly cache: ConditionalWriteCache;
  private readonly probes = new Map<string, Promise<boolean>>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    cacheDir: string,
    private readonly now: () => Date,
  ) {
    this.cache = new ConditionalWriteCache(join(cacheDir, 's3-conditional-writes.json'));
  }

  open(config: RepositoryConfig, environment: string): ChartRepository {
    return new S3ChartRepository(config, s3Settings(config, this.env), environment);
  }

  supportsConditionalWrites(repository: ChartRepository): Promise<boolean> {
    const key = `${repository.copyScope}|${repository.bucket}`;
    let pending = this.probes.get(key);
    if (!pending) {
      pending = (async () => {
        const cached = await this.cache.get(key, this.now());
        if (cached !== undefined) return cached;
        const supported = await probeConditionalWrites(repository);
        await this.cache.set(key, supported, this.now());
        return supported;
      })();
      this.probes.set(key, pending);
    }
    return pending;
  }
}
