#!/usr/bin/env node
// `npm ci` builds the CLI (the prepare script): dist/bundle/main.cjs is the fast path, dist/src/
// the plain compiled modules it is made from. After editing src/, `npm run build` refreshes both;
// a bundle older than the compiled modules (tsc run alone) is not used. An installed package
// (npm pack) ships dist/bundle/ alone, with everything it needs bundled in.
//
// The bundle is compiled with a V8 code cache kept under the user cache directory: compiling
// its source is most of chartctl's own start-up. A cache is only ever an optimisation: its key
// covers the bundle's content hash, size and mtime and Node's version; each file carries the
// sha1 of its payload, checked before V8 sees it (V8 itself checks versions and flags, not the
// payload: a damaged cache could crash it); any failure to read or write one means compiling afresh.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/bundle/main.cjs', import.meta.url));
const modules = new URL('../dist/src/cli/main.js', import.meta.url);
const argv = process.argv.slice(2);
/** Each cache file starts with the sha1 of its V8 payload. */
const DIGEST_BYTES = 20;

const built = existsSync(bundle) ? statSync(bundle) : undefined;
if (built && (!existsSync(modules) || built.mtimeMs >= statSync(modules).mtimeMs)) {
  await runBundle(built);
} else {
  await (await import(modules.href)).main(argv);
}

async function runBundle(stat) {
  const meta = JSON.parse(readFileSync(`${bundle}.json`, 'utf8'));
  const cache = cachePlace(stat, meta);
  const cachedData = cache ? readCache(cache.file) : undefined;
  // The bundle is ASCII (scripts/bundle.mjs checks it), so latin1 is exact and skips UTF-8 decoding.
  const source = readFileSync(bundle, 'latin1');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  await module.exports.main(argv);
  if (cache && (!cachedData || script.cachedDataRejected)) writeCache(cache, script);
}

/** One cache file per command (each holds the functions its runs compiled), or none when there is no cache directory. */
function cachePlace(stat, meta) {
  if (meta.size !== stat.size) return undefined;
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : '');
  if (!base) return undefined;
  const dir = join(base, 'chartctl', 'code-cache');
  const key = createHash('sha256')
    .update(JSON.stringify([meta.sha256, stat.size, stat.mtimeMs, process.version, process.arch]))
    .digest('hex')
    .slice(0, 32);
  const command = argv.find((a) => meta.commands.includes(a)) ?? 'other';
  return { dir, key, file: join(dir, `${key}-${command}.bin`) };
}

/** The V8 payload of a cache file whose sha1 matches, else undefined (then the run writes a new one). */
function readCache(file) {
  let data;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  const payload = data.subarray(DIGEST_BYTES);
  return data.length > DIGEST_BYTES && createHash('sha1').update(payload).digest().equals(data.subarray(0, DIGEST_BYTES)) ? payload : undefined;
}

/** Atomically (a private temp name, then rename), dropping caches of other bundles or Node versions. */
function writeCache(cache, script) {
  try {
    mkdirSync(cache.dir, { recursive: true, mode: 0o700 });
    const temp = `${cache.file}.${process.pid}.tmp`;
    const payload = script.createCachedData();
    writeFileSync(temp, Buffer.concat([createHash('sha1').update(payload).digest(), payload]), { mode: 0o600 });
    renameSync(temp, cache.file);
    for (const name of readdirSync(cache.dir)) {
      if (!name.startsWith(cache.key)) rmSync(join(cache.dir, name), { force: true });
    }
  } catch {
    // A read-only or full cache directory costs speed, never the command.
  }
}
