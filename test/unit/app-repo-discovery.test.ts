import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverAppRepo } from '../../src/adapters/app-repo-discovery.js';
import { versionFlagAsCommand } from '../../src/cli/version-flag.js';

function tree(): { root: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'chartctl-discovery-'));
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

test('discovery: the nearest directory holding environments/, from any subdirectory, like git finds .git', () => {
  const { root, remove } = tree();
  try {
    const app = join(root, 'app');
    mkdirSync(join(app, 'environments'), { recursive: true });
    mkdirSync(join(app, 'charts', 'platform', 'templates'), { recursive: true });
    assert.deepEqual(discoverAppRepo(join(app, 'charts', 'platform', 'templates')), {
      root: app,
      searched: [join(app, 'charts', 'platform', 'templates'), join(app, 'charts', 'platform'), join(app, 'charts'), app],
    });
    assert.equal(discoverAppRepo(app).root, app);
  } finally {
    remove();
  }
});

test('discovery: stops at the top of a git work tree without environments/ (a nested checkout is its own project)', () => {
  const { root, remove } = tree();
  try {
    mkdirSync(join(root, 'environments'));
    const nested = join(root, 'vendor', 'other');
    mkdirSync(join(nested, '.git'), { recursive: true });
    mkdirSync(join(nested, 'src'));
    const found = discoverAppRepo(join(nested, 'src'));
    assert.equal(found.root, undefined);
    assert.deepEqual(found.searched, [join(nested, 'src'), nested]);
    // A git work tree that is the application repository is found as usual (a worktree's .git is a file).
    writeFileSync(join(root, '.git'), 'gitdir: elsewhere\n');
    assert.equal(discoverAppRepo(join(root, 'vendor')).root, root);
  } finally {
    remove();
  }
});

test('discovery: none found up to the filesystem root names every directory searched', () => {
  const { root, remove } = tree();
  try {
    const start = join(root, 'a', 'b');
    mkdirSync(start, { recursive: true });
    const found = discoverAppRepo(start);
    assert.equal(found.root, undefined);
    assert.equal(found.searched[0], start);
    assert.equal(found.searched.at(-1), '/');
  } finally {
    remove();
  }
});

test('--version and -V before any command are the version command; global options around them stay', () => {
  assert.deepEqual(versionFlagAsCommand(['--version']), ['version']);
  assert.deepEqual(versionFlagAsCommand(['-V']), ['version']);
  assert.deepEqual(versionFlagAsCommand(['--version', '--output', 'json']), ['version', '--output', 'json']);
  assert.deepEqual(versionFlagAsCommand(['--output', 'json', '--version']), ['--output', 'json', 'version']);
  // After a command (or as a value) it is that command's: `bump --version` is refused there, not swallowed.
  assert.deepEqual(versionFlagAsCommand(['package', '--version', 'prerelease']), ['package', '--version', 'prerelease']);
  assert.deepEqual(versionFlagAsCommand(['--cwd', '-V', 'lint']), ['--cwd', '-V', 'lint']);
});

test("discovery: a parent's environments/ owned by another user is not used (like git's safe.directory); the start directory is", () => {
  const { root, remove } = tree();
  try {
    mkdirSync(join(root, 'environments'));
    mkdirSync(join(root, 'x'));
    const someoneElse = (process.getuid?.() ?? 0) + 1;
    const found = discoverAppRepo(join(root, 'x'), someoneElse);
    assert.equal(found.root, undefined);
    assert.deepEqual(found.foreign, { dir: root, uid: process.getuid?.() });
    // Named explicitly (--cwd DIR or the current directory), it is the user's choice.
    assert.equal(discoverAppRepo(root, someoneElse).root, root);
  } finally {
    remove();
  }
});
