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
    const value = map[key]!;
    let keyText: string;
    const simple = simpleKeyText(key);
    if (simple !== undefined) {
      keyText = `${lead}${simple}:`;
    } else {
      // go-yaml writes a multi-line or over-long key as an explicit `? key` / `: value` pair.
      out.push(endLine(`${lead}? ${scalarText(key, valueStyle(key), lead.length + 2, indent + 2, true)}`));
      keyText = `${pad}:`;
    }
    if (isMapping(value) && Object.keys(value).length > 0) {
      out.push(`${keyText}\n`);
      emitMapping(out, value, indent + 2, undefined);
    } else if (Array.isArray(value) && value.length > 0) {
      out.push(`${keyText}\n`);
      emitSequence(out, value, indent, undefined);
    } else {
      out.push(endLine(`${keyText} ${scalarOrEmpty(value, keyText.length + 1, indent + 2)}`));
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
      out.push(endLine(`${lead}${scalarOrEmpty(item, lead.length, indent + 2)}`));
    }
  });
}

/** A literal block that ends in a line break already ends its line. */
function endLine(text: string): string {
  return isBreak(text.codePointAt(text.length - 1)!) ? text : `${text}\n`;
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

/**
 * A string value as go-yaml v2 writes it when it starts at `column` (continuation lines indented by
 * `continuationIndent`): plain, single- or double-quoted (folded past column 80), or a literal block.
 */
export function plainOrQuoted(text: string, column: number, continuationIndent: number): string {
  return scalarText(text, valueStyle(text), column, continuationIndent, true);
}

type ScalarStyle = 'plain' | 'single' | 'double' | 'literal';

/**
 * What go-yaml's emitter may do with a string (yaml_emitter_analyze_scalar): which styles can
 * represent it. go-yaml's emitter runs with unicode on, so only non-printable characters force
 * double quotes.
 */
interface ScalarAnalysis {
  multiline: boolean;
  plainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

// Printable ASCII that cannot hold an indicator (`: `, ` #`, a leading `-`, `?`, `'`...) nor a leading or
// trailing space: most of an index (names, versions, URLs, digests). Its analysis is known without the loop.
const PLAIN_ASCII = /^[A-Za-z0-9_/(](?:[\x20-\x22\x24-\x39\x3b-\x7e]|:(?! ))*$/;
const PLAIN_ANALYSIS: ScalarAnalysis = { multiline: false, plainAllowed: true, singleQuotedAllowed: true, blockAllowed: true };

function analyzeScalar(text: string): ScalarAnalysis {
  if (text === '') return { multiline: false, plainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  const last = text.charCodeAt(text.length - 1);
  if (last !== 0x20 && last !== 0x3a && PLAIN_ASCII.test(text)) return PLAIN_ANALYSIS;
  const cps = [...text].map((c) => c.codePointAt(0)!);
  let indicators = text.startsWith('---') || text.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    const next = cps[i + 1];
    const followedByWhitespace = next === undefined || next === 0x20 || next === 0x09;
    const ch = String.fromCodePoint(c);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) indicators = true;
      else if ((ch === '?' || ch === ':' || ch === '-') && followedByWhitespace) indicators = true;
    } else if ((ch === ':' && followedByWhitespace) || (ch === '#' && precededByWhitespace)) {
      indicators = true;
    }
    if (!isPrintable(c)) special = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = c === 0x20 || c === 0x09 || c === 0 || isBreak(c);
  }
  return {
    multiline: lineBreaks,
    plainAllowed: !(leadingSpace || leadingBreak || trailingSpace || trailingBreak || breakSpace || spaceBreak || special || lineBreaks || indicators),
    singleQuotedAllowed: !(breakSpace || spaceBreak || special),
    blockAllowed: !(trailingSpace || spaceBreak || special),
  };
}

/** go-yaml's is_printable, on code points: characters outside the BMP are escaped too. */
function isPrintable(c: number): boolean {
  return c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);
}

function isBreak(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
}

/** encode.go stringv, then yaml_emitter_select_scalar_style for a value in block context. */
function valueStyle(text: string): ScalarStyle {
  const a = analyzeScalar(text);
  if (text.includes('\n')) return a.blockAllowed ? 'literal' : 'double';
  if (!resolvesToString(text)) return 'double';
  if (a.plainAllowed) return 'plain';
  return a.singleQuotedAllowed ? 'single' : 'double';
}

/** The same for a simple (one-line, short) mapping key. */
function keyStyle(text: string): ScalarStyle {
  if (!resolvesToString(text)) return 'double';
  const a = analyzeScalar(text);
  if (a.plainAllowed) return 'plain';
  return a.singleQuotedAllowed ? 'single' : 'double';
}

/**
 * A mapping key as written before its `:`, or undefined when go-yaml writes it as `? key`
 * (yaml_emitter_check_simple_key: longer than 128 bytes, or more than one line). Keys never fold.
 */
export function simpleKeyText(key: string): string | undefined {
  if (Buffer.byteLength(key) > 128 || analyzeScalar(key).multiline) return undefined;
  return scalarText(key, keyStyle(key), 0, 0, false);
}

/** The scalar in `style` starting at `column`; folded lines are indented by `indent`. */
function scalarText(text: string, style: ScalarStyle, column: number, indent: number, allowBreaks: boolean): string {
  switch (style) {
    case 'plain':
      return allowBreaks ? foldPlain(text, column, indent) : text;
    case 'single':
      return singleQuoted(text, column, indent, allowBreaks);
    case 'double':
      return doubleQuoted(text, column, indent, allowBreaks);
    case 'literal':
      return literal(text, indent);
  }
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

/** yaml_emitter_write_single_quoted_scalar (its line breaks can only be U+2028/U+2029: text with `\n` is a block or double-quoted). */
function singleQuoted(text: string, column: number, indent: number, allowBreaks: boolean): string {
  const chars = [...text];
  let result = "'";
  let col = column + 1;
  let spaces = false;
  let breaks = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === ' ') {
      if (allowBreaks && !spaces && col > BEST_WIDTH && i > 0 && i < chars.length - 1 && chars[i + 1] !== ' ') {
        result += `\n${' '.repeat(indent)}`;
        col = indent;
      } else {
        result += ch;
        col++;
      }
      spaces = true;
      continue;
    }
    if (isBreak(ch.codePointAt(0)!)) {
      if (!breaks && ch === '\n') result += '\n';
      result += ch;
      col = 0;
      breaks = true;
      continue;
    }
    if (breaks) {
      result += ' '.repeat(indent);
      col = indent;
    }
    if (ch === "'") {
      result += "'";
      col++;
    }
    result += ch;
    col++;
    spaces = false;
    breaks = false;
  }
  return `${result}'`;
}

const SHORT_ESCAPES: Record<number, string> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
};

/** yaml_emitter_write_double_quoted_scalar: escapes, then folding at spaces past column 80. */
function doubleQuoted(text: string, column: number, indent: number, allowBreaks: boolean): string {
  const chars = [...text];
  let result = '"';
  let col = column + 1;
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const c = ch.codePointAt(0)!;
    if (!isPrintable(c) || isBreak(c) || c === 0x22 || c === 0x5c) {
      const escape = `\\${SHORT_ESCAPES[c] ?? hexEscape(c)}`;
      result += escape;
      col += escape.length;
      spaces = false;
    } else if (c === 0x20) {
      if (allowBreaks && !spaces && col > BEST_WIDTH && i !== 0 && i !== chars.length - 1) {
        result += `\n${' '.repeat(indent)}`;
        col = indent;
        // A space at the start of a continuation line would be folded away: go-yaml escapes it.
        if (chars[i + 1] === ' ') {
          result += '\\';
          col++;
        }
      } else {
        result += ch;
        col++;
      }
      spaces = true;
    } else {
      result += ch;
      col++;
      spaces = false;
    }
  }
  return `${result}"`;
}

function hexEscape(c: number): string {
  const [letter, width] = c <= 0xff ? ['x', 2] : c <= 0xffff ? ['u', 4] : ['U', 8];
  return `${letter}${c.toString(16).toUpperCase().padStart(width as number, '0')}`;
}

/**
 * yaml_emitter_write_literal_scalar: `|` with go-yaml's hints (indentation `2` when the text starts
 * with a space or break; `-` strip without a final break, `+` keep with more than one), lines
 * indented by `indent`, empty lines left empty.
 */
function literal(text: string, indent: number): string {
  const cps = [...text].map((c) => c.codePointAt(0)!);
  let header = '|';
  if (cps[0] === 0x20 || isBreak(cps[0]!)) header += '2';
  const last = cps.length - 1;
  if (!isBreak(cps[last]!)) header += '-';
  else if (last === 0 || isBreak(cps[last - 1]!)) header += '+';
  const pad = ' '.repeat(indent);
  let body = '';
  let atLineStart = true;
  for (const c of cps) {
    if (isBreak(c)) {
      body += String.fromCodePoint(c);
      atLineStart = true;
    } else {
      if (atLineStart) body += pad;
      atLineStart = false;
      body += String.fromCodePoint(c);
    }
  }
  return `${header}\n${body}`;
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
  // go-yaml v2's timestamp forms (the whole text: `2024-01-02abc` is a string).
  /^\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$/,
];
// One alternation instead of twelve tests: this runs for every scalar of a 10,000-entry index.
const ANY_NON_STRING = new RegExp(`^(?:${NON_STRING.map((re) => re.source.slice(1)).join('|')})`);

/**
 * Whether go-yaml would read the text back, written plain, as a string (the empty string is null).
 * helm writes a `<<` key plain and then cannot read the file (a merge key): it stays double-quoted here.
 */
function resolvesToString(text: string): boolean {
  return text !== '' && text !== '<<' && !ANY_NON_STRING.test(text);
}

/** Whether the emitter writes this string (value or key) plain, on one line, rather than quoted or as a block. */
export function isSafePlain(text: string): boolean {
  return resolvesToString(text) && analyzeScalar(text).plainAllowed;
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
