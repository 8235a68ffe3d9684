import type { Command } from 'commander';
import { ChartctlError } from '../core/errors.js';
import { OUTPUT_FORMATS, type OutputFormat } from './context.js';

const PLAIN: readonly OutputFormat[] = ['text', 'json'];

/**
 * The --output formats each command renders, keyed by its path ("repo list").
 * main refuses any other before the command runs, and a command missing here
 * fails the test that walks every registered command, so none silently falls back to text.
 */
export const COMMAND_FORMATS: Readonly<Record<string, readonly OutputFormat[]>> = {
  envs: ['text', 'json', 'matrix'],
  template: PLAIN,
  lint: ['text', 'json', 'markdown'],
  validate: ['text', 'json', 'junit', 'tap', 'pretty', 'kubeconform', 'kubeconform-json'],
  'set-image': PLAIN,
  bump: PLAIN,
  diff: ['text', 'json', 'markdown'],
  deploy: PLAIN,
  rollback: PLAIN,
  history: PLAIN,
  status: PLAIN,
  watch: PLAIN,
  package: PLAIN,
  publish: PLAIN,
  promote: PLAIN,
  'repo list': PLAIN,
  'repo verify': PLAIN,
  'repo reindex': PLAIN,
  'sandbox up': PLAIN,
  'sandbox down': PLAIN,
  'sandbox fault': PLAIN,
  'sandbox status': PLAIN,
  'secrets decrypt': PLAIN,
  'secrets encrypt': PLAIN,
  'secrets edit': PLAIN,
  'secrets rotate': PLAIN,
  'secrets updatekeys': PLAIN,
  'secrets check': PLAIN,
  init: PLAIN,
  version: PLAIN,
  completion: PLAIN,
};

/** "repo list" for `chartctl repo list`: the names below the program. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Refuses a format the command does not render (a usage error, exit 1) instead of printing text. */
export function checkOutputFormat(path: string, format: string): OutputFormat {
  const supported = COMMAND_FORMATS[path];
  if (!supported) throw new Error(`chartctl ${path} declares no --output formats in COMMAND_FORMATS`);
  if (!(supported as readonly string[]).includes(format)) {
    const known = (OUTPUT_FORMATS as readonly string[]).includes(format);
    throw new ChartctlError(`chartctl ${path} has no --output ${format}${known ? '' : ' (not a format chartctl knows)'}; it supports ${supported.join(', ')}.`, {
      code: 'USAGE',
      hint: `Use --output ${supported.join('|')}.`,
    });
  }
  return format as OutputFormat;
}
