import { isOciRepository, type Environment } from '../../core/environment.js';
import type { Deps } from '../deps.js';
import { ociVersions, openRegistry } from './oci-charts.js';
import { openRepository, readIndex } from './repository-index.js';

/** The versions of one chart an environment's repository holds: its index entries (s3://) or its tags (oci://). */
export async function versionsIn(deps: Deps, env: Environment, chartName: string): Promise<{ url: string; versions: string[] }> {
  if (isOciRepository(env.repository)) {
    const registry = openRegistry(deps, { ...env, repository: env.repository });
    return { url: registry.url, versions: await ociVersions(registry, chartName) };
  }
  const repository = openRepository(deps, env);
  const { index } = await readIndex(repository);
  return { url: repository.url, versions: (index?.entries[chartName] ?? []).map((e) => e.version) };
}
