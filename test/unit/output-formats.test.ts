import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { commands } from '../../src/cli/commands/index.js';
import { OUTPUT_FORMATS, type CliContext } from '../../src/cli/context.js';
import { COMMAND_FORMATS, checkOutputFormat, commandPath } from '../../src/cli/output-formats.js';
import { ChartctlError } from '../../src/core/errors.js';

/** Every command a user can run: the leaves of the registered command tree. */
function registeredCommands(): string[] {
  const program = new Command('chartctl');
  const ctx: CliContext = { run: async () => undefined };
  for (const register of commands) register(program, ctx);
  const leaves: string[] = [];
  const walk = (c: Command) => (c.commands.length ? c.commands.forEach(walk) : leaves.push(commandPath(c)));
  program.commands.forEach(walk);
  return leaves;
}

test("every command's --output list: declared, text and json included, and every other format refused as a usage error", () => {
  const registered = registeredCommands();
  assert.ok(registered.length >= 20 && registered.includes('repo list') && registered.includes('diff'), registered.join(', '));
  assert.deepEqual([...registered].sort(), Object.keys(COMMAND_FORMATS).sort(), 'COMMAND_FORMATS names exactly the registered commands');
  for (const path of registered) {
    const supported = COMMAND_FORMATS[path]!;
    assert.ok(supported.includes('text') && supported.includes('json'), `${path}: ${supported.join(',')}`);
    for (const format of supported) assert.equal(checkOutputFormat(path, format), format);
    for (const format of OUTPUT_FORMATS.filter((f) => !supported.includes(f))) {
      assert.throws(
        () => checkOutputFormat(path, format),
        (e: unknown) => e instanceof ChartctlError && e.code === 'USAGE' && e.exitCode === 1 && e.message.includes(`has no --output ${format}`) && e.message.includes(supported.join(', ')),
        `${path} --output ${format}`,
      );
    }
  }
});

test('the formats the issue names are where they exist: markdown for diff and lint, matrix for envs, junit and tap for validate', () => {
  assert.deepEqual(COMMAND_FORMATS.diff, ['text', 'json', 'markdown']);
  assert.deepEqual(COMMAND_FORMATS.lint, ['text', 'json', 'markdown']);
  assert.deepEqual(COMMAND_FORMATS.envs, ['text', 'json', 'matrix']);
  assert.ok(COMMAND_FORMATS.validate!.includes('junit') && COMMAND_FORMATS.validate!.includes('tap'));
  assert.ok(!COMMAND_FORMATS.deploy!.includes('markdown'));
});
