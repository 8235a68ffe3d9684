// `npm pack` / `npm publish` run this first (prepack) and with --restore last (postpack).
// The published package.json keeps only what an installed chartctl needs: no scripts (the
// clone's `prepare` builds and extracts development helm copies; a consumer's npm must have
// nothing to run, nor warn about) and no devDependencies. Everything chartctl runs is in
// dist/bundle/ (scripts/bundle.mjs), so there are no dependencies to fetch either: the
// tarball installs offline. The clone's package.json is put back by --restore.
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = join(root, 'package.json');
const saved = join(root, 'package.json.clone');
const KEPT = ['name', 'version', 'description', 'type', 'license', 'bin', 'files', 'engines', 'repository', 'homepage', 'bugs', 'keywords'];

function fail(message) {
  process.stderr.write(`publish-manifest: ${message}\n`);
  process.exit(1);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

if (process.argv.includes('--restore')) {
  if (existsSync(saved)) renameSync(saved, manifest);
} else {
  // A pack interrupted before postpack left the stripped manifest in place: start from the saved one.
  if (existsSync(saved)) renameSync(saved, manifest);
  const bundle = join(root, 'dist', 'bundle', 'main.cjs');
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestMtime(join(root, 'src'))) {
    fail('dist/bundle is missing or older than src/: run `npm run build` first, then pack again.');
  }
  const text = readFileSync(manifest, 'utf8');
  const full = JSON.parse(text);
  const published = Object.fromEntries(KEPT.filter((key) => key in full).map((key) => [key, full[key]]));
  writeFileSync(saved, text);
  writeFileSync(manifest, `${JSON.stringify(published, null, 2)}\n`);
}
