import type { Environment } from '../../core/environment.js';
import type { Finding } from '../../core/findings.js';
import type { ManifestDocument } from '../../core/manifests.js';
import type { Deps } from '../deps.js';

/**
 * Seam for Kubernetes schema validation of rendered manifests (used by lint and
 * deploy). Returns findings; an empty list means every resource is valid.
 */
export async function validateRenderedManifests(_deps: Deps, _env: Environment, _docs: ManifestDocument[]): Promise<Finding[]> {
  return [];
}
