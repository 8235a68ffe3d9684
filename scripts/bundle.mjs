// Bundles the CLI (src/cli/main.ts) into CommonJS chunks in dist/bundle/: main.cjs and one
// chunk set per command's lazily imported modules, which bin/code-cache.js compiles each with a
// V8 code cache: Node would otherwise compile the source on every start (the biggest share of
// chartctl's own start-up). dist/bundle/main.cjs.json records every file's sha256 and size (they
// key the code caches), the file that holds each chunk and the command names.
// The sandbox's background process (src/sandbox/background.ts) is bundled too, s3rver
// included, so dist/bundle/ needs no node_modules: it is what the npm package ships
// (scripts/publish-manifest.mjs). The tsc output in dist/src stays the reference for tests.
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deferAgeRecipientTypes } from './defer-age-recipient-types.mjs';
import { nativeAgeHashes } from './native-age-hashes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');

/**
 * Lazy loads written `createRequire(import.meta.url)('pkg')` (yaml, re2js, ajv, the compiled
 * environment validator) stay lazy under tsc; here they become `require('pkg')`, which esbuild
 * bundles (evaluated on first call) instead of leaving a lookup in node_modules at run time.
 * With `ownChunks` (the CLI), each becomes `require('./lazy-<name>.cjs')`, an entry point of its
 * own: bundled in place, the package sat in a chunk of main's static graph, read and compiled by
 * every start (--help too) though evaluated only on first call.
 */
const LAZY_REQUIRE = /createRequire\(import\.meta\.url\)\('((?!node:)[^']+)'\)/g;
function bundleLazyRequires({ ownChunks }) {
  return {
    name: 'bundle-lazy-requires',
    setup(b) {
      b.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        if (!text.includes('createRequire(import.meta.url)(')) return undefined;
        if (ownChunks) text = text.replace(LAZY_REQUIRE, (_, spec) => `require('./${lazyChunkName(spec)}.cjs').default`);
        return { contents: text.replaceAll('createRequire(import.meta.url)(', 'require('), loader: 'ts' };
      });
      // Compiled by scripts/build-validators.mjs next to the tsc output, not in src/.
      b.onResolve({ filter: /^\.\/generated\/.*\.cjs$/ }, (args) => ({
        path: join(root, 'dist', 'src', 'core', args.path),
      }));
      if (!ownChunks) return;
      b.onResolve({ filter: /^\.\/lazy-[a-z0-9-]+\.cjs$/ }, (args) => ({ path: args.path, external: true }));
      b.onResolve({ filter: /^lazy:/ }, (args) => ({ path: args.path.slice(5), namespace: 'lazy-entry' }));
      b.onLoad({ filter: /.*/, namespace: 'lazy-entry' }, (args) => ({
        contents: `const loaded = require(${JSON.stringify(lazySpecs.get(args.path))}); export { loaded as default };`,
        resolveDir: join(root, 'src', 'core'),
        loader: 'js',
      }));
    },
  };
}

function lazyChunkName(spec) {
  return `lazy-${spec.replace(/^\.\/generated\//, '').replace(/\.cjs$/, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
}

/** Every lazily required module of src/, by chunk name (a relative one is ./generated/, the same from any src/ directory). */
function findLazyRequires(dir, found = new Map()) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findLazyRequires(path, found);
    else if (entry.name.endsWith('.ts')) for (const [, spec] of readFileSync(path, 'utf8').matchAll(LAZY_REQUIRE)) found.set(lazyChunkName(spec), spec);
  }
  return found;
}
const lazySpecs = findLazyRequires(join(root, 'src'));

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // The AWS SDK is bundled from its ES modules ("module" first): loaded by Node as CommonJS it
  // costs ~80 ms more per command that touches a repository (the CJS loader lexes every one of its files for exports).
  mainFields: ['module', 'main'],
  logLevel: 'warning',
};

rmSync(out, { recursive: true, force: true });
await build({
  ...shared,
  entryPoints: { 'sandbox-background': join(root, 'src', 'sandbox', 'background.ts') },
  plugins: [bundleLazyRequires({ ownChunks: false })],
  outdir: out,
  splitting: true,
  format: 'esm',
  banner: { js: "import { createRequire as __chartctlRequire } from 'node:module'; const require = __chartctlRequire(import.meta.url);" },
});

// The CLI, split: main.cjs holds what every command needs (main, the command table, commander),
// each command's action and the packages only it uses sit in chunks loaded by its handler's
// import(), so `--help` and `envs` never read, compile nor evaluate the AWS SDK, ajv or sops.
// esbuild splits ES modules only; each chunk is then turned into a CommonJS script, which
// bin/code-cache.js compiles with a V8 code cache of its own (Node 20 has none for ES modules).
const split = await build({
  ...shared,
  entryPoints: { main: join(root, 'src', 'cli', 'main.ts'), ...Object.fromEntries([...lazySpecs.keys()].map((name) => [name, `lazy:${name}`])) },
  plugins: [bundleLazyRequires({ ownChunks: true }), deferAgeRecipientTypes(), nativeAgeHashes()],
  outdir: out,
  splitting: true,
  format: 'esm',
  chunkNames: 'cli-[hash]',
  write: false,
  metafile: true,
  // Modules that find files next to themselves (package.json, the sandbox's background) see their chunk's own URL.
  define: { 'import.meta.url': '__chartctlModule.url' },
  // ASCII only, so bin/code-cache.js can read chunks as latin1 (a copy, not a UTF-8 decode); whitespace
  // and syntax minified (names kept, so stack traces still name functions): the source is read on every start.
  charset: 'ascii',
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
});
/** Each chunk's CommonJS body, by name (cli-<hash>.cjs, lazy-<name>.cjs, main.cjs). */
const bodies = new Map();
for (const file of split.outputFiles) {
  const name = chunkName(file.path);
  const { code } = await transform(file.text, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    charset: 'ascii',
    minifyWhitespace: true,
    minifySyntax: true,
    // Only the few chunks that use import.meta.url compute it, on first use: pathToFileURL in every chunk cost ~1 ms each
    // at start-up, and the two that use it (version, package-root) cost --help ~0.4 ms at their top level.
    banner: file.text.includes('__chartctlModule.url') ? "var __chartctlModule = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" : '',
  });
  // A script compiled from a code cache gets no dynamic import() from Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING):
  // the few left, all of Node's own modules (the AWS SDK's lazy node:http), become require(); chunks name each other as .cjs.
  const text = code
    .replace(/\bimport\("(node:[a-z_/0-9]+)"\)/g, 'Promise.resolve().then(() => require("$1"))')
    .replace(/require\("\.\/(cli-[A-Z0-9]+)\.js"\)/g, 'require("./$1.cjs")')
    .replace(/\bimport\("\.\/(cli-[A-Z0-9]+)\.js"\)/g, 'Promise.resolve().then(() => require("./$1.cjs"))');
  const leftover = /\bimport\(|require\("\.\/[^"]*\.js"\)/.exec(text);
  if (leftover) throw new Error(`${name} still has a dynamic import() or a .js chunk at offset ${leftover.index}: ${text.slice(leftover.index, leftover.index + 60)}`);
  bodies.set(name, text);
}

function chunkName(path) {
  return basename(path).replace(/\.js$/, '.cjs');
}

// Every command starts with main.cjs and the chunks it imports statically (the command table,
// commander, the adapters main wires up: ~25 chunks, as esbuild splits out what lazy chunks share
// too). They are one file, main.cjs, compiled as one script with one code cache: a file apiece
// cost every run two reads, a checksum and a compile per chunk. Every other chunk is a file of its own.
const packed = new Set();
for (const pending = ['main.cjs']; pending.length; ) {
  const name = pending.pop();
  if (packed.has(name)) continue;
  packed.add(name);
  const output = Object.entries(split.metafile.outputs).find(([path]) => chunkName(path) === name)[1];
  for (const i of output.imports) if (i.kind === 'import-statement' && !i.external) pending.push(chunkName(i.path));
}
const layout = new Map([['main.cjs', [...packed]], ...[...bodies.keys()].filter((n) => !packed.has(n)).map((n) => [n, [n]])]);

// A file is one expression: its chunks' module functions by name (bin/code-cache.js calls each as Node calls a CommonJS module's),
// each in parentheses, which V8 reads as "called soon" and compiles at once, so the build's code cache holds them too.
const files = {};
const chunkFiles = {};
for (const [file, names] of layout) {
  const members = names.map((n) => `${JSON.stringify(n)}:(function(exports,require,module,__filename,__dirname){${bodies.get(n)}\n})`);
  const source = Buffer.from(`({${members.join(',\n')}})`, 'latin1');
  if (source.some((byte) => byte > 0x7f)) throw new Error(`${file} is not ASCII: bin/code-cache.js reads it as latin1`);
  writeFileSync(join(out, file), source);
  files[file] = { sha256: createHash('sha256').update(source).digest('hex'), size: source.length };
  for (const n of names) chunkFiles[n] = file;
}
const commands = readdirSync(join(root, 'src', 'cli', 'commands'))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3));
// The whole CLI's sha256 keys the code caches: any file changed, every cache is stale.
const sha256 = createHash('sha256').update(JSON.stringify(files)).digest('hex');
writeFileSync(join(out, 'main.cjs.json'), `${JSON.stringify({ sha256, files, chunkFiles, commands })}\n`);

// A code cache of the bundle's start-up for the Node that builds it (the one `npm ci` runs), so a
// fresh home (a CI container) starts fast too; bin/code-cache.js uses it when Node's version matches.
const codeCache = join(root, 'bin', 'code-cache.js');
execFileSync(process.execPath, ['-e', `require(${JSON.stringify(codeCache)}).writeBuildCache();`], { stdio: 'inherit' });
