#!/usr/bin/env node
// `npm ci` builds the CLI (the prepare script): dist/bundle/main.cjs is the fast path (compiled
// with a V8 code cache, see code-cache.js), dist/src/ the plain compiled modules it is made from.
// After editing src/, `npm run build` refreshes both; a bundle older than the compiled modules
// (tsc run alone) is not used. An installed package (npm pack) ships dist/bundle/ alone, with
// everything it needs bundled in.
// CommonJS (bin/package.json): an ES module entry starts Node's ES module loader first, ~4 ms CPU a run.
const { existsSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { bundle, runBundle } = require('./code-cache.js');

const modules = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
const argv = process.argv.slice(2);
if (existsSync(bundle) && (!existsSync(modules) || statSync(bundle).mtimeMs >= statSync(modules).mtimeMs)) {
  runBundle(argv);
} else {
  import(pathToFileURL(modules).href).then((cli) => cli.main(argv));
}
