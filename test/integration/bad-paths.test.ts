import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyExampleApp, runCli } from '../support/project.js';

// Every user-supplied path that is not a readable regular file is one clear refusal, never "unexpected internal error".
let app: ReturnType<typeof copyExampleApp>;
before(() => {
  app = copyExampleApp();
  mkdirSync(join(app.dir, 'a-directory.yaml'));
  writeFileSync(join(app.dir, 'unreadable.yaml'), 'a: 1\n');
  chmodSync(join(app.dir, 'unreadable.yaml'), 0o000);
  execFileSync('mkfifo', [join(app.dir, 'pipe.yaml')]);
});
after(() => app.remove());

/** Root ignores mode bits, so an unreadable file cannot be made for it. */
const asRoot = process.getuid?.() === 0;
const ROOT_SKIP = 'running as root: root reads files whatever their mode, so "permission denied" cannot be produced';

// A hang or a 2 GiB read of /dev/zero fails here instead of running for ever.
const cli = (args: string[]) => runCli(args, { cwd: app.dir, timeoutMs: 60_000 });

function assertRefused(r: { exitCode: number; stderr: string }, message: RegExp) {
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, message);
  assert.match(r.stderr, /^hint: /m);
  assert.doesNotMatch(r.stderr, /unexpected internal error/);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
}

const commands: { name: string; args: (path: string) => string[]; what: string; readsDirectories?: boolean }[] = [
  { name: 'template --values', args: (p) => ['template', 'dev', '--values', p], what: 'values file' },
  // validate -f walks a directory: that is input, not an error.
  { name: 'validate -f', args: (p) => ['validate', '-f', p, '--offline'], what: 'file', readsDirectories: true },
  { name: 'secrets decrypt', args: (p) => ['secrets', 'decrypt', p], what: 'secrets file' },
];

for (const command of commands) {
  if (!command.readsDirectories) {
    test(`${command.name}: a directory is refused as a directory`, async () => {
      assertRefused(await cli(command.args('a-directory.yaml')), new RegExp(`a-directory\\.yaml: ${command.what} is a directory, not a file\\.`));
    });
  }

  test(`${command.name}: /dev/zero is refused as a device, without reading it`, async () => {
    assertRefused(await cli(command.args('/dev/zero')), new RegExp(`/dev/zero: ${command.what} is not a regular file \\(it is a character device\\)\\.`));
  });

  test(`${command.name}: a named pipe is refused without waiting for a writer`, async () => {
    assertRefused(await cli(command.args('pipe.yaml')), new RegExp(`pipe\\.yaml: ${command.what} is not a regular file \\(it is a named pipe\\)\\.`));
  });

  test(`${command.name}: a missing file is named`, async () => {
    const expected = command.name === 'validate -f' ? /no-such\.yaml: no such file or directory\./ : new RegExp(`no-such\\.yaml: ${command.what} not found\\.`);
    assertRefused(await cli(command.args('no-such.yaml')), expected);
  });

  test(`${command.name}: an unreadable file says permission denied`, { skip: asRoot ? ROOT_SKIP : false }, async () => {
    assertRefused(await cli(command.args('unreadable.yaml')), new RegExp(`unreadable\\.yaml: ${command.what} cannot be read: permission denied\\.`));
  });
}

test('a values file listed in the environment file that is a directory names the environment file', async () => {
  const envFile = join(app.dir, 'environments', 'dev.yaml');
  const original = readFileSync(envFile, 'utf8');
  writeFileSync(envFile, original.replace('- environments/values/dev.yaml', '- a-directory.yaml'));
  try {
    assertRefused(await cli(['template', 'dev']), /a-directory\.yaml: values file is a directory, not a file \(listed under "values" in environments\/dev\.yaml\)\./);
  } finally {
    writeFileSync(envFile, original);
  }
});

test('a values file above 10 MiB is refused', async () => {
  const big = join(app.dir, 'big.yaml');
  writeFileSync(big, `a: "${'x'.repeat(10 * 1024 * 1024)}"\n`);
  assertRefused(await cli(['template', 'dev', '--values', 'big.yaml']), /big\.yaml: values file is larger than 10 MiB, the limit for a values file\./);
});

test('--cwd that is a file, --destination and --output-dir that are files', async () => {
  const file = join(app.dir, 'environments', 'dev.yaml');
  assertRefused(await runCli(['--cwd', file, 'envs']), /--cwd .*environments\/dev\.yaml: is not a directory\./);
  assertRefused(await cli(['package', '--destination', 'environments/dev.yaml']), /--destination environments\/dev\.yaml: exists and is not a directory\./);
  assertRefused(await cli(['template', 'dev', '--output-dir', 'environments/dev.yaml/out']), /--output-dir environments\/dev\.yaml\/out: a part of the path is a file, not a directory\./);
});
