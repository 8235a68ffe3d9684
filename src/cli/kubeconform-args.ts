import { ChartctlError } from '../core/errors.js';

/**
 * kubeconform's command line, spoken to `chartctl validate`: a CI script that runs
 * `kubeconform -summary -output json -kubernetes-version 1.33.0 manifests/` keeps
 * working with `kubeconform` replaced by `chartctl validate`. Go's flag package
 * takes `-flag`, `--flag`, `-flag value` and `-flag=value`; commander only takes
 * `--flag`, so the words after `validate` are rewritten before commander sees them.
 *
 * A single-dash long flag (`-summary`) is kubeconform's spelling and nobody else's,
 * so it also selects kubeconform's output: text and json then mean kubeconform's
 * text and JSON (`--output kubeconform` / `kubeconform-json`), as the script expects,
 * and no progress lines on stderr (`--quiet`); refusals and missing files are then
 * reported as kubeconform reports them (`--kubeconform-dialect`, a hidden option).
 */

/** kubeconform flag → chartctl flag; `null`: accepted and has no effect here (its value is dropped too). */
const VALUE_FLAGS: Record<string, string | null> = {
  'kubernetes-version': '--kube-version',
  'schema-location': '--schema-location',
  skip: '--skip',
  reject: '--reject',
  output: '--output',
  cache: '--cache',
  'ignore-filename-pattern': '--ignore-filename-pattern',
  // kubeconform's worker count; chartctl validates in one process, in input order.
  n: null,
};

const BOOLEAN_FLAGS: Record<string, string> = {
  summary: '--summary',
  strict: '--strict',
  'ignore-missing-schemas': '--ignore-missing-schemas',
  'insecure-skip-tls-verify': '--insecure-skip-tls-verify',
  'exit-on-error': '--exit-on-error',
  verbose: '--verbose',
};

/** kubeconform's flags that have no effect here (-debug: kubeconform's own tracing of schema downloads). */
const IGNORED_BOOLEAN_FLAGS = new Set(['debug']);

/** kubeconform's output names → chartctl's, once the command line is kubeconform's. */
const KUBECONFORM_OUTPUTS: Record<string, string> = { text: 'kubeconform', json: 'kubeconform-json' };

/** Global flags that take a value, so the command word can be found after them. */
const GLOBAL_VALUE_FLAGS = new Set(['--cwd', '--output', '-o']);

/** `argv` with a `validate` command's kubeconform flags in chartctl's spelling; any other command is returned as it is. */
export function translateKubeconformArgs(argv: readonly string[]): string[] {
  const at = commandIndex(argv);
  if (at < 0 || argv[at] !== 'validate') return [...argv];
  const out = argv.slice(0, at + 1);
  /** Positions in `out` of --output values, mapped to kubeconform's meaning at the end when the dialect is kubeconform's. */
  const outputValues: number[] = [];
  let dialect = false;
  for (let i = at + 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const m = /^(--?)([a-z][a-z-]*)(?:=(.*))?$/s.exec(word);
    if (!m) {
      out.push(word);
      continue;
    }
    const [, dashes, name, inline] = m as unknown as [string, string, string, string | undefined];
    const kubeconformSpelling =
      dashes === '-' && (name.length > 1 || name === 'n') && (Object.hasOwn(VALUE_FLAGS, name) || Object.hasOwn(BOOLEAN_FLAGS, name) || IGNORED_BOOLEAN_FLAGS.has(name));
    if (kubeconformSpelling) dialect = true;
    if (name === 'v' && (inline === undefined || inline === 'true')) {
      // kubeconform's -v: its version, nothing else (chartctl's validate has no -v of its own).
      dialect = true;
      out.push('--kubeconform-version');
      continue;
    }
    if (dashes === '-' && name.length > 1 && !kubeconformSpelling) {
      // Go's flag package would stop here: a single-dash word that is none of kubeconform's flags.
      dialect = true;
      out.push(`--kubeconform-unknown-flag=${word}`);
      continue;
    }
    if (IGNORED_BOOLEAN_FLAGS.has(name) && kubeconformSpelling) continue;
    if (Object.hasOwn(VALUE_FLAGS, name) && (kubeconformSpelling || name === 'kubernetes-version' || name === 'output')) {
      const target = VALUE_FLAGS[name];
      const value = inline ?? argv[++i];
      if (target === null || target === undefined) continue;
      out.push(target);
      if (value !== undefined) {
        if (name === 'output') outputValues.push(out.length);
        out.push(value);
      }
    } else if (kubeconformSpelling) {
      // Go's boolean flags also take -flag=true / -flag=false.
      if (inline === undefined || inline === 'true') out.push(BOOLEAN_FLAGS[name]!);
      else if (inline !== 'false') out.push(word); // commander refuses it, naming the flag
    } else {
      out.push(word);
    }
  }
  const globalOutput = argv.slice(0, at).some((a) => a === '--output' || a === '-o' || a.startsWith('--output=') || /^-o./.test(a));
  if (dialect) {
    for (const p of outputValues) if (Object.hasOwn(KUBECONFORM_OUTPUTS, out[p]!)) out[p] = KUBECONFORM_OUTPUTS[out[p]!]!;
    if (outputValues.length === 0 && !globalOutput) out.push('--output', 'kubeconform');
    // kubeconform prints nothing but its results; chartctl's progress lines would mix into them.
    out.push('--quiet', '--kubeconform-dialect');
  }
  return out;
}

/** Position of the command word: the first word that is neither a global flag nor a global flag's value. */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (GLOBAL_VALUE_FLAGS.has(a)) i++;
    else if (!a.startsWith('-')) return i;
  }
  return -1;
}

/** kubeconform's flags with chartctl's option each stands for (its description is the usage text). */
const KUBECONFORM_FLAGS: readonly { name: string; option?: string; value: boolean; usage?: string }[] = [
  ...Object.entries(VALUE_FLAGS).map(([name, option]) => ({
    name,
    value: true,
    ...(option ? { option } : { usage: 'accepted and ignored: chartctl validates in one process, in input order' }),
    // The global --output's own description is about chartctl's formats.
    ...(name === 'output' && { usage: 'output format - json, junit, pretty, tap, text (kubeconform\'s)' }),
  })),
  ...Object.entries(BOOLEAN_FLAGS).map(([name, option]) => ({ name, option, value: false, ...(name === 'verbose' && { usage: 'print results for all resources (ignored for tap and junit output)' }) })),
  ...[...IGNORED_BOOLEAN_FLAGS].map((name) => ({ name, value: false, usage: 'accepted and ignored' })),
  { name: 'h', value: false, usage: 'show help information' },
  { name: 'v', value: false, usage: 'show version information' },
  // Byte order, as Go's flag package lists them; localeCompare would also load ICU's collator on every start (~40 ms).
].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/**
 * A refusal in kubeconform's words (`failed opening cache folder …`, `flag provided but
 * not defined: …`), printed as it is: a script reading kubeconform's stderr expects no
 * `error:` prefix and no hint line.
 */
export class KubeconformRefusal extends ChartctlError {
  constructor(message: string, code: string) {
    super(message, { code });
  }
}

/** Go's flag.PrintDefaults layout for kubeconform's flags, each described by the chartctl option it stands for. */
export function kubeconformUsage(program: string, describe: (option: string) => string | undefined): string {
  const lines = [`Usage: ${program} [OPTION]... [FILE OR FOLDER]...`];
  for (const f of KUBECONFORM_FLAGS) {
    const head = `  -${f.name}${f.value ? (f.name === 'n' ? ' int' : ' string') : ''}`;
    const usage = f.usage ?? (f.option ? describe(f.option) : undefined) ?? '';
    lines.push(head.length <= 4 ? `${head}\t${usage}` : `${head}\n    \t${usage}`);
  }
  return lines.join('\n');
}
