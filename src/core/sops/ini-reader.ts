import { ChartctlError } from '../errors.js';
import type { SourcePos } from './types.js';

/**
 * The INI reader sops uses (gopkg.in/ini.v1 with sops' options: non-unique
 * sections, everything else default), reproduced rule for rule so a file
 * reads into the same sections, keys, values and comments, which the MAC
 * depends on. Among its rules: `=` or `:` separates key and value; `#` or `;`
 * starts a comment, also inside an unquoted value; values may be quoted with
 * `"""` (multi-line), backquotes, or surrounding `"`/`'`; a trailing `\`
 * continues a value; a repeated key keeps its first position and its last value.
 */

export const DEFAULT_SECTION = 'DEFAULT';

export interface IniKey {
  name: string;
  value: string;
  /** The comment lines before the key (and its inline comment), raw: `; …`/`# …`. */
  comment: string;
  pos: SourcePos;
}

export interface IniSection {
  name: string;
  comment: string;
  keys: IniKey[];
  pos: SourcePos;
}

/** Go's unicode.IsSpace. */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const isGoSpace = (c: string | undefined) => c !== undefined && GO_SPACE.test(c);

export function goTrimLeft(s: string): string {
  let i = 0;
  while (i < s.length && isGoSpace(s[i])) i++;
  return s.slice(i);
}

/** Go's strings.TrimSpace (JavaScript's trim also strips U+FEFF and keeps U+0085). */
export function goTrimSpace(s: string): string {
  let end = s.length;
  while (end > 0 && isGoSpace(s[end - 1])) end--;
  return goTrimLeft(s.slice(0, end));
}

function indexAny(s: string, chars: string, from = 0): number {
  for (let i = from; i < s.length; i++) if (chars.includes(s[i]!)) return i;
  return -1;
}

function hasSurroundedQuote(s: string, quote: string): boolean {
  return s.length >= 2 && s[0] === quote && s[s.length - 1] === quote && s.indexOf(quote, 1) === s.length - 1;
}

const DELIMITERS = '=:';

class LineReader {
  private offset = 0;
  line = 0;
  eof = false;
  constructor(private readonly text: string) {}
  /** The next line with its `\n` (ini's ReadBytes('\n')). */
  next(): string {
    const nl = this.text.indexOf('\n', this.offset);
    const end = nl < 0 ? this.text.length : nl + 1;
    const line = this.text.slice(this.offset, end);
    this.offset = end;
    this.line++;
    if (nl < 0) this.eof = true;
    return line;
  }
}

export function readIni(input: string, file: string): IniSection[] {
  const text = input.startsWith('\ufeff') ? input.slice(1) : input;
  const reader = new LineReader(text);
  const fail = (what: string, hint = 'Fix the INI syntax (sections [name], KEY = VALUE lines, ; or # comments).') =>
    new ChartctlError(`${file}:${reader.line}: ${what}.`, { code: 'SOPS_BAD_INI', hint });
  let comment = '';
  let section: IniSection = { name: DEFAULT_SECTION, comment: '', keys: [], pos: { line: 1, col: 1 } };
  const sections: IniSection[] = [section];

  const readMultiline = (first: string, quote: string): string => {
    let value = first;
    for (;;) {
      const next = reader.next();
      const at = next.lastIndexOf(quote);
      if (at >= 0) {
        value += next.slice(0, at);
        const c = indexAny(next, '#;', at);
        if (c >= 0) comment += goTrimSpace(next.slice(c));
        return value;
      }
      value += next;
      if (reader.eof) throw fail(`the value quoted with ${quote} is never closed`);
    }
  };

  const readContinuation = (start: string): string => {
    let value = start;
    for (;;) {
      const next = goTrimSpace(reader.next());
      if (next.length === 0) return value;
      value += next;
      if (!value.endsWith('\\')) return value;
      value = value.slice(0, -1);
    }
  };

  const readValue = (raw: string): string => {
    let line = goTrimLeft(raw);
    if (line.length === 0) return '';
    const quote = line.length > 3 && line.startsWith('"""') ? '"""' : line[0] === '`' ? '`' : '';
    if (quote) {
      const at = line.lastIndexOf(quote);
      if (at < quote.length) return readMultiline(line.slice(quote.length), quote);
      return line.slice(quote.length, at);
    }
    line = goTrimSpace(line);
    if (line.endsWith('\\')) return readContinuation(line.slice(0, -1));
    const c = indexAny(line, '#;');
    if (c >= 0) {
      comment += line.slice(c);
      line = goTrimSpace(line.slice(0, c));
    }
    if (hasSurroundedQuote(line, "'") || hasSurroundedQuote(line, '"')) line = line.slice(1, -1);
    return line;
  };

  while (!reader.eof) {
    const line = goTrimLeft(reader.next());
    if (line.length === 0) continue;
    const pos = { line: reader.line, col: 1 };
    if (line[0] === '#' || line[0] === ';') {
      comment += line;
      continue;
    }
    if (line[0] === '[') {
      const close = line.lastIndexOf(']');
      if (close < 0) throw fail('a section header is not closed with ]');
      const name = line.slice(1, close);
      if (name.length === 0) throw fail('a section has an empty name');
      const c = indexAny(line, '#;', close + 1);
      if (c >= 0) comment += line.slice(c);
      section = { name, comment: goTrimSpace(comment), keys: [], pos };
      sections.push(section);
      comment = '';
      continue;
    }
    let name: string;
    let valueStart: number;
    const keyQuote = line[0] === '"' ? (line.length > 6 && line.startsWith('"""') ? '"""' : '"') : line[0] === '`' ? '`' : '';
    if (keyQuote) {
      const close = line.indexOf(keyQuote, keyQuote.length);
      if (close < 0) throw fail('a quoted key name is not closed');
      const d = indexAny(line, DELIMITERS, close + keyQuote.length);
      if (d < 0) throw fail('a line has no = or : between key and value');
      name = goTrimSpace(line.slice(keyQuote.length, close));
      valueStart = d + 1;
    } else {
      const d = indexAny(line, DELIMITERS);
      if (d < 0) throw fail('a line has no = or : between key and value');
      if (d === 0) throw fail('a key name is empty');
      name = goTrimSpace(line.slice(0, d));
      valueStart = d + 1;
    }
    if (name === '-') throw fail('auto-numbered keys ("-") are not supported', 'Give the key a name.');
    if (name.length === 0) throw fail('a key name is empty');
    const value = readValue(line.slice(valueStart));
    const existing = section.keys.find((k) => k.name === name);
    if (existing) {
      existing.value = value;
      existing.comment = goTrimSpace(comment);
    } else {
      section.keys.push({ name, value, comment: goTrimSpace(comment), pos });
    }
    comment = '';
  }
  return sections;
}

/** sops' stripCommentChar: the leading `;`/`#` and the spaces after it. */
export function stripCommentChar(comment: string): string {
  const marker = comment[0];
  if (marker !== ';' && marker !== '#') return comment;
  let i = 0;
  while (i < comment.length && (comment[i] === marker || comment[i] === ' ')) i++;
  return comment.slice(i);
}
