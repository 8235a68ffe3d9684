import type { Environment } from '../../core/environment.js';
import type { Reporter } from '../../adapters/reporter.js';
import type { Deps } from '../deps.js';
import { renderEnvironment, type Rendered, type RenderOptions } from './render.js';
import type { StartedValues } from './values.js';

/**
 * helm template of a release whose existence (which decides --is-upgrade) the cluster has not told yet: started at
 * once with --is-upgrade, diff's usual case, instead of after that answer; rendered again without it only when the
 * release does not exist (one extra helm call, on a first install). The values are the caller's, resolved once for
 * both renders and released by the caller: this settles only once every helm it started has exited.
 * When `releaseExists` rejects, that is the error, whatever the render did.
 */
export async function renderAsUpgradeUnlessNew(
  deps: Deps,
  env: Environment,
  options: Omit<RenderOptions, 'isUpgrade' | 'values'> & { values: StartedValues },
  releaseExists: Promise<boolean>,
): Promise<Rendered> {
  const asUpgrade = renderEnvironment(deps, env, { ...options, isUpgrade: true });
  asUpgrade.catch(() => undefined);
  const exists = await releaseExists.catch(async (err: unknown) => {
    await asUpgrade.catch(() => undefined);
    throw err;
  });
  if (exists) return asUpgrade;
  // The upgrade render is waited for, not stopped: helm template changes nothing, and it is usually done by now.
  const [, asInstall] = await Promise.allSettled([asUpgrade, renderEnvironment({ ...deps, reporter: alreadyAnnounced(deps.reporter) }, env, { ...options, isUpgrade: false })]);
  if (asInstall.status === 'rejected') throw asInstall.reason;
  return asInstall.value;
}

/** The same render again: its "Rendering …" line was shown once already. */
function alreadyAnnounced(reporter: Reporter): Reporter {
  return {
    progress: () => undefined,
    verbose: (message) => reporter.verbose(message),
    warn: (message) => reporter.warn(message),
  };
}
