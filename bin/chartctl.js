#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm ci` (the prepare script); run `npm run build` after editing src/.
import('../dist/src/cli/main.js').then((m) => m.main(process.argv.slice(2)));
