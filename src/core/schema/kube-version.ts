import { ChartctlError } from '../errors.js';

/** A Kubernetes version as schema locations need it. */
export interface KubeVersion {
  /** As the user wrote it, without a leading "v": `1.33`, `1.33.2`, `master`. */
  display: string;
  /** kubernetes-json-schema directory name: `v1.33.0`, `v1.33.2`, `master`. */
  normalized: string;
}

/**
 * Accepts `X.Y`, `X.Y.Z` (with or without a leading "v") and `master`.
 * `X.Y` maps to `vX.Y.0` because environment files say "1.33" and the
 * published schema sets are per patch release; the API does not change
 * between patch releases.
 */
export function parseKubeVersion(input: string, where = '--kube-version'): KubeVersion {
  const raw = input.trim();
  if (raw === 'master' || raw === 'latest') return { display: 'master', normalized: 'master' };
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(raw);
  if (!m) {
    throw new ChartctlError(`${where} "${input}" is not a Kubernetes version.`, {
      code: 'BAD_KUBE_VERSION',
      hint: 'Use X.Y or X.Y.Z, e.g. 1.33 or 1.33.2, or "master" for the newest published schemas.',
    });
  }
  const [, major, minor, patch] = m;
  return { display: `${major}.${minor}${patch !== undefined ? `.${patch}` : ''}`, normalized: `v${major}.${minor}.${patch ?? '0'}` };
}
