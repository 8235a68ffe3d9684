import type { Command } from 'commander';
import type { Deps } from '../actions/deps.js';
import type { Output } from './output.js';

/**
 * Every --output format of some command; which command renders which is declared in
 * output-formats.ts. Output itself is text or json: the others are rendered by the commands that list them.
 */
export const OUTPUT_FORMATS = ['text', 'json', 'markdown', 'matrix', 'junit', 'tap', 'pretty', 'kubeconform', 'kubeconform-json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface GlobalOptions {
  cwd: string;
  output: OutputFormat;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
}

/**
 * What a command file gets from main: `run` builds Deps and Output from the
 * global flags, calls the body, and turns its return value into the exit code.
 * Errors thrown by the body are printed by main only.
 */
export interface CliContext {
  run(command: Command, body: (deps: Deps, out: Output, globals: GlobalOptions) => Promise<number | void>, options?: { graceful?: boolean }): Promise<void>;
}

/**
 * Each file under cli/commands exports one of these. Command files import their
 * action with `await import()` inside the handler so that start-up only loads
 * what the invoked command needs (the AWS SDK alone would add ~100 ms to `template`).
 */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Parses a comma-separated or repeated flag into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** Repeated flag kept verbatim (values may contain commas, e.g. --set a={x,y}). */
export function repeat(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
