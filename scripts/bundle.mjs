// Bundles the CLI (src/cli/main.ts) into one CommonJS script, dist/bundle/main.cjs, that
// bin/chartctl.js compiles with a V8 code cache: Node would otherwise compile the bundle's
// source on every start (the biggest share of chartctl's own start-up). Every command's lazy
// import stays lazy (evaluated on first use). dist/bundle/main.cjs.json records its sha256,
// size and command names, which key the code cache.
// The sandbox's background process (src/sandbox/background.ts) is bundled too, s3rver
// included, so dist/bundle/ needs no node_modules: it is what the npm package ships
// (scripts/publish-manifest.mjs). The tsc output in dist/src stays the reference for tests.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // The AWS SDK is bundled from its ES modules ("module" first): loaded by Node as CommonJS it
  // costs ~80 ms more per command that touches a repository (the CJS loader lexes every one of its files for exports).
  mainFields: ['module', 'main'],
  plugins: [bundleLazyRequires],
  logLevel: 'warning',
};

rmSync(out, { recursive: true, force: true });
await build({
  ...shared,
  entryPoints: { 'sandbox-background': join(root, 'src', 'sandbox', 'background.ts') },
  outdir: out,
  splitting: true,
  format: 'esm',
  banner: { js: "import { createRequire as __chartctlRequire } from 'node:module'; const require = __chartctlRequire(import.meta.url);" },
});

const cli = join(out, 'main.cjs');
await build({
  ...shared,
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outfile: cli,
  format: 'cjs',
  // Modules that find files next to themselves (package.json, the sandbox's background) see the bundle's own URL.
  define: { 'import.meta.url': '__chartctlModuleUrl' },
  banner: { js: "var __chartctlModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // ASCII only, so bin/code-cache.js can read it as latin1 (a copy, not a UTF-8 decode); whitespace
  // and syntax minified (names kept, so stack traces still name functions): the source is read on every start.
  charset: 'ascii',
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
});
// A script compiled from a code cache gets no dynamic import() from Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING):
// the few left, all of Node's own modules (the AWS SDK's lazy node:http), become require().
const text = readFileSync(cli, 'latin1').replace(/\bimport\("(node:[a-z_/0-9]+)"\)/g, 'Promise.resolve().then(() => require("$1"))');
const leftover = /\bimport\(/.exec(text);
if (leftover) throw new Error(`${cli} still has a dynamic import() at offset ${leftover.index}: ${text.slice(leftover.index, leftover.index + 60)}`);
writeFileSync(cli, text, 'latin1');
const source = readFileSync(cli);
if (source.some((byte) => byte > 0x7f)) throw new Error(`${cli} is not ASCII: bin/code-cache.js reads it as latin1`);
const commands = readdirSync(join(root, 'src', 'cli', 'commands'))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3));
writeFileSync(`${cli}.json`, `${JSON.stringify({ sha256: createHash('sha256').update(source).digest('hex'), size: source.length, commands })}\n`);

// A code cache of the bundle's start-up for the Node that builds it (the one `npm ci` runs), so a
// fresh home (a CI container) starts fast too; bin/code-cache.js uses it when Node's version matches.
const codeCache = pathToFileURL(join(root, 'bin', 'code-cache.js')).href;
execFileSync(process.execPath, ['--input-type=module', '-e', `import { writeBuildCache } from ${JSON.stringify(codeCache)}; writeBuildCache();`], { stdio: 'inherit' });
