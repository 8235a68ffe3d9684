import { join } from 'node:path';
import type { S3RepositoryConfig } from '../core/environment.js';
import type { ChartRepositories, ChartRepository } from './chart-repository.js';
import { ConditionalWriteCache, probeConditionalWrites } from './conditional-write-probe.js';
import { S3ChartRepository, s3Settings } from './s3-chart-repository.js';

/** The real factory built in main: S3 repositories, probe answers cached under the user's cache directory. */
export class S3ChartRepositories implements ChartRepositories {
  private readonly cache: ConditionalWriteCache;
  /** Per endpoint+bucket: the answer this process uses, and whether the endpoint gave it in this process (not the disk cache). */
  private readonly answers = new Map<string, { supported: Promise<boolean>; live: boolean }>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    cacheDir: string,
    private readonly now: () => Date,
  ) {
    this.cache = new ConditionalWriteCache(join(cacheDir, 's3-conditional-writes.json'));
  }

  open(config: S3RepositoryConfig, environment: string): ChartRepository {
    return new S3ChartRepository(config, s3Settings(config, this.env), environment);
  }

  supportsConditionalWrites(repository: ChartRepository): Promise<boolean> {
    const key = cacheKey(repository);
    const known = this.answers.get(key);
    if (known) return known.supported;
    const answer = { live: false } as { supported: Promise<boolean>; live: boolean };
    answer.supported = (async () => {
      const cached = await this.cache.get(key, this.now());
      if (cached !== undefined) return cached;
      answer.live = true;
      return this.probe(repository, key);
    })();
    this.answers.set(key, answer);
    return answer.supported;
  }

  async confirmConditionalWrites(repository: ChartRepository, options: { again?: boolean } = {}): Promise<boolean> {
    const key = cacheKey(repository);
    const known = this.answers.get(key);
    if (known && !options.again) {
      const supported = await known.supported;
      if (known.live) return supported;
    }
    const supported = this.probe(repository, key);
    this.answers.set(key, { supported, live: true });
    return supported;
  }

  private async probe(repository: ChartRepository, key: string): Promise<boolean> {
    const supported = await probeConditionalWrites(repository);
    await this.cache.set(key, supported, this.now());
    return supported;
  }
}

function cacheKey(repository: ChartRepository): string {
  return `${repository.copyScope}|${repository.bucket}`;
}
