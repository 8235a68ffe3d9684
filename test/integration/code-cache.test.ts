/**
 * bin/chartctl.js compiles the bundle with a V8 code cache under the user cache directory:
 * written after a run, one per command, and never a risk: a corrupt or foreign cache file
 * changes nothing in what the command does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot, runCli } from '../support/project.js';


function withCacheHome(): { home: string; dir: string; remove: () => void } {
  const home = mkdtempSync(join(tmpdir(), 'chartctl-code-cache-'));
  return { home, dir: join(home, 'chartctl', 'code-cache'), remove: () => rmSync(home, { recursive: true, force: true }) };
}

test('a run writes a private code cache per command; the next run of that command uses it and gives the same output', async () => {
  const cache = withCacheHome();
  try {
    const first = await runCli(['envs'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(first.exitCode, 0, first.stderr);
    const files = readdirSync(cache.dir);
    assert.equal(files.length, 1, files.join(', '));
    assert.match(files[0]!, /^[0-9a-f]{32}-envs\.bin$/);
    assert.equal(statSync(join(cache.dir, files[0]!)).mode & 0o777, 0o600);
    assert.equal(statSync(cache.dir).mode & 0o777, 0o700);
    const written = statSync(join(cache.dir, files[0]!)).mtimeMs;

    const second = await runCli(['envs'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(second.exitCode, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    // Accepted by V8, so not written again.
    assert.equal(statSync(join(cache.dir, files[0]!)).mtimeMs, written);

    const help = await runCli(['--help'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(help.exitCode, 0, help.stderr);
    assert.deepEqual(readdirSync(cache.dir).map((f) => f.slice(33)).sort(), ['envs.bin', 'other.bin']);
  } finally {
    cache.remove();
  }
});

test('a corrupt cache file is refused and replaced; the command still does exactly what it does without one', async () => {
  const cache = withCacheHome();
  try {
    const clean = await runCli(['envs', '--output', 'json'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(clean.exitCode, 0, clean.stderr);
    const [file] = readdirSync(cache.dir);
    const path = join(cache.dir, file!);
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
    const stale = join(cache.dir, `${'0'.repeat(32)}-envs.bin`);
    writeFileSync(stale, 'from an older bundle');
    const run = await runCli(['envs'], { env: { XDG_CACHE_HOME: cache.home } });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(existsSync(stale), false);
    assert.equal(readdirSync(cache.dir).length, 2);

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

test("the build leaves a code cache for the Node that built it next to the bundle, readable by every user", () => {
  const dir = join(projectRoot, 'dist', 'bundle');
  const meta = JSON.parse(readFileSync(join(dir, 'main.cjs.json'), 'utf8')) as { sha256: string };
  const file = join(dir, `main.cjs.${process.arch}-${process.version}-${meta.sha256.slice(0, 16)}.cache`);
  assert.ok(existsSync(file), `${file} is missing`);
  assert.equal(statSync(file).mode & 0o777, 0o644);
  assert.ok(statSync(file).size > 100_000, 'holds the compiled start-up of the bundle');
});
