import type { Command } from 'commander';
import type { Deps } from '../actions/deps.js';
import type { Output } from './output.js';
import type { CommandLineValues } from '../actions/steps/values.js';

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
  /** Arguments after `--` (template, lint, diff, deploy), appended to helm's argv; checked by main. */
  helmArgs: string[];
}

/** `--kube-context` of the commands that reach a cluster; it replaces the environment file's kubeContext. */
export const KUBE_CONTEXT_HELP = "kubeconfig context to use instead of the environment file's kubeContext";

/** Help text of the values flags shared by template, lint, diff and deploy. */
export const VALUES_FLAGS_HELP = `
Values layering (lowest to highest): chart defaults < environment "values" files in order
< decrypted "secrets" files < -f/--values files < --set-json < --set < --set-string < --set-file
(helm's own order; see README "Values layering"). Arguments after "--" are appended to the helm
command chartctl runs (e.g. -- --post-renderer ./kustomize.sh); flags chartctl sets itself
(--namespace, --kube-context, --values, --set*, --version, --kube-version, ...) are refused there.`;

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

export interface ValuesFlags {
  values?: string[];
  set?: string[];
  setString?: string[];
  setJson?: string[];
  setFile?: string[];
}

/** helm's values flags (pkg/cli/values/options.go), with helm's names and short -f. */
export function addValuesOptions(command: Command): Command {
  return command
    .option('-f, --values <file>', 'extra values file, above the environment files and secrets (repeatable)', repeat)
    .option('--set <key=value>', 'set a value (repeatable; after --set-json, before --set-string, as in helm)', repeat)
    .option('--set-string <key=value>', 'set a value, always as a string (repeatable)', repeat)
    .option('--set-json <key=json>', 'set a value from JSON (repeatable)', repeat)
    .option('--set-file <key=path>', "set a value to a file's content (repeatable; path from --cwd)", repeat);
}

/** The values flags and the arguments after `--`, as the actions take them. */
export function commandLineValues(flags: ValuesFlags, globals: GlobalOptions): CommandLineValues {
  return { valuesFiles: flags.values, set: flags.set, setString: flags.setString, setJson: flags.setJson, setFile: flags.setFile, helmArgs: globals.helmArgs };
}
