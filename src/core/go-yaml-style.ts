/**
 * A YAML emitter for JSON-shaped data that writes what helm writes: helm
 * marshals Chart.yaml and index.yaml through sigs.k8s.io/yaml (JSON, then
 * go-yaml v2), so keys are sorted with go-yaml's natural order, sequences sit
 * at their parent key's indentation, strings that would read back as another
 * type are double-quoted, and long plain scalars are folded past column 80.
 * Matching it keeps our index.yaml and Chart.yaml diffable against helm's and
 * is much faster than a general-purpose dumper on a 10,000-entry index.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const BEST_WIDTH = 80;

export function emitGoYaml(value: JsonValue): string {
  const out: string[] = [];
  if (isMapping(value)) emitMapping(out, value, 0, '');
  else if (Array.isArray(value)) emitSequence(out, value, 0, '');
  else out.push(`${scalar(value, 0)}\n`);
  return out.join('');
}

function isMapping(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Writes `key: value` lines; `firstPrefix` replaces the indentation of the first line (used after `- `). */
function emitMapping(out: string[], map: { [key: string]: JsonValue }, indent: number, firstPrefix: string | undefined): void {
  const keys = Object.keys(map).filter((k) => map[k] !== undefined).sort(goYamlKeyCompare);
  if (keys.length === 0) {
    out.push(`${firstPrefix ?? ' '.repeat(indent)}{}\n`);
    return;
  }
  const pad = ' '.repeat(indent);
  keys.forEach((key, i) => {
    const lead = i === 0 && firstPrefix !== undefined ? firstPrefix : pad;
    const keyText = `${lead}${(isSafePlain(key) ? key : JSON.stringify(key))}:`;
    const value = map[key]!;
    if (isMapping(value) && Object.keys(value).length > 0) {
      out.push(`${keyText}\n`);
      emitMapping(out, value, indent + 2, undefined);
    } else if (Array.isArray(value) && value.length > 0) {
      out.push(`${keyText}\n`);
      emitSequence(out, value, indent, undefined);
    } else {
      out.push(`${keyText} ${scalarOrEmpty(value, keyText.length + 1, indent + 2)}\n`);
    }
  });
}

function emitSequence(out: string[], items: JsonValue[], indent: number, firstPrefix: string | undefined): void {
  const pad = ' '.repeat(indent);
  items.forEach((item, i) => {
    const lead = `${i === 0 && firstPrefix !== undefined ? firstPrefix : pad}- `;
    if (isMapping(item) && Object.keys(item).length > 0) {
      emitMapping(out, item, indent + 2, lead);
    } else if (Array.isArray(item) && item.length > 0) {
      emitSequence(out, item, indent + 2, lead);
    } else {
      out.push(`${lead}${scalarOrEmpty(item, lead.length, indent + 2)}\n`);
    }
  });
}

function scalarOrEmpty(value: JsonValue, column: number, continuationIndent: number): string {
  if (Array.isArray(value)) return '[]';
  if (isMapping(value)) return '{}';
  return scalar(value, column, continuationIndent);
}

function scalar(value: string | number | boolean | null, column: number, continuationIndent = 0): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value > 0 ? '.inf' : value < 0 ? '-.inf' : '.nan';
  return plainOrQuoted(value, column, continuationIndent);
}

/** A string as the emitter writes it when it starts at `column`: plain (folded past column 80) or double-quoted. */
export function plainOrQuoted(text: string, column: number, continuationIndent: number): string {
  if (!isSafePlain(text)) return JSON.stringify(text);
  return foldPlain(text, column, continuationIndent);
}

/** go-yaml breaks a plain scalar at a single space once the line is past column 80. */
function foldPlain(text: string, column: number, continuationIndent: number): string {
  if (column + text.length <= BEST_WIDTH || !text.includes(' ')) return text;
  let result = '';
  let col = column;
  let previousWasSpace = false;
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === ' ' && !previousWasSpace && col > BEST_WIDTH && chars[i + 1] !== ' ' && i !== 0 && i !== chars.length - 1) {
      result += `\n${' '.repeat(continuationIndent)}`;
      col = continuationIndent;
      previousWasSpace = true;
      continue;
    }
    result += ch;
    col++;
    previousWasSpace = ch === ' ';
  }
  return result;
}

// YAML 1.1 (go-yaml v2) resolves these plain scalars to something other than a string.
const NON_STRING = [
  /^(?:~|null|Null|NULL)$/,
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  // Any run of digits: go-yaml reads `09` as the float 9, YAML 1.2 parsers as the int 9.
  /^[-+]?[0-9][0-9_]*$/,
  /^[-+]?0o[0-7_]+$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^[-+]?0b[01_]+$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/,
  /^[-+]?\.(?:inf|Inf|INF)$/,
  /^\.(?:nan|NaN|NAN)$/,
  /^\d{4}-\d{1,2}-\d{1,2}/,
  /^(?:=|<<)$/,
];
// One alternation instead of thirteen tests: isSafePlain runs for every scalar of a 10,000-entry index.
const ANY_NON_STRING = new RegExp(`^(?:${NON_STRING.map((re) => re.source.slice(1)).join('|')})`);

const NEEDS_QUOTES = new RegExp(
  [
    /^\s|\s$/,
    // Control characters, line breaks, tabs and non-BMP oddities are always quoted.
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/,
    // `-foo`, `?foo`, `:foo` are plain in YAML, but go-yaml quotes them; so do we.
    /^[-?:,[\]{}#&*!|>'"%@`]/,
    // Flow indicators (, [ ] { }) are fine inside a plain scalar in block context, as in go-yaml.
    /: |:$| #/,
  ]
    .map((re) => re.source)
    .join('|'),
);

/** Whether the emitter writes this string (value or key) plain rather than double-quoted. */
export function isSafePlain(text: string): boolean {
  if (text === '') return false;
  return !ANY_NON_STRING.test(text) && !NEEDS_QUOTES.test(text);
}

/** go-yaml v2's key order: letters sort after non-letters, digit runs compare numerically. */
export function goYamlKeyCompare(a: string, b: string): number {
  if (a === b) return 0;
  return goYamlKeyLess(a, b) ? -1 : 1;
}

function isLetter(ch: string): boolean {
  return /\p{L}/u.test(ch);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]!);
    const bl = isLetter(br[i]!);
    if (al && bl) return ar[i]! < br[i]!;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i]! < br[i]!;
  }
  return ar.length < br.length;
}
