/**
 * `chartctl completion bash|zsh|fish` (issue #19): the bash script is driven the way bash
 * drives it on TAB (COMP_WORDS/COMP_CWORD), in the example application's directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot, runCli } from '../support/project.js';

const hasShell = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;

async function script(shell: string): Promise<string> {
  const r = await runCli(['completion', shell]);
  assert.equal(r.exitCode, 0, r.stderr);
  return r.stdout;
}

/** What bash would offer for the words typed so far (the last one is being completed). */
function complete(bashScript: string, words: string[], cwd = projectRoot): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-completion-'));
  try {
    writeFileSync(join(dir, 'chartctl.bash'), bashScript);
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const out = execFileSync('bash', ['-c', `source "$1"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _chartctl; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', join(dir, 'chartctl.bash')], { cwd, encoding: 'utf8' });
    return out.split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('completion bash: valid bash; commands, subcommands, options and environment names', async () => {
  const bash = await script('bash');
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-completion-'));
  try {
    writeFileSync(join(dir, 'c.bash'), bash);
    assert.equal(spawnSync('bash', ['-n', join(dir, 'c.bash')]).status, 0, 'bash -n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(complete(bash, ['chartctl', 'de']), ['deploy']);
  assert.deepEqual(complete(bash, ['chartctl', 'diff', '']), ['dev', 'prod', 'staging']);
  assert.deepEqual(complete(bash, ['chartctl', 'deploy', 'prod', '--kube']), ['--kube-context']);
  assert.deepEqual(complete(bash, ['chartctl', 'template', 'dev', '--set-']), ['--set-string', '--set-json', '--set-file']);
  assert.deepEqual(complete(bash, ['chartctl', 'repo', 'v']), ['verify']);
  assert.ok(complete(bash, ['chartctl', '--output', 'json', 'secrets', '']).includes('edit'), 'a global flag value is not taken for the command');
  // Environments of --cwd, not of the shell's directory.
  assert.deepEqual(complete(bash, ['chartctl', '--cwd', projectRoot, 'status', 'st'], tmpdir()), ['staging']);
  assert.deepEqual(complete(bash, ['chartctl', 'status', ''], tmpdir()), []);
});

test('completion zsh: valid zsh, completing with the same function', { skip: !hasShell('zsh') && 'zsh is not installed' }, async () => {
  const zsh = await script('zsh');
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-completion-'));
  try {
    writeFileSync(join(dir, '_chartctl'), zsh);
    assert.equal(spawnSync('zsh', ['-n', join(dir, '_chartctl')]).status, 0, 'zsh -n');
    const r = spawnSync('zsh', ['-c', // zsh's bashcompinit runs the function under sh emulation (0-based arrays), as here.
      `source "$1"; t() { emulate -L sh; setopt kshglob noshglob braceexpand; COMP_WORDS=(chartctl diff ''); COMP_CWORD=2; _chartctl; printf '%s\\n' "\${COMPREPLY[@]}"; }; t`, 'zsh', join(dir, '_chartctl')], {
      cwd: projectRoot,
      encoding: 'utf8',
      // compinit writes its dump file under $HOME.
      env: { ...process.env, HOME: dir, ZDOTDIR: dir },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter(Boolean), ['dev', 'prod', 'staging']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('completion fish: valid fish, completing commands and environment names', { skip: !hasShell('fish') && 'fish is not installed' }, async () => {
  const fish = await script('fish');
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-completion-'));
  try {
    writeFileSync(join(dir, 'chartctl.fish'), fish);
    assert.equal(spawnSync('fish', ['--no-execute', join(dir, 'chartctl.fish')]).status, 0, 'fish --no-execute');
    const ask = (line: string) =>
      spawnSync('fish', ['-c', `source $argv[1]; complete -C '${line}'`, join(dir, 'chartctl.fish')], { cwd: projectRoot, encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
    assert.ok(ask('chartctl de').includes('deploy'));
    assert.deepEqual(ask('chartctl diff '), ['dev', 'prod', 'staging']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
