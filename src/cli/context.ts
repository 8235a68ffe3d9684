import type { Command } from 'commander';
import type { Deps } from '../actions/deps.js';
import type { Output } from './output.js';

/** junit, tap and kubeconform's own formats are rendered by the command that supports them (validate); Output itself is text or json. */
export const OUTPUT_FORMATS = ['text', 'json', 'junit', 'tap', 'pretty', 'kubeconform', 'kubeconform-json'] as const;

export interface GlobalOptions {
  cwd: string;
  output: (typeof OUTPUT_FORMATS)[number];
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
