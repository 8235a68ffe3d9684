#!/usr/bin/env node
// `npm ci` builds the CLI (the prepare script): dist/bundle/main.cjs is the fast path (compiled
// with a V8 code cache, see code-cache.js), dist/src/ the plain compiled modules it is made from.
// After editing src/, `npm run build` refreshes both; a bundle older than the compiled modules
// (tsc run alone) is not used. An installed package (npm pack) ships dist/bundle/ alone, with
// everything it needs bundled in.
import { existsSync, statSync } from 'node:fs';
import { bundle, runBundle } from './code-cache.js';

const modules = new URL('../dist/src/cli/main.js', import.meta.url);
const argv = process.argv.slice(2);
if (existsSync(bundle) && (!existsSync(modules) || statSync(bundle).mtimeMs >= statSync(modules).mtimeMs)) {
  await runBundle(argv);
} else {
  await (await import(modules.href)).main(argv);
}
