/**
 * helm users' argv habits that commander cannot express by itself, applied before parsing.
 */
export interface SplitArgv {
  /** What commander parses. */
  argv: string[];
  /** Everything after the first `--` of a command in HELM_PASSTHROUGH_COMMANDS: extra helm arguments. */
  helmArgs: string[];
}

/** Commands whose `--` hands the rest to helm (validate keeps `--` for file names, as kubeconform). */
export const HELM_PASSTHROUGH_COMMANDS = new Set(['template', 'lint', 'diff', 'deploy']);

/** Global options that take a value, so their value is not taken for the command name. */
const GLOBAL_WITH_VALUE = new Set(['--cwd', '--output', '-o']);

/**
 * Splits off the arguments after `--`, and keeps helm-diff's `-q` (= --suppress-secrets) on
 * `diff`: the global `-q/--quiet` would otherwise take it, and a helm-diff user's `-q` in CI
 * means "show less about Secrets" — hiding progress instead would show more than they asked.
 */
export function splitHelmHabits(given: string[]): SplitArgv {
  const command = commandName(given);
  const end = command && HELM_PASSTHROUGH_COMMANDS.has(command) ? given.indexOf('--') : -1;
  const argv = end === -1 ? [...given] : given.slice(0, end);
  const helmArgs = end === -1 ? [] : given.slice(end + 1);
  if (command === 'diff') {
    for (let i = 0; i < argv.length; i++) if (argv[i] === '-q') argv[i] = '--suppress-secrets';
  }
  return { argv, helmArgs };
}

function commandName(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (GLOBAL_WITH_VALUE.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}
