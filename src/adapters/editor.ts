import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { ChartctlError } from '../core/errors.js';

/** The user's text editor, for `chartctl secrets edit`. */
export interface Editor {
  /** Opens `path` and resolves when the editor exits successfully. */
  edit(path: string, signal: AbortSignal): Promise<void>;
  /** After an edit that does not parse: whether to reopen the editor (never asks without a terminal). */
  retry(problem: string): Promise<boolean>;
}

/**
 * Splits an editor command like a POSIX shell would split words (quotes and
 * backslashes), so `EDITOR="code --wait"` works without running a shell.
 */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) current += command[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      current += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** SOPS_EDITOR, then EDITOR, then VISUAL, then the first of vim, nano, vi on PATH (as sops does). */
export function editorCommand(env: NodeJS.ProcessEnv): string[] {
  for (const name of ['SOPS_EDITOR', 'EDITOR', 'VISUAL']) {
    const value = env[name]?.trim();
    if (value) return splitCommand(value);
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const candidate of ['vim', 'nano', 'vi']) {
    if (dirs.some((d) => existsSync(join(d, candidate)))) return [candidate];
  }
  throw new ChartctlError('No editor: SOPS_EDITOR, EDITOR and VISUAL are unset and none of vim, nano, vi is on PATH.', {
    code: 'EDITOR_NOT_FOUND',
    hint: 'Set EDITOR, e.g. EDITOR=nano or EDITOR="code --wait".',
  });
}

export class ProcessEditor implements Editor {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly interactive: boolean,
  ) {}

  async edit(path: string, signal: AbortSignal): Promise<void> {
    const [command, ...args] = editorCommand(this.env);
    const result = await execa(command!, [...args, path], { stdio: 'inherit', env: this.env, extendEnv: false, reject: false, cancelSignal: signal });
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new ChartctlError('Interrupted.', { code: 'INTERRUPTED', exitCode: 130 });
    if ((result as { code?: string }).code === 'ENOENT') {
      throw new ChartctlError(`The editor "${command}" was not found.`, { code: 'EDITOR_NOT_FOUND', hint: 'Set EDITOR to an installed editor, e.g. EDITOR=nano.' });
    }
    if (result.exitCode !== 0) {
      throw new ChartctlError(`The editor "${command}" exited with ${result.exitCode === undefined ? `signal ${result.signal ?? 'unknown'}` : `code ${result.exitCode}`}; nothing was changed.`, {
        code: 'EDITOR_FAILED',
        hint: 'Save and quit the editor normally (e.g. :wq in vim) to keep your changes.',
      });
    }
  }

  async retry(problem: string): Promise<boolean> {
    if (!this.interactive) return false;
    process.stderr.write(`${problem}\nPress Enter to reopen the editor, or Ctrl+C to discard your changes. `);
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
    try {
      await new Promise<void>((done) => rl.once('line', () => done()).once('close', () => done()));
    } finally {
      rl.close();
    }
    return true;
  }
}
