#!/usr/bin/env node
// `npm ci` builds the CLI (the prepare script): dist/bundle/ is the fast path, dist/src/ the
// plain compiled modules it is made from. After editing src/, `npm run build` refreshes both;
// a bundle older than the compiled modules (tsc run alone) is not used. An installed package
// (npm pack) ships dist/bundle/ alone, with everything it needs bundled in.
import { existsSync, statSync } from 'node:fs';

const bundle = new URL('../dist/bundle/main.js', import.meta.url);
const modules = new URL('../dist/src/cli/main.js', import.meta.url);
const fresh = existsSync(bundle) && (!existsSync(modules) || statSync(bundle).mtimeMs >= statSync(modules).mtimeMs);
import((fresh ? bundle : modules).href).then((m) => m.main(process.argv.slice(2)));
