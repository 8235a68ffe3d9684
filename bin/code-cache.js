// Runs the CLI bundle (dist/bundle/main.cjs and the chunks it loads, scripts/bundle.mjs) with a
// V8 code cache per chunk: compiling their source is most of chartctl's own start-up. A command
// loads main.cjs and the chunks its handler imports, nothing else. Two caches, both only ever
// an optimisation:
// - one per command and chunk under the user cache directory, written after a run without one
//   (it holds every function that run compiled), keyed by the bundle's content hash (every
//   chunk's sha256 and size) and main.cjs's mtime and Node's version and architecture;
// - one per chunk written by the build next to it for the Node that built it, so a fresh home
//   (a CI container after `npm ci`) starts fast too.
// Each file carries the sha1 of its V8 payload, checked before V8 sees it (V8 checks versions
// and flags, not the payload: a damaged cache could crash it); V8 refuses one that does not fit
// the source; any failure to read or write a cache means compiling afresh.
// CommonJS (bin/package.json), like bin/chartctl.js: starting Node's ES module loader costs every run ~4 ms CPU.
'use strict';
const { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { createRequire } = require('node:module');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'bundle', 'main.cjs');
const bundleDir = dirname(bundle);
/** Each cache file starts with the sha1 of its V8 payload. */
const DIGEST_BYTES = 20;

/** Runs the bundle's main(argv), each chunk compiled with the best cache at hand; writes user caches where there were none. */
async function runBundle(argv) {
  const { stat, meta } = bundleInfo();
  const user = userCachePlace(stat, meta, argv);
  const chunks = new ChunkLoader(meta, (name) => {
    const userData = user && readCache(user.file(name));
    if (userData) return { data: userData, fromUser: true };
    const build = buildCacheFile(meta, name);
    return { data: (statSync(build, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= stat.mtimeMs ? readCache(build) : undefined, fromUser: false };
  });
  await chunks.load('main.cjs').main(argv);
  if (!user) return;
  for (const [name, { script, fromUser }] of chunks.loaded) {
    if (!fromUser || script.cachedDataRejected) writeCache(user.file(name), script, 0o600);
  }
  removeStale(dirname(user.file('main.cjs')), (file) => !file.startsWith(user.key));
}

/** The build's caches: main.cjs's top level evaluated (every module it loads at start), main not run; every other chunk compiled. */
function writeBuildCache() {
  const { meta } = bundleInfo();
  const chunks = new ChunkLoader(meta, () => ({ data: undefined, fromUser: false }));
  chunks.load('main.cjs');
  for (const name of Object.keys(meta.chunks)) {
    const script = chunks.loaded.get(name)?.script ?? chunks.compile(name, undefined);
    // Readable by every user of a shared install; scripts/bundle.mjs starts from an empty dist/bundle.
    writeCache(buildCacheFile(meta, name), script, 0o644);
  }
}

/** Loads chunks as CommonJS modules (they require each other by relative name), each once. */
class ChunkLoader {
  constructor(meta, cachedDataOf) {
    this.meta = meta;
    this.cachedDataOf = cachedDataOf;
    /** @type {Map<string, { script: vm.Script, fromUser: boolean, exports: unknown }>} */
    this.loaded = new Map();
    this.nodeRequire = createRequire(bundle);
  }

  load(name) {
    const done = this.loaded.get(name);
    if (done) return done.exports;
    const { data, fromUser } = this.cachedDataOf(name);
    const script = this.compile(name, data);
    const module = { exports: {} };
    const chunk = { script, fromUser, exports: module.exports };
    this.loaded.set(name, chunk);
    const file = join(bundleDir, name);
    const require = (id) => (id.startsWith('./') ? this.load(id.slice(2)) : this.nodeRequire(id));
    script.runInThisContext()(module.exports, require, module, file, bundleDir);
    chunk.exports = module.exports;
    return module.exports;
  }

  compile(name, cachedData) {
    const file = join(bundleDir, name);
    // Chunks are ASCII (scripts/bundle.mjs checks it), so latin1 is exact and skips UTF-8 decoding.
    const source = readFileSync(file, 'latin1');
    if (source.length !== this.meta.chunks[name]?.size) throw new Error(`${file} does not match ${bundle}.json: run npm run build`);
    return new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
      filename: file,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
  }
}

function bundleInfo() {
  const stat = statSync(bundle);
  const meta = JSON.parse(readFileSync(`${bundle}.json`, 'utf8'));
  if (meta.chunks?.['main.cjs']?.size !== stat.size) throw new Error(`${bundle} does not match ${bundle}.json: run npm run build`);
  return { stat, meta };
}

function buildCacheFile(meta, name) {
  return join(bundleDir, `${name}.${process.arch}-${process.version}-${meta.sha256.slice(0, 16)}.cache`);
}

/** One cache file per command and chunk (each holds the functions its runs compiled), or none without a home or cache directory. */
function userCachePlace(stat, meta, argv) {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : '');
  if (!base) return undefined;
  const key = createHash('sha256')
    .update(JSON.stringify([meta.sha256, stat.size, stat.mtimeMs, process.version, process.arch]))
    .digest('hex')
    .slice(0, 32);
  const command = argv.find((a) => meta.commands.includes(a)) ?? 'other';
  return { key, file: (name) => join(base, 'chartctl', 'code-cache', `${key}-${command}-${name.replace(/\.cjs$/, '')}.bin`) };
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

/** Atomically: a private temp name, then rename. */
function writeCache(file, script, mode) {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    const payload = script.createCachedData();
    writeFileSync(temp, Buffer.concat([createHash('sha1').update(payload).digest(), payload]), { mode });
    renameSync(temp, file);
  } catch {
    // A read-only or full cache directory costs speed, never the command.
  }
}

/** Removes the directory's caches that `stale` names (another bundle's or Node's). */
function removeStale(dir, stale) {
  try {
    for (const name of readdirSync(dir)) {
      if (stale(name)) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // As above: only speed is at stake.
  }
}

module.exports = { bundle, runBundle, writeBuildCache };
