import { CHOMPING_MODE, EVENT_ID, SCALAR_STYLE, getScalarValue, type ChompingMode, type ScalarEvent } from 'js-yaml';
import { resolvePlainScalar } from './kube-yaml.js';
import type { PathSegment } from './yaml-events.js';

/**
 * A reader for the block-style YAML that helm renders and people write for
 * Kubernetes, several times faster than js-yaml's parser. It only accepts what
 * it can read exactly as js-yaml with KUBERNETES_YAML_SCHEMA would (same
 * values, key order, duplicate keys, root offset); on anything else it
 * declines the document, and the caller parses that document with js-yaml, so
 * errors and rare constructs keep js-yaml's behaviour.
 */

/** A document the reader accepted. Offsets are in the text given to `readBlockYaml`. */
export interface BlockYamlDocument {
  kind: 'read';
  /** Where the root node starts (its first key or `-`), as js-yaml's events say; -1 for an empty document. */
  offset: number;
  value: unknown;
  /** Keys given twice in one mapping, when asked for: path of the mapping, the key text, offset of the second key. */
  duplicates: { path: PathSegment[]; key: string; offset: number }[];
}

/** A document left to js-yaml: [start, end) is its whole text (a `---` line stays with the document it opens). */
export interface DeclinedDocument {
  kind: 'declined';
  reason: string;
  start: number;
  end: number;
}

export type BlockYamlStream = { documents: (BlockYamlDocument | DeclinedDocument)[] } | { declined: string };

/**
 * Splits a stream into documents and reads each one it can. The whole stream
 * is declined when its document boundaries might not be where this reader
 * would put them (directives, byte order marks, CR line ends, NUL).
 */
export function readBlockYaml(text: string, options: { duplicateKeys: boolean }): BlockYamlStream {
  if (text.includes('\r') || text.includes('\uFEFF') || text.includes('\0')) return { declined: 'CR line ends, a byte order mark or NUL' };
  try {
    return { documents: new BlockReader(text, options.duplicateKeys).stream() };
  } catch (err) {
    if (err instanceof StreamDeclined) return { declined: err.reason };
    throw err;
  }
}

// js-yaml's PATTERN_NON_PRINTABLE: it refuses these in plain and block scalars (quoted ones only refuse C0 controls).
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

/** Collections nested deeper than this are left to js-yaml (and its maxDepth). */
const MAX_DEPTH = 40;

const enum Ch {
  End = 0,
  Tab = 9,
  LineFeed = 10,
  Space = 32,
  Bang = 33,
  DoubleQuote = 34,
  Hash = 35,
  Percent = 37,
  Ampersand = 38,
  SingleQuote = 39,
  Star = 42,
  Plus = 43,
  Comma = 44,
  Dash = 45,
  Dot = 46,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  Greater = 62,
  Question = 63,
  At = 64,
  OpenBracket = 91,
  Backslash = 92,
  CloseBracket = 93,
  Backtick = 96,
  OpenBrace = 123,
  Pipe = 124,
  CloseBrace = 125,
  Delete = 127,
}

class Declined {
  constructor(readonly reason: string) {}
}

class StreamDeclined {
  constructor(readonly reason: string) {}
}

/** How a plain scalar's text ended. */
const enum PlainStop {
  LineEnd,
  Comment,
  /** At a `:` followed by a space or line end: the text was a mapping key. */
  KeyIndicator,
}

class BlockReader {
  /** The text with a NUL after it (js-yaml's sentinel too; the text itself has none). */
  private readonly src: string;
  private readonly end: number;
  /** Current position. After a node, the first non-space character of the next content line. */
  private pos = 0;
  private lineStart = 0;
  /** Indentation of the next content line after a node; -1 at the end of the document. */
  private next = -1;
  private depth = 0;
  private plainEnd = 0;
  private plainStop = PlainStop.LineEnd;
  private readonly path: PathSegment[] | undefined;
  private duplicates: BlockYamlDocument['duplicates'] = [];

  constructor(text: string, duplicateKeys: boolean) {
    this.src = `${text}\0`;
    this.end = text.length;
    this.path = duplicateKeys ? [] : undefined;
  }

  /** Mirrors js-yaml's readDocument loop, so documents begin and end where its events put them. */
  stream(): (BlockYamlDocument | DeclinedDocument)[] {
    const out: (BlockYamlDocument | DeclinedDocument)[] = [];
    let p = 0;
    for (;;) {
      const chunkStart = p;
      const line = this.skipBlankLines(p);
      if (line >= this.end) break;
      const first = this.code(line);
      if (first === Ch.Percent) throw new StreamDeclined('directive');
      let body = line;
      if (this.isDocumentMarker(line, Ch.Dash)) {
        body = this.afterMarker(line);
      } else if (this.isDocumentMarker(line, Ch.Dot)) {
        p = this.afterEndMarker(line);
        continue;
      }
      if (body < 0) {
        p = this.boundaryAfter(this.lineEnd(line) + 1);
        out.push({ kind: 'declined', reason: 'content on the --- line', start: chunkStart, end: p });
      } else {
        try {
          out.push(this.document(body));
          p = this.lineStart;
        } catch (err) {
          if (!(err instanceof Declined)) throw err;
          p = this.boundaryAfter(body);
          out.push({ kind: 'declined', reason: err.reason, start: chunkStart, end: p });
        }
      }
      if (p < this.end && this.isDocumentMarker(p, Ch.Dot)) p = this.afterEndMarker(p);
    }
    return out;
  }

  private document(body: number): BlockYamlDocument {
    this.duplicates = [];
    this.depth = 0;
    if (this.path) this.path.length = 0;
    const indent = this.contentLine(body);
    if (indent < 0) return { kind: 'read', offset: -1, value: null, duplicates: this.duplicates };
    const offset = this.pos;
    const value = this.blockNode(indent);
    if (this.next >= 0) throw new Declined('content after the root node');
    return { kind: 'read', offset, value, duplicates: this.duplicates };
  }

  // --- lines -------------------------------------------------------------

  private code(at: number): number {
    return this.src.charCodeAt(at);
  }

  /** `---` or `...` at `at` (a line start), followed by white space or the line end. */
  private isDocumentMarker(at: number, ch: number): boolean {
    if (this.code(at) !== ch || this.code(at + 1) !== ch || this.code(at + 2) !== ch) return false;
    const after = this.code(at + 3);
    return after === Ch.Space || after === Ch.Tab || after === Ch.LineFeed || after === Ch.End;
  }

  /** Start of the line after a `---` line, or -1 when the line holds content (js-yaml reads it as the root node). */
  private afterMarker(line: number): number {
    const rest = this.restOfLine(line + 3);
    return rest < 0 ? -1 : rest;
  }

  /** After a `...` line: anything but a comment on it is an error for js-yaml. */
  private afterEndMarker(line: number): number {
    const rest = this.restOfLine(line + 3);
    if (rest < 0) throw new StreamDeclined('content after ...');
    return rest;
  }

  /** From `at` to the line end: white space and an optional comment give the next line start, anything else -1. */
  private restOfLine(at: number): number {
    let c = this.code(at);
    let white = false;
    while (c === Ch.Space || c === Ch.Tab) {
      white = true;
      c = this.code(++at);
    }
    if (c === Ch.Hash && white) return this.lineEnd(at) + 1;
    if (c === Ch.LineFeed) return at + 1;
    if (c === Ch.End) return this.end;
    return -1;
  }

  /** Position of the line feed ending the line that holds `at`, or the text end. */
  private lineEnd(at: number): number {
    const lf = this.src.indexOf('\n', at);
    return lf < 0 ? this.end : lf;
  }

  /** Start of the first line from `p` (a line start) that is neither blank nor a comment; the text end if none. */
  private skipBlankLines(p: number): number {
    const { end } = this;
    while (p < end) {
      let i = p;
      let c = this.code(i);
      while (c === Ch.Space || c === Ch.Tab) c = this.code(++i);
      if (c === Ch.LineFeed) p = i + 1;
      else if (c === Ch.Hash) p = this.lineEnd(i) + 1;
      else if (c === Ch.End) return end;
      else return p;
    }
    return end;
  }

  /**
   * Moves to the next content line from the line start `p`: sets `pos` to its
   * first character and returns its indentation, or -1 (and leaves `lineStart`
   * at the boundary) at a document marker or the text end.
   */
  private contentLine(p: number): number {
    const line = this.skipBlankLines(p);
    this.lineStart = line;
    if (line >= this.end || this.isDocumentMarker(line, Ch.Dash) || this.isDocumentMarker(line, Ch.Dot)) {
      this.pos = line;
      return (this.next = -1);
    }
    let i = line;
    while (this.code(i) === Ch.Space) i++;
    if (this.code(i) === Ch.Tab) throw new Declined('tab in indentation');
    this.pos = i;
    return (this.next = i - line);
  }

  /** Past the end of the current line (white space and a comment allowed) to the next content line. */
  private finishLine(): void {
    let c = this.code(this.pos);
    let white = false;
    while (c === Ch.Space || c === Ch.Tab) {
      white = true;
      c = this.code(++this.pos);
    }
    if (c === Ch.Hash && white) this.pos = this.lineEnd(this.pos);
    else if (c !== Ch.LineFeed && c !== Ch.End) throw new Declined('more content after a value on its line');
    this.contentLine(this.pos + 1);
  }

  /** The line start of the next `---` or `...` line after the line start `p`, or the text end. */
  private boundaryAfter(p: number): number {
    while (p < this.end) {
      if (this.isDocumentMarker(p, Ch.Dash) || this.isDocumentMarker(p, Ch.Dot)) return p;
      p = this.lineEnd(p) + 1;
    }
    return this.end;
  }

  private isSequenceEntry(at: number): boolean {
    if (this.code(at) !== Ch.Dash) return false;
    const after = this.code(at + 1);
    return after === Ch.Space || after === Ch.LineFeed || after === Ch.End || after === Ch.Tab;
  }

  // --- collections -------------------------------------------------------

  /** A mapping or sequence whose first line starts at `pos` with this indentation. */
  private blockNode(indent: number): unknown {
    return this.isSequenceEntry(this.pos) ? this.sequence(indent) : this.mapping(indent);
  }

  /** A block mapping whose keys are at column `indent`; `pos` is at its first key (maybe after `- `). */
  private mapping(indent: number): Record<string, unknown> {
    if (++this.depth > MAX_DEPTH) throw new Declined('nesting depth');
    const out: Record<string, unknown> = {};
    const { path } = this;
    const seen = path ? new Set<string>() : undefined;
    for (;;) {
      const keyAt = this.pos;
      const c = this.code(keyAt);
      let text: string;
      let key: string;
      let keyOffset = keyAt;
      if (c === Ch.DoubleQuote || c === Ch.SingleQuote) {
        key = text = this.quoted(c);
        keyOffset = keyAt + 1;
        let n = this.code(this.pos);
        while (n === Ch.Space || n === Ch.Tab) n = this.code(++this.pos);
        if (n !== Ch.Colon) throw new Declined('a quoted scalar where a key was expected');
        this.pos++;
      } else {
        if (!this.startsPlain(c, keyAt)) throw new Declined(`a key cannot start with ${JSON.stringify(String.fromCharCode(c))} here`);
        this.scanPlain(keyAt);
        if (this.plainStop !== PlainStop.KeyIndicator) throw new Declined('a line without a key in a mapping');
        text = this.src.slice(keyAt, this.plainEnd);
        const resolved = resolvePlainScalar(text);
        key = typeof resolved === 'string' ? resolved : String(resolved);
        this.pos++;
      }
      if (text === '<<') throw new Declined('merge key');
      const sep = this.code(this.pos);
      if (sep !== Ch.Space && sep !== Ch.LineFeed && sep !== Ch.End) throw new Declined('no space after a key');
      if (seen) {
        if (seen.has(text)) this.duplicates.push({ path: [...path!], key: text, offset: keyOffset });
        else seen.add(text);
        path!.push(text);
      }
      const value = this.mappingValue(indent);
      if (path) path.pop();
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
      else out[key] = value;
      const next = this.next;
      if (next < indent) break;
      if (next > indent) throw new Declined('a deeper line after a node (multi-line scalar or bad indentation)');
      if (this.isSequenceEntry(this.pos)) throw new Declined('a sequence entry among mapping keys');
    }
    this.depth--;
    return out;
  }

  /** The value after `key:` (`pos` just after the colon) of a mapping at `indent`. */
  private mappingValue(indent: number): unknown {
    let c = this.code(this.pos);
    while (c === Ch.Space) c = this.code(++this.pos);
    if (c === Ch.LineFeed || c === Ch.End || c === Ch.Hash) {
      this.pos = this.lineEnd(this.pos);
      const next = this.contentLine(this.pos + 1);
      if (next > indent) return this.blockNode(next);
      // A sequence may sit at its key's indentation.
      if (next === indent && this.isSequenceEntry(this.pos)) return this.sequence(indent);
      return null;
    }
    if (c === Ch.Tab) throw new Declined('tab after a key');
    return this.inlineValue(c, indent);
  }

  /** A block sequence whose `-` are at column `indent`; `pos` is at the first `-`. */
  private sequence(indent: number): unknown[] {
    if (++this.depth > MAX_DEPTH) throw new Declined('nesting depth');
    const out: unknown[] = [];
    const { path } = this;
    for (let index = 0; ; index++) {
      let c = this.code(++this.pos);
      while (c === Ch.Space) c = this.code(++this.pos);
      if (c === Ch.Tab) throw new Declined('tab after -');
      if (path) path.push(index);
      let item: unknown;
      if (c === Ch.LineFeed || c === Ch.End || c === Ch.Hash) {
        this.pos = this.lineEnd(this.pos);
        const next = this.contentLine(this.pos + 1);
        item = next > indent ? this.blockNode(next) : null;
      } else {
        item = this.entryContent(c, indent);
      }
      if (path) path.pop();
      out.push(item);
      const next = this.next;
      if (next < indent) break;
      if (next > indent) throw new Declined('a deeper line after a node (multi-line scalar or bad indentation)');
      if (!this.isSequenceEntry(this.pos)) break;
    }
    this.depth--;
    return out;
  }

  /** What follows `- ` on the same line: a compact sequence or mapping, or a scalar. */
  private entryContent(c: number, indent: number): unknown {
    const at = this.pos;
    const column = at - this.lineStart;
    if (this.isSequenceEntry(at)) return this.sequence(column);
    if (c === Ch.DoubleQuote || c === Ch.SingleQuote) {
      this.quoted(c);
      let n = this.code(this.pos);
      while (n === Ch.Space || n === Ch.Tab) n = this.code(++this.pos);
      this.pos = at;
      if (n === Ch.Colon) return this.mapping(column);
      return this.inlineValue(c, indent);
    }
    if (this.startsPlain(c, at)) {
      this.scanPlain(at);
      if (this.plainStop === PlainStop.KeyIndicator) {
        this.pos = at;
        return this.mapping(column);
      }
      return this.finishPlain(at);
    }
    return this.inlineValue(c, indent);
  }

  // --- scalars -------------------------------------------------------------

  /** A scalar or one-line flow collection starting at `pos` on the current line, inside a collection at `indent`. */
  private inlineValue(c: number, indent: number): unknown {
    switch (c) {
      case Ch.DoubleQuote:
      case Ch.SingleQuote: {
        const value = this.quoted(c);
        this.finishLine();
        return value;
      }
      case Ch.Pipe:
      case Ch.Greater:
        return this.blockScalar(indent);
      case Ch.OpenBrace:
      case Ch.OpenBracket: {
        const value = this.flowCollection(c);
        this.finishLine();
        return value;
      }
    }
    const at = this.pos;
    if (!this.startsPlain(c, at)) throw new Declined(`a value cannot start with ${JSON.stringify(String.fromCharCode(c))} here`);
    this.scanPlain(at);
    if (this.plainStop === PlainStop.KeyIndicator) throw new Declined('a mapping on the line of its key');
    return this.finishPlain(at);
  }

  // --- flow collections ----------------------------------------------------

  /**
   * A flow sequence or mapping that closes on the line it opens on; `pos` is
   * at `[` or `{` and ends after the closing bracket. Entries are scalars and
   * nested flow collections, separated by `,` and spaces (a comma may end the
   * collection); mapping entries are `key: value` with a scalar key and a
   * value. Anything else (line breaks, comments, tabs, empty entries or
   * values, `?`, single-pair mappings in sequences, properties, aliases) is
   * declined.
   */
  private flowCollection(open: number): unknown[] | Record<string, unknown> {
    if (++this.depth > MAX_DEPTH) throw new Declined('nesting depth');
    this.pos++;
    const value = open === Ch.OpenBracket ? this.flowSequence() : this.flowMapping();
    this.depth--;
    return value;
  }

  private flowSequence(): unknown[] {
    const out: unknown[] = [];
    const { path } = this;
    let c = this.flowSpace();
    while (c !== Ch.CloseBracket) {
      if (path) path.push(out.length);
      out.push(this.flowNode(c));
      if (path) path.pop();
      c = this.flowSpace();
      // `a: b` (or `"a": b`, `[a]: b`) in a sequence is a single-pair mapping for js-yaml.
      if (c === Ch.Comma) c = this.flowSpaceAfter();
      else if (c !== Ch.CloseBracket) throw new Declined(c === Ch.Colon ? 'a single-pair mapping in a flow sequence' : 'unexpected content in a flow sequence');
    }
    this.pos++;
    return out;
  }

  private flowMapping(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const { path } = this;
    const seen = path ? new Set<string>() : undefined;
    let c = this.flowSpace();
    while (c !== Ch.CloseBrace) {
      const keyAt = this.pos;
      let text: string;
      let key: string;
      let keyOffset = keyAt;
      if (c === Ch.DoubleQuote || c === Ch.SingleQuote) {
        key = text = this.quoted(c);
        keyOffset = keyAt + 1;
      } else if (this.startsFlowPlain(c, keyAt)) {
        this.scanFlowPlain(keyAt);
        text = this.src.slice(keyAt, this.plainEnd);
        const resolved = resolvePlainScalar(text);
        key = typeof resolved === 'string' ? resolved : String(resolved);
      } else {
        throw new Declined(`a flow mapping key cannot start with ${JSON.stringify(String.fromCharCode(c))} here`);
      }
      if (text === '<<') throw new Declined('merge key');
      if (this.flowSpace() !== Ch.Colon) throw new Declined('a flow mapping key without a value');
      this.pos++;
      c = this.flowSpace();
      if (seen) {
        if (seen.has(text)) this.duplicates.push({ path: [...path!], key: text, offset: keyOffset });
        else seen.add(text);
        path!.push(text);
      }
      const value = this.flowNode(c);
      if (path) path.pop();
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
      else out[key] = value;
      c = this.flowSpace();
      if (c === Ch.Comma) c = this.flowSpaceAfter();
      else if (c !== Ch.CloseBrace) throw new Declined('unexpected content in a flow mapping');
    }
    this.pos++;
    return out;
  }

  /** An entry of a flow collection (or a flow mapping's value) starting at `pos`. */
  private flowNode(c: number): unknown {
    if (c === Ch.OpenBracket || c === Ch.OpenBrace) return this.flowCollection(c);
    if (c === Ch.DoubleQuote || c === Ch.SingleQuote) return this.quoted(c);
    const at = this.pos;
    if (!this.startsFlowPlain(c, at)) throw new Declined(c === Ch.Comma || c === Ch.CloseBracket || c === Ch.CloseBrace ? 'an empty entry or value in a flow collection' : `a flow entry cannot start with ${JSON.stringify(String.fromCharCode(c))} here`);
    this.scanFlowPlain(at);
    return resolvePlainScalar(this.src.slice(at, this.plainEnd));
  }

  /** Past spaces from `pos` to the next character inside a flow collection, which must be on this line; returns it. */
  private flowSpace(): number {
    let c = this.code(this.pos);
    while (c === Ch.Space) c = this.code(++this.pos);
    if (c === Ch.LineFeed || c === Ch.End) throw new Declined('multi-line flow collection');
    // A tab as separation can make js-yaml report deficient indentation; a `#` after a space starts a comment.
    if (c === Ch.Tab) throw new Declined('tab in a flow collection');
    if (c === Ch.Hash) throw new Declined('comment in a flow collection');
    return c;
  }

  /** After a `,` at `pos`: the start of the next entry, or the closing bracket (a trailing comma is allowed). */
  private flowSpaceAfter(): number {
    this.pos++;
    const c = this.flowSpace();
    if (c === Ch.Comma) throw new Declined('an empty entry in a flow collection');
    return c;
  }

  /** js-yaml's canStartPlainScalar in flow context, with `:` treated like `?` and `-` (js-yaml reads no plain scalar there either). */
  private startsFlowPlain(c: number, at: number): boolean {
    if (!this.startsPlain(c, at)) return false;
    if (c === Ch.Question || c === Ch.Dash || c === Ch.Colon) return !isFlowIndicator(this.code(at + 1));
    return true;
  }

  /**
   * Scans a plain scalar inside a flow collection from `at` (js-yaml's
   * readPlainScalar in flow context, on one line): it ends at a flow
   * indicator, at `:` followed by a space or a flow indicator, or before
   * ` #`. `plainEnd` is the end of its text, `pos` where it stopped.
   */
  private scanFlowPlain(at: number): void {
    const { src } = this;
    let last = at;
    let p = at;
    let wide = false;
    for (;;) {
      const c = src.charCodeAt(p);
      if (c === Ch.Colon) {
        const n = src.charCodeAt(p + 1);
        if (n === Ch.Space || n === Ch.LineFeed || n === Ch.End || isFlowIndicator(n)) break;
        if (n === Ch.Tab) throw new Declined('tab in a flow collection');
        last = p + 1;
      } else if (c === Ch.Space) {
        if (src.charCodeAt(p + 1) === Ch.Hash) {
          p++;
          break;
        }
      } else if (isFlowIndicator(c)) {
        break;
      } else if (c === Ch.LineFeed || c === Ch.End) {
        throw new Declined('multi-line flow collection');
      } else if (c === Ch.Tab) {
        throw new Declined('tab in a flow collection');
      } else {
        if (c < Ch.Space) throw new Declined('control character');
        if (c >= Ch.Delete) wide = true;
        last = p + 1;
      }
      p++;
    }
    if (wide && NON_PRINTABLE.test(src.slice(at, last))) throw new Declined('non-printable character');
    this.plainEnd = last;
    this.pos = p;
  }

  private finishPlain(at: number): unknown {
    const value = resolvePlainScalar(this.src.slice(at, this.plainEnd));
    // scanPlain stopped at the line feed or at the comment's `#`.
    this.contentLine(this.lineEnd(this.pos) + 1);
    return value;
  }

  /** Whether a plain scalar can start here (js-yaml's canStartPlainScalar; `:` + space is an empty key). */
  private startsPlain(c: number, at: number): boolean {
    switch (c) {
      case Ch.Space:
      case Ch.Tab:
      case Ch.LineFeed:
      case Ch.End:
      case Ch.Hash:
      case Ch.Ampersand:
      case Ch.Star:
      case Ch.Bang:
      case Ch.Pipe:
      case Ch.Greater:
      case Ch.SingleQuote:
      case Ch.DoubleQuote:
      case Ch.Percent:
      case Ch.At:
      case Ch.Backtick:
      case Ch.Comma:
      case Ch.OpenBracket:
      case Ch.CloseBracket:
      case Ch.OpenBrace:
      case Ch.CloseBrace:
        return false;
      case Ch.Question:
      case Ch.Dash:
      case Ch.Colon: {
        const n = this.code(at + 1);
        return !(n === Ch.Space || n === Ch.Tab || n === Ch.LineFeed || n === Ch.End);
      }
    }
    return true;
  }

  /**
   * Scans a one-line plain scalar from `at`: `plainEnd` is the end of its text
   * (trailing white space dropped), `pos` where it stopped and `plainStop` why.
   */
  private scanPlain(at: number): void {
    const { src } = this;
    let last = at;
    let p = at;
    let wide = false;
    for (;;) {
      const c = src.charCodeAt(p);
      if (c === Ch.Colon) {
        const n = src.charCodeAt(p + 1);
        if (n === Ch.Space || n === Ch.LineFeed || n === Ch.End) {
          this.plainStop = PlainStop.KeyIndicator;
          break;
        }
        if (n === Ch.Tab) throw new Declined('tab after a colon');
        last = p + 1;
      } else if (c === Ch.LineFeed || c === Ch.End) {
        this.plainStop = PlainStop.LineEnd;
        break;
      } else if (c === Ch.Space || c === Ch.Tab) {
        if (src.charCodeAt(p + 1) === Ch.Hash) {
          this.plainStop = PlainStop.Comment;
          p++;
          break;
        }
      } else {
        if (c < Ch.Space) throw new Declined('control character');
        if (c >= Ch.Delete) wide = true;
        last = p + 1;
      }
      p++;
    }
    if (wide && NON_PRINTABLE.test(src.slice(at, last))) throw new Declined('non-printable character');
    this.plainEnd = last;
    this.pos = p;
  }

  /** A quoted scalar on one line; `pos` is at the opening quote and ends after the closing one. */
  private quoted(quote: number): string {
    const { src } = this;
    const start = this.pos + 1;
    let p = start;
    let simple = true;
    if (quote === Ch.SingleQuote) {
      for (;;) {
        const c = src.charCodeAt(p);
        if (c === Ch.SingleQuote) {
          if (src.charCodeAt(p + 1) !== Ch.SingleQuote) break;
          simple = false;
          p += 2;
        } else if (c === Ch.LineFeed || c === Ch.End) {
          throw new Declined('multi-line quoted scalar');
        } else {
          if (c < Ch.Space && c !== Ch.Tab) throw new Declined('control character');
          p++;
        }
      }
    } else {
      for (;;) {
        const c = src.charCodeAt(p);
        if (c === Ch.DoubleQuote) break;
        if (c === Ch.Backslash) {
          simple = false;
          p += 2 + escapeLength(src, p + 1);
        } else if (c === Ch.LineFeed || c === Ch.End) {
          throw new Declined('multi-line quoted scalar');
        } else {
          if (c < Ch.Space && c !== Ch.Tab) throw new Declined('control character');
          p++;
        }
      }
    }
    this.pos = p + 1;
    if (simple) return src.slice(start, p);
    return getScalarValue(src, scalarEvent(quote === Ch.SingleQuote ? SCALAR_STYLE.SINGLE_QUOTED : SCALAR_STYLE.DOUBLE_QUOTED, start, p, CHOMPING_MODE.CLIP, -1));
  }

  /**
   * A literal or folded block scalar; `pos` is at `|` or `>`. Lines are taken
   * exactly as js-yaml's readBlockScalar takes them, and their text is decoded
   * by js-yaml's own getScalarValue.
   */
  private blockScalar(indent: number): string {
    const { src } = this;
    const folded = src.charCodeAt(this.pos) === Ch.Greater;
    let chomping: ChompingMode = CHOMPING_MODE.CLIP;
    let explicit = 0;
    let p = this.pos + 1;
    let c = src.charCodeAt(p);
    for (;; c = src.charCodeAt(++p)) {
      if (c === Ch.Plus || c === Ch.Dash) {
        if (chomping !== CHOMPING_MODE.CLIP) throw new Declined('block scalar header');
        chomping = c === Ch.Plus ? CHOMPING_MODE.KEEP : CHOMPING_MODE.STRIP;
      } else if (c >= Ch.Zero && c <= Ch.Nine) {
        if (c === Ch.Zero || explicit) throw new Declined('block scalar header');
        explicit = c - Ch.Zero;
      } else {
        break;
      }
    }
    let white = false;
    while (c === Ch.Space || c === Ch.Tab) {
      white = true;
      c = src.charCodeAt(++p);
    }
    if (white && c === Ch.Hash) {
      p = this.lineEnd(p);
      c = src.charCodeAt(p);
    }
    if (c === Ch.LineFeed) p++;
    else if (c !== Ch.End) throw new Declined('block scalar header');

    const parent = indent + 1;
    const detected = explicit > 0;
    let contentIndent = detected ? parent + explicit - 1 : -1;
    let maxLeading = 0;
    const valueStart = p;
    let valueEnd = p;
    while (p < this.end) {
      const line = p;
      let column = 0;
      while (src.charCodeAt(line + column) === Ch.Space) column++;
      const first = src.charCodeAt(line + column);
      if (first === Ch.End) {
        if (contentIndent >= 0 ? column > contentIndent : column > 0) valueEnd = line + column;
        p = this.end;
        break;
      }
      if (column === 0 && (this.isDocumentMarker(line, Ch.Dash) || this.isDocumentMarker(line, Ch.Dot))) break;
      const empty = first === Ch.LineFeed;
      if (!detected && contentIndent === -1) {
        if (empty) {
          if (column > maxLeading) maxLeading = column;
        } else if ((first === Ch.Tab && column < parent) || (column >= parent && column < maxLeading)) {
          throw new Declined('block scalar indentation');
        }
      }
      if (!empty) {
        if (contentIndent === -1) {
          if (column < parent) break;
          contentIndent = column;
        }
        if (column < contentIndent) break;
      }
      const lf = src.indexOf('\n', line + column);
      if (lf < 0) {
        valueEnd = p = this.end;
        break;
      }
      valueEnd = p = lf + 1;
    }
    if (NON_PRINTABLE.test(src.slice(valueStart, valueEnd))) throw new Declined('non-printable character');
    const value = getScalarValue(src, scalarEvent(folded ? SCALAR_STYLE.FOLDED_BLOCK : SCALAR_STYLE.LITERAL_BLOCK, valueStart, valueEnd, chomping, contentIndent));
    this.contentLine(p);
    return value;
  }
}

/** Characters after the backslash of a double-quoted escape at `at`, minus one; declines what js-yaml would refuse or fold. */
function escapeLength(src: string, at: number): number {
  const c = src.charCodeAt(at);
  switch (c) {
    case 48: // 0
    case 97: // a
    case 98: // b
    case 116: // t
    case 9: // tab
    case 110: // n
    case 118: // v
    case 102: // f
    case 114: // r
    case 101: // e
    case 32: // space
    case 34: // "
    case 47: // /
    case 92: // \
    case 78: // N
    case 95: // _
    case 76: // L
    case 80: // P
      return 0;
  }
  const digits = c === 120 ? 2 : c === 117 ? 4 : c === 85 ? 8 : 0; // \x \u \U
  if (digits === 0) throw new Declined(c === Ch.LineFeed ? 'multi-line quoted scalar' : 'unknown escape');
  for (let i = 1; i <= digits; i++) if (!isHex(src.charCodeAt(at + i))) throw new Declined('bad hex escape');
  return digits;
}

function isFlowIndicator(c: number): boolean {
  return c === Ch.Comma || c === Ch.OpenBracket || c === Ch.CloseBracket || c === Ch.OpenBrace || c === Ch.CloseBrace;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function scalarEvent(style: ScalarEvent['style'], valueStart: number, valueEnd: number, chomping: ChompingMode, indent: number): ScalarEvent {
  return { type: EVENT_ID.SCALAR, valueStart, valueEnd, anchorStart: -1, anchorEnd: -1, tagStart: -1, tagEnd: -1, style, chomping, indent, fast: false };
}
