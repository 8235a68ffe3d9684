// Compiles the CLI bundle (dist/bundle/main.cjs) with a V8 code cache: compiling its source is
// most of chartctl's own start-up. Two caches, both only ever an optimisation:
// - one per command under the user cache directory, written after a run without one (it holds
//   every function that run compiled), keyed by the bundle's content hash, size and mtime and
//   Node's version and architecture;
// - one written by the build (scripts/bundle.mjs) next to the bundle for the Node that built it,
//   so a fresh home (a CI container after `npm ci`) starts fast too.
// Each file carries the sha1 of its V8 payload, checked before V8 sees it (V8 checks versions
// and flags, not the payload: a damaged cache could crash it); V8 refuses one that does not fit
// the source; any failure to read or write a cache means compiling afresh.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const bundle = fileURLToPath(new URL('../dist/bundle/main.cjs', import.meta.url));
/** Each cache file starts with the sha1 of its V8 payload. */
const DIGEST_BYTES = 20;

/** Runs the bundle's main(argv), compiled with the best cache at hand; writes a user cache when there was none. */
export async function runBundle(argv) {
  const { stat, meta } = bundleInfo();
  const user = userCachePlace(stat, meta, argv);
  const userData = user && readCache(user.file);
  const build = buildCacheFile(meta);
  const buildData = userData ? undefined : (statSync(build, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= stat.mtimeMs ? readCache(build) : undefined;
  const script = compile(userData ?? buildData);
  await evaluate(script).main(argv);
  if (user && (!userData || script.cachedDataRejected)) writeCache(user.file, script, (name) => !name.startsWith(user.key), 0o600);
}

/** The build's cache: the bundle's top level evaluated (every module it loads at start), main not run. */
export function writeBuildCache() {
  const { meta } = bundleInfo();
  const script = compile(undefined);
  evaluate(script);
  // Readable by every user of a shared install; scripts/bundle.mjs starts from an empty dist/bundle.
  writeCache(buildCacheFile(meta), script, () => false, 0o644);
}

function bundleInfo() {
  const stat = statSync(bundle);
  const meta = JSON.parse(readFileSync(`${bundle}.json`, 'utf8'));
  if (meta.size !== stat.size) throw new Error(`${bundle} does not match ${bundle}.json: run npm run build`);
  return { stat, meta };
}

function compile(cachedData) {
  // The bundle is ASCII (scripts/bundle.mjs checks it), so latin1 is exact and skips UTF-8 decoding.
  const source = readFileSync(bundle, 'latin1');
  return new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

function evaluate(script) {
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return module.exports;
}

function buildCacheFile(meta) {
  return join(dirname(bundle), `main.cjs.${process.arch}-${process.version}-${meta.sha256.slice(0, 16)}.cache`);
}

/** One cache file per command (each holds the functions its runs compiled), or none without a home or cache directory. */
function userCachePlace(stat, meta, argv) {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : '');
  if (!base) return undefined;
  const key = createHash('sha256')
    .update(JSON.stringify([meta.sha256, stat.size, stat.mtimeMs, process.version, process.arch]))
    .digest('hex')
    .slice(0, 32);
  const command = argv.find((a) => meta.commands.includes(a)) ?? 'other';
  return { key, file: join(base, 'chartctl', 'code-cache', `${key}-${command}.bin`) };
}

/** The V8 payload of a cache file whose sha1 matches, else undefined. */
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

/** Atomically (a private temp name, then rename), then removes the directory's caches that `stale` names. */
function writeCache(file, script, stale, mode) {
  try {
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    const payload = script.createCachedData();
    writeFileSync(temp, Buffer.concat([createHash('sha1').update(payload).digest(), payload]), { mode });
    renameSync(temp, file);
    for (const name of readdirSync(dir)) {
      if (stale(name)) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // A read-only or full cache directory costs speed, never the command.
  }
}
