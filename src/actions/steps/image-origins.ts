import { existsSync, readFileSync } from 'node:fs';
import type { Environment } from '../../core/environment.js';
import { imageOrigins, sharedFiles, type ImageOrigin } from '../../core/image-origins.js';
import type { Deps } from '../deps.js';
import type { ConfigSource } from './values.js';

/**
 * Where the environment's image tags come from in what would be deployed: the
 * tarball's files (or the working tree's), naming per-environment overrides.
 * Services are those mapped under `images:` plus the chart's dependencies.
 */
export async function imageOriginsOf(deps: Deps, env: Environment, config: ConfigSource, dependencies: string[]): Promise<ImageOrigin[]> {
  const services = [...new Set([...dependencies, ...Object.keys(env.images)])].sort().map((service) => ({ service, tagPath: env.images[service] ?? `${service}.image.tag` }));
  if (config.kind === 'artifact') {
    const decoder = new TextDecoder();
    return imageOrigins(services, config.config.values, new Set(config.shared ?? []), (f) => {
      const data = config.files.get(f);
      return data ? decoder.decode(data) : undefined;
    });
  }
  const shared = sharedFiles(await deps.repo.loadEnvironments([]));
  return imageOrigins(services, env.values, shared, (f) => {
    const abs = deps.repo.path(f);
    return existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
  });
}
