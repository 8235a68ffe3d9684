// An esbuild plugin for scripts/bundle.mjs (and its test): age-encryption's recipients.js imports
// the post-quantum hybrid KEMs (ML-KEM-768 with X25519 or P-256) and the P-256 curve, whose modules
// set up their curves and tables when evaluated, in every command that decrypts secrets (#20),
// though only AGE-SECRET-KEY-PQ- identities and age1pq/age1tag/age1tagpq recipients use them.
// Each such import becomes a require() made on first use (esbuild evaluates a required module when
// it is first required), of a module re-exporting only those names (so the rest of each package is
// still left out). The library's code is otherwise as published; the build fails if a release of
// age no longer has these imports, or uses their names other than as `name.member`.
import { readFileSync } from 'node:fs';

export const AGE_DEFERRED_IMPORTS = [
  { statement: 'import { MLKEM768P256, MLKEM768X25519 } from "@noble/post-quantum/hybrid.js";', names: ['MLKEM768P256', 'MLKEM768X25519'] },
  { statement: 'import { p256 } from "@noble/curves/nist.js";', names: ['p256'] },
];

const NAMESPACE = 'age-deferred';

export function deferAgeRecipientTypes() {
  return {
    name: 'defer-age-recipient-types',
    setup(b) {
      b.onLoad({ filter: /[/\\]age-encryption[/\\]dist[/\\]recipients\.js$/ }, (args) => ({ contents: deferImports(readFileSync(args.path, 'utf8'), args.path), loader: 'js' }));
      b.onResolve({ filter: new RegExp(`^${NAMESPACE}:`) }, (args) => ({ path: args.path, namespace: NAMESPACE, pluginData: { resolveDir: args.resolveDir } }));
      // Resolved from recipients.js's directory, as its own import was.
      b.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: AGE_DEFERRED_IMPORTS[Number(args.path.slice(NAMESPACE.length + 1))].statement.replace(/^import/, 'export'),
        resolveDir: args.pluginData.resolveDir,
        loader: 'js',
      }));
    },
  };
}

/** recipients.js with each deferred import replaced by a loader on first use; throws when `text` does not match. */
export function deferImports(text, path) {
  AGE_DEFERRED_IMPORTS.forEach(({ statement, names }, i) => {
    if (!text.includes(statement)) throw new Error(`${path} no longer has ${statement}: update scripts/defer-age-recipient-types.mjs`);
    text = text.replace(statement, `let deferred${i}; const loadDeferred${i} = () => (deferred${i} ??= require(${JSON.stringify(`${NAMESPACE}:${i}`)}));`);
    for (const name of names) {
      const uses = text.match(new RegExp(`\\b${name}\\b`, 'g'))?.length ?? 0;
      let rewritten = 0;
      text = text.replace(new RegExp(`\\b${name}\\.`, 'g'), () => (rewritten++, `loadDeferred${i}().${name}.`));
      if (rewritten === 0 || rewritten !== uses) throw new Error(`${path} uses ${name} other than as ${name}.member: update scripts/defer-age-recipient-types.mjs`);
    }
  });
  return text;
}
