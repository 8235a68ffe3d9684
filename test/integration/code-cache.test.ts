/**
 * bin/chartctl.js runs the bundle's files (scripts/bundle.mjs: main.cjs holds main and every chunk it
 * imports statically, each other chunk is a file) with a V8 code cache per file under the user cache
 * directory: written after a run, one per command and file loaded, and never a risk: a corrupt or
 * foreign cache file changes nothing in what the command does. The files a run writes also show
 * which files it loaded: a command loads its own module graph, not the others'.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleApp, projectRoot, runCli } from '../support/project.js';

const bundleDir = join(projectRoot, 'dist', 'bundle');
const meta = JSON.parse(readFileSync(join(bundleDir, 'main.cjs.json'), 'utf8')) as { sha256: string; files: Record<string, { size: number }> };

function withCacheHome(): { home: string; dir: string; remove: () => void } {
  const home = mkdtempSync(join(tmpdir(), 'chartctl-code-cache-'));
  return { home, dir: join(home, 'chartctl', 'code-cache'), remove: () => rmSync(home, { recursive: true, force: true }) };
}

/** The files a command's run loaded, read from the cache files it wrote (<key>-<command>-<file>.bin). */
function chunksLoaded(dir: string, command: string): string[] {
  return readdirSync(dir)
    .map((f) => new RegExp(`^[0-9a-f]{32}-${command}-(main|cli-[A-Z0-9]+|lazy-[a-z0-9-]+)\\.bin$`).exec(f)?.[1])
    .filter((c): c is string => c !== undefined)
    .map((c) => `${c}.cjs`);
}

/** The files whose source defines `marker` (a class of a package, e.g. the AWS SDK's S3Client). */
function chunksDefining(marker: string): string[] {
  const found = Object.keys(meta.files).filter((c) => readFileSync(join(bundleDir, c), 'latin1').includes(marker));
  assert.ok(found.length > 0, `no chunk defines ${marker}: the marker is out of date`);
  return found;
}

test('a run writes a private code cache per command and file; the next run of that command uses them and gives the same output', async () => {
  const cache = withCacheHome();
  try {
    const first = await runCli(['envs'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(first.exitCode, 0, first.stderr);
    const files = readdirSync(cache.dir);
    assert.ok(chunksLoaded(cache.dir, 'envs').includes('main.cjs'), files.join(', '));
    assert.equal(chunksLoaded(cache.dir, 'envs').length, files.length, files.join(', '));
    for (const f of files) assert.equal(statSync(join(cache.dir, f)).mode & 0o777, 0o600, f);
    assert.equal(statSync(cache.dir).mode & 0o777, 0o700);
    const written = files.map((f) => statSync(join(cache.dir, f)).mtimeMs);

    const second = await runCli(['envs'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(second.exitCode, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    // Accepted by V8, so not written again.
    assert.deepEqual(files.map((f) => statSync(join(cache.dir, f)).mtimeMs), written);

    const help = await runCli(['--help'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(help.exitCode, 0, help.stderr);
    assert.ok(chunksLoaded(cache.dir, 'other').includes('main.cjs'));
    assert.equal(readdirSync(cache.dir).length, files.length + chunksLoaded(cache.dir, 'other').length);
  } finally {
    cache.remove();
  }
});

test('--help, envs and template load neither the AWS SDK nor sops\'s KMS client: those chunks are left unread', async () => {
  const cache = withCacheHome();
  try {
    const sdk = [...chunksDefining('S3Client=class'), ...chunksDefining('KMSClient=class')];
    for (const [args, command] of [[['--help'], 'other'], [['envs'], 'envs'], [['template', 'dev'], 'template']] as const) {
      const run = await runCli([...args], { env: { XDG_CACHE_HOME: cache.home } });
      assert.equal(run.exitCode, 0, run.stderr);
      const loaded = chunksLoaded(cache.dir, command);
      assert.ok(loaded.includes('main.cjs'), `${command}: ${loaded.join(', ')}`);
      assert.deepEqual(loaded.filter((c) => sdk.includes(c)), [], `${args.join(' ')} loaded the AWS SDK`);
    }
    // The same chunks are what a command that reaches S3 does load.
    const repo = await runCli(['repo', 'list', 'dev'], { env: { XDG_CACHE_HOME: cache.home, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' } });
    assert.ok(chunksLoaded(cache.dir, 'repo').some((c) => sdk.includes(c)), repo.stderr);
  } finally {
    cache.remove();
  }
});

test('--help reads none of the packages that modules of its static graph require lazily (ajv, yaml, re2js); lint dev does read ajv (the chart\'s values.schema.json)', async () => {
  const cache = withCacheHome();
  try {
    const lazy = [...chunksDefining('Ajv=class'), ...chunksDefining('Composer=class'), ...chunksDefining('RE2JS=class')];
    const help = await runCli(['--help'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(help.exitCode, 0, help.stderr);
    const loaded = chunksLoaded(cache.dir, 'other');
    assert.ok(loaded.includes('main.cjs'), loaded.join(', '));
    assert.deepEqual(loaded.filter((c) => lazy.includes(c)), [], `--help read ${loaded.join(', ')}`);
    const lint = await runCli(['lint', 'dev'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(lint.exitCode, 0, lint.stderr);
    assert.ok(chunksLoaded(cache.dir, 'lint').some((c) => lazy.includes(c)), 'lint dev compiles the chart\'s values schema with ajv: the markers are out of date');
  } finally {
    cache.remove();
  }
});

test('publish --package to a plain-HTTP registry reads the archive without pako (zlib inflates it) and loads no TLS; package deflates with the WebAssembly zlib, without pako either', async () => {
  const cache = withCacheHome();
  const app = copyExampleApp();
  try {
    const pako = chunksDefining('Nodeca project');
    const packaged = await runCli(['--cwd', app.dir, 'package', '--destination', join(cache.home, 'out'), '--output', 'json'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(packaged.exitCode, 0, packaged.stderr);
    // "AGFzbQEA" is the WebAssembly magic number and version in base64: the chunk that carries zlib's deflate.
    const packageChunks = chunksLoaded(cache.dir, 'package');
    assert.ok(packageChunks.some((c) => chunksDefining('AGFzbQEA').includes(c)), packageChunks.join(', '));
    assert.deepEqual(packageChunks.filter((c) => pako.includes(c)), [], 'package deflates without pako');
    const dev = readFileSync(join(app.dir, 'environments', 'dev.yaml'), 'utf8');
    // Nothing listens on port 9: the archive is read and checked, then the registry is unreachable.
    writeFileSync(join(app.dir, 'environments', 'oci.yaml'), dev.replace(/repository:\n(  .*\n)+/, 'repository:\n  url: oci://127.0.0.1:9/charts\n  plainHttp: true\n'));
    const publish = ['--cwd', app.dir, 'publish', 'oci', '--package', (JSON.parse(packaged.stdout) as { file: string }).file];
    const published = await runCli(publish, { env: { XDG_CACHE_HOME: cache.home } });
    assert.match(published.stderr, /Cannot reach the oci registry 127\.0\.0\.1:9/);
    const loaded = chunksLoaded(cache.dir, 'publish');
    assert.ok(loaded.includes('main.cjs'), loaded.join(', '));
    assert.deepEqual(loaded.filter((c) => pako.includes(c)), [], `publish read ${loaded.join(', ')}`);
    // A plain-HTTP registry needs node:http, not node:https and node:tls.
    const builtins = await builtinsLoaded(publish, cache.home, 1);
    assert.ok(builtins.includes('http'), builtins.join(', '));
    assert.deepEqual(['https', 'tls'].filter((m) => builtins.includes(m)), []);
  } finally {
    app.remove();
    cache.remove();
  }
});

test('--help reads one file, main.cjs, which holds main and every chunk it imports statically', async () => {
  const cache = withCacheHome();
  try {
    const help = await runCli(['--help'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(help.exitCode, 0, help.stderr);
    assert.deepEqual(chunksLoaded(cache.dir, 'other'), ['main.cjs']);
  } finally {
    cache.remove();
  }
});

test('a corrupt cache file is refused and replaced; the command still does exactly what it does without one', async () => {
  const cache = withCacheHome();
  try {
    const clean = await runCli(['envs', '--output', 'json'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(clean.exitCode, 0, clean.stderr);
    const file = readdirSync(cache.dir).find((f) => f.endsWith('-envs-main.bin'));
    assert.ok(file, readdirSync(cache.dir).join(', '));
    const path = join(cache.dir, file);
    const good = readFileSync(path);
    // Same length, flipped bytes in the middle: V8's own checks must refuse it.
    const bad = Buffer.from(good);
    for (let i = bad.length >> 1; i < (bad.length >> 1) + 4096 && i < bad.length; i++) bad[i] = bad[i]! ^ 0xff;
    writeFileSync(path, bad);
    const run = await runCli(['envs', '--output', 'json'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, clean.stdout);
    assert.equal(run.stderr, clean.stderr);
    assert.notDeepEqual(readFileSync(path), bad, 'the refused cache was rewritten');

    writeFileSync(path, 'not a code cache');
    const again = await runCli(['envs', '--output', 'json'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(again.exitCode, 0, again.stderr);
    assert.equal(again.stdout, clean.stdout);
  } finally {
    cache.remove();
  }
});

test("caches of another bundle or Node version are removed when a new one is written; an unwritable cache directory costs nothing but speed", async () => {
  const cache = withCacheHome();
  try {
    const first = await runCli(['--help'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(first.exitCode, 0, first.stderr);
    const stale = join(cache.dir, `${'0'.repeat(32)}-envs-main.bin`);
    writeFileSync(stale, 'from an older bundle');
    // A run that finds all of its caches writes none and reads no directory.
    const again = await runCli(['--help'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(again.exitCode, 0, again.stderr);
    assert.equal(existsSync(stale), true);
    const run = await runCli(['envs'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(existsSync(stale), false);
    assert.equal(readdirSync(cache.dir).length, chunksLoaded(cache.dir, 'other').length + chunksLoaded(cache.dir, 'envs').length);

    // XDG_CACHE_HOME is a file: no cache can be written, the command is unaffected.
    const blocked = join(cache.home, 'a-file');
    writeFileSync(blocked, '');
    const noCache = await runCli(['envs'], { env: { XDG_CACHE_HOME: blocked } });
    assert.equal(noCache.exitCode, 0, noCache.stderr);
    assert.equal(noCache.stdout, run.stdout);
    assert.equal(noCache.stderr, run.stderr);
  } finally {
    cache.remove();
  }
});

test("the build leaves a code cache per file for the Node that built it next to the bundle, readable by every user", () => {
  for (const chunk of Object.keys(meta.files)) {
    const file = join(bundleDir, `${chunk}.${process.arch}-${process.version}-${meta.sha256.slice(0, 16)}.cache`);
    assert.ok(existsSync(file), `${file} is missing`);
    assert.equal(statSync(file).mode & 0o777, 0o644);
  }
  const main = join(bundleDir, `main.cjs.${process.arch}-${process.version}-${meta.sha256.slice(0, 16)}.cache`);
  assert.ok(statSync(main).size > 20_000, 'holds the compiled start-up of main.cjs');
});

/** Node's modules a run of chartctl loaded, from process.moduleLoadList at exit (a preload the test writes). */
async function builtinsLoaded(args: string[], home: string, exitCode = 0): Promise<string[]> {
  const preload = join(home, 'report-builtins.cjs');
  const report = join(home, 'builtins.json');
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify(process.moduleLoadList)));`);
  const run = await runCli(args, { env: { XDG_CACHE_HOME: home, NODE_OPTIONS: `--require ${preload}` } });
  assert.equal(run.exitCode, exitCode, run.stderr);
  return (JSON.parse(readFileSync(report, 'utf8')) as string[]).filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
}

test("--help and envs load none of Node's modules that only some commands use (crypto, child_process, readline, dns); template dev does load them when it uses them", async () => {
  const cache = withCacheHome();
  try {
    const costly = ['crypto', 'child_process', 'readline/promises', 'timers/promises', 'http', 'dns'];
    for (const args of [['--help'], ['envs']]) {
      const loaded = await builtinsLoaded(args, cache.home);
      assert.ok(loaded.includes('vm'), `the report is out of date: ${loaded.join(', ')}`);
      assert.deepEqual(costly.filter((m) => loaded.includes(m)), [], `${args.join(' ')} loaded them`);
    }
    assert.equal((await builtinsLoaded(['--help'], cache.home)).includes('fs/promises'), false);
    // sops's MAC (crypto) and helm (child_process).
    const template = await builtinsLoaded(['template', 'dev'], cache.home);
    assert.deepEqual(['crypto', 'child_process'].filter((m) => !template.includes(m)), []);
  } finally {
    cache.remove();
  }
});
