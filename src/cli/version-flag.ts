/** Global options that take a value: the word after them is not a command. */
const VALUE_OPTIONS = new Set(['--cwd', '--output']);
const VERSION_FLAGS = new Set(['--version', '-V']);

/**
 * `chartctl --version` / `-V` (before any command) becomes `chartctl version`, so the flag and
 * the command (helm's spelling) print the same and honour `--output json` alike. Global
 * options after the flag stay (commander reads them after a command too); anything else is
 * the command's to refuse.
 */
export function versionFlagAsCommand(argv: string[]): string[] {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (VERSION_FLAGS.has(word)) return [...argv.slice(0, i), 'version', ...argv.slice(i + 1)];
    if (VALUE_OPTIONS.has(word)) i++;
    else if (!word.startsWith('-') || word === '--') return argv;
  }
  return argv;
}
