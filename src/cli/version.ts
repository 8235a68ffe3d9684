import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** chartctl's version, from the package.json above this module (dist/src/cli or dist/bundle: both sit inside the package). */
export function chartctlVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'chartctl' && pkg.version) return pkg.version;
    } catch {
      // No package.json here: look one directory up.
    }
    if (dirname(dir) === dir) return 'development'; // kubeconform's own word for a build without a version
  }
}
