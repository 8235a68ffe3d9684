// An esbuild plugin for scripts/bundle.mjs (and its test): age-encryption's imports of
// @noble/hashes' hkdf.js and hmac.js resolve to src/core/sops/age-native-hashes.ts, the same
// functions with SHA-256 computed by node:crypto (#20). Only age's own imports are redirected
// (the shim imports noble itself); the build fails if age no longer has them.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHIM = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'core', 'sops', 'age-native-hashes.ts');
const FROM_AGE = /[/\\]age-encryption[/\\]dist[/\\][^/\\]+\.js$/;

export function nativeAgeHashes() {
  return {
    name: 'native-age-hashes',
    setup(b) {
      let agePackage = false;
      let redirected = 0;
      b.onStart(() => {
        agePackage = false;
        redirected = 0;
      });
      b.onResolve({ filter: /^age-encryption$/ }, () => {
        agePackage = true;
        return undefined;
      });
      b.onResolve({ filter: /^@noble\/hashes\/(hkdf|hmac)\.js$/ }, (args) => {
        if (!FROM_AGE.test(args.importer)) return undefined;
        redirected++;
        return { path: SHIM };
      });
      b.onEnd((result) => {
        if (agePackage && redirected === 0 && result.errors.length === 0) {
          return { errors: [{ text: 'age-encryption no longer imports @noble/hashes/hkdf.js or hmac.js: update scripts/native-age-hashes.mjs' }] };
        }
        return undefined;
      });
    },
  };
}
