#!/usr/bin/env node
// `npm ci` builds the CLI (the prepare script): dist/bundle/ is the fast path, dist/src/ the
// plain compiled modules it is made from. Run `npm run build` after editing src/.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/main.js', import.meta.url);
const entry = existsSync(bundle) ? bundle.href : new URL('../dist/src/cli/main.js', import.meta.url).href;
import(entry).then((m) => m.main(process.argv.slice(2)));
