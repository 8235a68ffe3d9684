import { isChartctlError } from '../core/errors.js';
import { packageVersion } from '../adapters/package-root.js';
import type { Deps } from './deps.js';

export interface VersionReport {
  chartctl: string;
  /** The helm chartctl would run (CHARTCTL_HELM, PATH, the development copy), or why there is none. */
  helm: { version: string; path: string } | { version: null; problem: string };
  node: string;
}

/** What `chartctl version` prints. A missing or unusable helm is reported, not an error: the report is how one finds out. */
export async function versions(deps: Deps): Promise<VersionReport> {
  let helm: VersionReport['helm'];
  try {
    const cli = deps.helm();
    helm = { version: (await cli.version()).text, path: cli.binary };
  } catch (err) {
    if (!isChartctlError(err)) throw err;
    helm = { version: null, problem: err.message };
  }
  return { chartctl: packageVersion(), helm, node: process.version };
}
