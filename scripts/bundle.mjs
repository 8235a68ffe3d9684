// Bundles the CLI (src/cli/main.ts) into dist/bundle/ with esbuild, keeping every
// command's lazy import as its own chunk. Node resolves and loads one file per
// chunk instead of hundreds of modules: ~100 ms less start-up per command.
// The sandbox's background process (src/sandbox/background.ts) is bundled too, s3rver
// included, so dist/bundle/ needs no node_modules: it is what the npm package ships
// (scripts/publish-manifest.mjs). The tsc output in dist/src stays the reference for tests.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');

/**
 * Lazy loads written `createRequire(import.meta.url)('pkg')` (yaml, re2js, ajv, the compiled
 * environment validator) stay lazy under tsc; here they become `require('pkg')`, which esbuild
 * bundles (evaluated on first call) instead of leaving a lookup in node_modules at run time.
 */
const bundleLazyRequires = {
  name: 'bundle-lazy-requires',
  setup(b) {
    b.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('createRequire(import.meta.url)(')) return undefined;
      return { contents: text.replaceAll('createRequire(import.meta.url)(', 'require('), loader: 'ts' };
    });
    // Compiled by scripts/build-validators.mjs next to the tsc output, not in src/.
    b.onResolve({ filter: /^\.\/generated\/.*\.cjs$/ }, (args) => ({
      path: join(root, 'dist', 'src', 'core', args.path),
    }));
  },
};

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: { main: join(root, 'src', 'cli', 'main.ts'), 'sandbox-background': join(root, 'src', 'sandbox', 'background.ts') },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The AWS SDK is bundled from its ES modules ("module" first): loaded by Node as CommonJS it
  // costs ~80 ms more per command that touches a repository (the CJS loader lexes every one of its files for exports).
  mainFields: ['module', 'main'],
  plugins: [bundleLazyRequires],
  banner: { js: "import { createRequire as __chartctlRequire } from 'node:module'; const require = __chartctlRequire(import.meta.url);" },
  logLevel: 'warning',
});
