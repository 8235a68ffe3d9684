import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitCli } from '../../src/adapters/git.js';

test('git actor: user.name <user.email> from one git process, the last value of a key winning; name or email alone; none', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-git-actor-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env });
  git('init', '-q');
  const actor = () => new GitCli(env).actor(dir);
  assert.equal(await actor(), undefined);
  git('config', 'user.email', 'ann@example.com');
  assert.equal(await actor(), '<ann@example.com>');
  git('config', 'user.name', 'Ann  Example');
  git('config', '--add', 'user.name', 'Ann Q. Example');
  assert.equal(await actor(), 'Ann Q. Example <ann@example.com>');
  git('config', '--unset', 'user.email');
  assert.equal(await actor(), 'Ann Q. Example');
});
