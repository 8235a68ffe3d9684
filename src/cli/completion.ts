import type { Command, Option } from 'commander';

/**
 * Shell completion scripts generated from the commander program, so they list exactly the
 * commands and options `--help` does. Environment names are read from environments/*.yaml
 * (of --cwd when given) by the shell function at completion time: nothing of chartctl runs
 * on TAB, which keeps it instant.
 */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

interface CommandShape {
  path: string[];
  description: string;
  options: Option[];
  takesEnvironment: boolean;
  subcommands: CommandShape[];
}

function visible(c: Command): boolean {
  return !(c as unknown as { _hidden?: boolean })._hidden;
}

function shape(c: Command, parent: string[]): CommandShape {
  const path = [...parent, c.name()];
  return {
    path,
    description: c.description().split('\n')[0] ?? '',
    options: c.options.filter((o) => !o.hidden),
    takesEnvironment: /^env/.test(c.registeredArguments[0]?.name() ?? ''),
    subcommands: c.commands.filter(visible).map((s) => shape(s, path)),
  };
}

function flagsOf(options: readonly Option[]): string[] {
  return options.flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f)));
}

/** Options taking a value: the word after them is not a command name. */
function valueFlags(options: readonly Option[]): string[] {
  return flagsOf(options.filter((o) => o.required || o.optional));
}

export function completionScript(program: Command, shell: CompletionShell): string {
  const root: CommandShape = { ...shape(program, []), path: [], subcommands: program.commands.filter(visible).map((c) => shape(c, [])) };
  if (shell === 'fish') return fishScript(program, root);
  const bash = bashScript(root, flagsOf(root.options), valueFlags(program.options));
  // zsh runs the same function through its bash completion layer.
  return shell === 'zsh' ? `#compdef chartctl\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n${bash}` : bash;
}

function bashCase(c: CommandShape, globals: string[]): string[] {
  const options = [...flagsOf(c.options), ...globals].join(' ');
  const key = c.path.join(' ');
  if (c.subcommands.length > 0) {
    return [`    '${key}') words="${c.subcommands.map((s) => s.path.at(-1)).join(' ')} ${options}" ;;`, ...c.subcommands.flatMap((s) => bashCase(s, globals))];
  }
  const operands = c.takesEnvironment ? ' $(_chartctl_environments "$dir")' : '';
  return [`    '${key}') if [[ "$cur" == -* ]]; then words="${options}"; else words="${operands.trim()}"; fi ;;`];
}

function bashScript(root: CommandShape, globals: string[], globalValueFlags: string[]): string {
  return `# chartctl completion for bash: eval "$(chartctl completion bash)" (e.g. in ~/.bashrc)
_chartctl_environments() {
  local f
  for f in "$1"/environments/*.yaml "$1"/environments/*.yml; do
    [[ -f "$f" ]] || continue
    f="\${f##*/}"
    printf '%s\\n' "\${f%.*}"
  done
}
_chartctl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" dir=. seen="" words="" i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      --cwd) dir="\${COMP_WORDS[i + 1]}"; i=$((i + 1)) ;;
      --cwd=*) dir="\${w#--cwd=}" ;;
      ${globalValueFlags.filter((f) => f !== '--cwd').join('|')}) i=$((i + 1)) ;;
      -*) ;;
      *) case " $(_chartctl_words "$seen") " in *" $w "*) seen="\${seen:+$seen }$w" ;; esac ;;
    esac
  done
  # "seen": the command words typed so far ("repo list"); "path" would be zsh's $PATH array.
  case "$seen" in
    '') words="${root.subcommands.map((s) => s.path[0]).join(' ')} ${globals.join(' ')}" ;;
${root.subcommands.flatMap((s) => bashCase(s, globals)).join('\n')}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
# The subcommand names under the command words given ('' for the top level), to tell them from operands.
_chartctl_words() {
  case "$1" in
    '') echo "${root.subcommands.map((s) => s.path[0]).join(' ')}" ;;
${allCommands(root)
  .filter((c) => c.subcommands.length > 0)
  .map((c) => `    '${c.path.join(' ')}') echo "${c.subcommands.map((s) => s.path.at(-1)).join(' ')}" ;;`)
  .join('\n')}
  esac
}
complete -F _chartctl chartctl
`;
}

function allCommands(c: CommandShape): CommandShape[] {
  return [c, ...c.subcommands.flatMap(allCommands)];
}

const fishQuote = (s: string) => `'${s.replace(/[\\']/g, (m) => `\\${m}`)}'`;

function fishOption(o: Option, condition: string): string {
  const parts = ['complete -c chartctl'];
  if (condition) parts.push(`-n ${fishQuote(condition)}`);
  if (o.short) parts.push(`-s ${o.short.slice(1)}`);
  if (o.long) parts.push(`-l ${o.long.slice(2)}`);
  if (o.required || o.optional) parts.push('-r');
  parts.push(`-d ${fishQuote(o.description.split('\n')[0]!.slice(0, 80))}`);
  return parts.join(' ');
}

function fishScript(program: Command, root: CommandShape): string {
  const lines = [
    '# chartctl completion for fish: chartctl completion fish > ~/.config/fish/completions/chartctl.fish',
    'function __chartctl_environments',
    '    set -l dir .',
    '    set -l words (commandline -opc)',
    '    for i in (seq (count $words))',
    '        if test "$words[$i]" = --cwd; and test $i -lt (count $words)',
    '            set dir $words[(math $i + 1)]',
    '        end',
    '    end',
    '    for f in $dir/environments/*.yaml $dir/environments/*.yml',
    "        basename $f | string replace -r '\\.ya?ml$' ''",
    '    end',
    'end',
    'complete -c chartctl -f',
    ...program.options.filter((o) => !o.hidden).map((o) => fishOption(o, '')),
  ];
  for (const c of root.subcommands) lines.push(`complete -c chartctl -n '__fish_use_subcommand' -a ${c.path[0]} -d ${fishQuote(c.description.slice(0, 80))}`);
  for (const c of allCommands(root).filter((x) => x.path.length > 0)) {
    const seen = `__fish_seen_subcommand_from ${c.path.at(-1)}`;
    const condition = c.path.length > 1 ? `__fish_seen_subcommand_from ${c.path[0]}; and ${seen}` : seen;
    for (const o of c.options) lines.push(fishOption(o, condition));
    if (c.takesEnvironment) lines.push(`complete -c chartctl -n ${fishQuote(condition)} -a '(__chartctl_environments)'`);
    const subNames = c.subcommands.map((s) => s.path.at(-1)!);
    for (const s of c.subcommands) {
      lines.push(`complete -c chartctl -n ${fishQuote(`${condition}; and not __fish_seen_subcommand_from ${subNames.join(' ')}`)} -a ${s.path.at(-1)} -d ${fishQuote(s.description.slice(0, 80))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
