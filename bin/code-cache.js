// Runs the CLI bundle (dist/bundle/main.cjs and the chunks it loads, scripts/bundle.mjs) with a
// V8 code cache per file: compiling their source is most of chartctl's own start-up. A command
// loads main.cjs (main and every chunk it imports statically) and the files of the chunks its
// handler imports, nothing else. Two caches, both only ever an optimisation:
// - one per command and file under the user cache directory, written after a run without one
//   (it holds every function that run compiled), keyed by the bundle's content hash (every
//   file's sha256 and size) and main.cjs's mtime and Node's version and architecture;
// - one per file written by the build next to it for the Node that built it, so a fresh home
//   (a CI container after `npm ci`) starts fast too.
// Each file carries the CRC-32 of its V8 payload, checked before V8 sees it (V8 checks versions
// and flags, not the payload: a damaged cache could crash it); V8 refuses one that does not fit
// the source; any failure to read or write a cache means compiling afresh.
// CommonJS (bin/package.json), like bin/chartctl.js: starting Node's ES module loader costs every run ~4 ms CPU.
'use strict';
const { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'bundle', 'main.cjs');
const bundleDir = dirname(bundle);
/** Each cache file starts with the CRC-32 of its V8 payload, big-endian. */
const CHECKSUM_BYTES = 4;
/**
 * zlib's CRC-32 catches the damage a cache can suffer (torn, truncated, flipped bytes; nobody
 * forges a cache in your own home). zlib costs a run ~0.4 ms to load, crypto ~1.3 ms,
 * and nothing else at start-up needs crypto. Node before 20.15 has no zlib.crc32: sha1's first 4 bytes.
 */
const checksum = require('node:zlib').crc32 ?? ((data) => require('node:crypto').createHash('sha1').update(data).digest().readUInt32BE(0));

/** Runs the bundle's main(argv), each file compiled with the best cache at hand; writes user caches where there were none. */
async function runBundle(argv) {
  const { stat, meta } = bundleInfo();
  const user = userCachePlace(stat, meta, argv);
  const chunks = new ChunkLoader(meta, (file) => {
    const userData = user && readCache(user.file(file));
    if (userData) return { data: userData, fromUser: true };
    const build = buildCacheFile(meta, file);
    return { data: (statSync(build, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= stat.mtimeMs ? readCache(build) : undefined, fromUser: false };
  });
  await chunks.load('main.cjs').main(argv);
  if (!user) return;
  const missing = [...chunks.compiled].filter(([, { script, fromUser }]) => !fromUser || script.cachedDataRejected);
  for (const [file, { script }] of missing) writeCache(user.file(file), script, 0o600);
  // Other bundles' caches can only be there when this bundle's are not yet: a run with all of its own reads no directory.
  if (missing.length) removeStale(dirname(user.file('main.cjs')), (file) => !file.startsWith(user.key));
}

/** The build's caches: main.cjs's top level evaluated (every module it loads at start), main not run; every other file compiled. */
function writeBuildCache() {
  const { meta } = bundleInfo();
  const chunks = new ChunkLoader(meta, () => ({ data: undefined, fromUser: false }));
  chunks.load('main.cjs');
  for (const file of Object.keys(meta.files)) {
    const script = chunks.compiled.get(file)?.script ?? chunks.compile(file, { data: undefined, fromUser: false }).script;
    // Readable by every user of a shared install; scripts/bundle.mjs starts from an empty dist/bundle.
    writeCache(buildCacheFile(meta, file), script, 0o644);
  }
}

/**
 * Loads chunks as CommonJS modules (they require each other by relative name), each once. A file
 * holds one or more chunks (scripts/bundle.mjs): one expression, their module functions by name.
 */
class ChunkLoader {
  constructor(meta, cachedDataOf) {
    this.meta = meta;
    this.cachedDataOf = cachedDataOf;
    /** @type {Map<string, { script: vm.Script, fromUser: boolean, modules: Record<string, Function> }>} */
    this.compiled = new Map();
    /** @type {Map<string, unknown>} each loaded chunk's exports */
    this.exports = new Map();
    this.nodeRequire = createRequire(bundle);
    this.lazyBuiltins = new Map();
  }

  load(name) {
    if (this.exports.has(name)) return this.exports.get(name);
    const fileName = this.meta.chunkFiles[name];
    if (!fileName) throw new Error(`${bundle}.json names no file holding ${name}: run npm run build`);
    const { modules } = this.compiled.get(fileName) ?? this.compile(fileName, this.cachedDataOf(fileName));
    const module = { exports: {} };
    // Before it runs: chunks that require each other in a cycle get the exports so far, as with Node's require.
    this.exports.set(name, module.exports);
    const require = (id) => (id.startsWith('./') ? this.load(id.slice(2)) : this.builtin(id));
    modules[name](module.exports, require, module, join(bundleDir, fileName), bundleDir);
    this.exports.set(name, module.exports);
    return module.exports;
  }

  /** Node's module `id`; one of LAZY_BUILTINS as a stand-in that loads it on first use. */
  builtin(id) {
    if (!LAZY_BUILTINS.has(id)) return this.nodeRequire(id);
    let standIn = this.lazyBuiltins.get(id);
    if (!standIn) this.lazyBuiltins.set(id, (standIn = lazyModule(() => this.nodeRequire(id))));
    return standIn;
  }

  compile(fileName, { data, fromUser }) {
    const file = join(bundleDir, fileName);
    // Files are ASCII (scripts/bundle.mjs checks it), so latin1 is exact and skips UTF-8 decoding.
    const source = readFileSync(file, 'latin1');
    if (source.length !== this.meta.files[fileName]?.size) throw new Error(`${file} does not match ${bundle}.json: run npm run build`);
    const script = new vm.Script(source, {
      filename: file,
      cachedData: data,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    const compiled = { script, fromUser, modules: script.runInThisContext() };
    this.compiled.set(fileName, compiled);
    return compiled;
  }
}

/**
 * Node's modules that neither its own start-up nor this loader loads (zlib, and with it stream, it
 * does) and that chunks import at their top level (esbuild turns every import into a require
 * there), while only some commands call them: loading them all cost every run, --help too, ~6 ms
 * CPU (crypto alone ~2 ms). Chunks use a module's exports as properties
 * (`import_node_crypto.createHash(...)`), so a stand-in can wait for the first one. Each of these
 * modules is a plain object: a stand-in could not be called or extended (node:stream could).
 */
const LAZY_BUILTINS = new Set([
  'node:child_process',
  'node:crypto',
  'node:dns',
  'node:fs/promises',
  'node:http',
  'node:https',
  'node:readline',
  'node:readline/promises',
  'node:timers/promises',
]);

/**
 * An object that behaves as the module load() returns, calling load() on first use. Reflection
 * (esbuild's __toESM copies a module's properties) sees the module's own properties, copied
 * onto the stand-in first, as a Proxy must report what its target holds.
 */
function lazyModule(load) {
  const target = {};
  let loaded;
  const real = () => {
    if (loaded === undefined) {
      loaded = load();
      Object.defineProperties(target, Object.getOwnPropertyDescriptors(loaded));
    }
    return loaded;
  };
  return new Proxy(target, {
    get: (_, key) => real()[key],
    set: (_, key, value) => Reflect.set(real(), key, value),
    has: (_, key) => key in real(),
    ownKeys: () => (real(), Reflect.ownKeys(target)),
    getOwnPropertyDescriptor: (_, key) => (real(), Reflect.getOwnPropertyDescriptor(target, key)),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
}

function bundleInfo() {
  const stat = statSync(bundle);
  const meta = JSON.parse(readFileSync(`${bundle}.json`, 'utf8'));
  if (meta.files?.['main.cjs']?.size !== stat.size) throw new Error(`${bundle} does not match ${bundle}.json: run npm run build`);
  return { stat, meta };
}

function buildCacheFile(meta, name) {
  return join(bundleDir, `${name}.${process.arch}-${process.version}-${meta.sha256.slice(0, 16)}.cache`);
}

/** One cache file per command and chunk (each holds the functions its runs compiled), or none without a home or cache directory. */
function userCachePlace(stat, meta, argv) {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : '');
  if (!base) return undefined;
  // The bundle's own hash, and a checksum of what else makes a cache foreign: 32 hex digits.
  const key = `${meta.sha256.slice(0, 24)}${checksum(JSON.stringify([stat.size, stat.mtimeMs, process.version, process.arch])).toString(16).padStart(8, '0')}`;
  const command = argv.find((a) => meta.commands.includes(a)) ?? 'other';
  return { key, file: (name) => join(base, 'chartctl', 'code-cache', `${key}-${command}-${name.replace(/\.cjs$/, '')}.bin`) };
}

/** The V8 payload of a cache file whose checksum matches, else undefined. */
function readCache(file) {
  let data;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  const payload = data.subarray(CHECKSUM_BYTES);
  return data.length > CHECKSUM_BYTES && checksum(payload) === data.readUInt32BE(0) ? payload : undefined;
}

/** Atomically: a private temp name, then rename. */
function writeCache(file, script, mode) {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    const payload = script.createCachedData();
    const header = Buffer.alloc(CHECKSUM_BYTES);
    header.writeUInt32BE(checksum(payload));
    writeFileSync(temp, Buffer.concat([header, payload]), { mode });
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

module.exports = { bundle, runBundle, writeBuildCache, lazyModule, LAZY_BUILTINS };
