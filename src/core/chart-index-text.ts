import { serializeChartSection, type IndexEntry } from './chart-index.js';
import { newestFirstPosition } from './chart-version.js';
import { helmSemver } from './helm-index-entry.js';
import { emitGoYaml, goYamlKeyCompare, isSafePlain, plainOrQuoted, simpleKeyText } from './go-yaml-style.js';

/**
 * Adding one version to index.yaml without parsing and re-emitting all of it.
 *
 * A 10,000-entry index takes ~0.3 s to parse and about as long to write again,
 * for a change of twenty lines. When the text is exactly what
 * serializeChartIndex writes (go-yaml v2's layout, which `helm repo index`
 * writes too), the new entry is spliced in, and the result is byte for byte
 * what parse → withEntry → serialize would have written.
 *
 * The scan reads every line, because a document js-yaml refuses must never be
 * taken for a valid one, but it only accepts what the emitter writes: block
 * mappings with keys in go-yaml order, sequences at their key's indentation,
 * strings plain (folded the emitter's way) or double-quoted exactly as the
 * emitter quotes them, `true`/`false`, `{}` and `[]`. Anything else (tabs, CRLF,
 * comments, anchors, tags, flow collections, document markers, nulls, numbers,
 * unsorted or duplicate keys, duplicate versions, values the parser would
 * normalise) and it declines: the caller then takes the full path, which also
 * raises INDEX_CORRUPT for what is really broken. Declining is always safe;
 * accepting something it does not fully understand could corrupt a repository.
 */

interface Span {
  start: number;
  end: number;
}

/** `  name:` and its versions under `entries:`; `empty` for `  name: []`. */
interface ChartSpan extends Span {
  name: string;
  empty: boolean;
}

/** One `  - ...` item of the scanned chart. */
interface VersionSpan extends Span {
  version: string;
  digest: string | undefined;
}

export interface IndexTextScan {
  readonly text: string;
  /** The chart the scan looked at in detail. */
  readonly chart: string;
  readonly charts: readonly ChartSpan[];
  /** The chart's versions as listed; undefined when the index has no such chart. */
  readonly versions: readonly VersionSpan[] | undefined;
  /** The `entries:` block; `empty` for `entries: {}`. */
  readonly entries: Span & { empty: boolean };
  readonly generated: Span;
}

export interface ListedVersion {
  digest: string | undefined;
}

/** The layout check of `text` with `chart`'s versions located, or undefined when the text is not in the layout the splice understands. */
export function scanIndexText(text: string, chart: string): IndexTextScan | undefined {
  if (!text.endsWith('\n') || UNEXPECTED_CHARACTER.test(text) || (/[\ud800-\udfff]/.test(text) && LONE_SURROGATE.test(text))) return undefined;
  try {
    return new Scanner(text, chart).scan();
  } catch (err) {
    // A pathologically deep document overflows the stack: the full parser decides what it is.
    if (err === NOT_IN_LAYOUT || err instanceof RangeError) return undefined;
    throw err;
  }
}

/** What the index lists for `version` of the scanned chart (first match, like findEntry), or undefined. */
export function listedVersion(scan: IndexTextScan, version: string): ListedVersion | undefined {
  const found = scan.versions?.find((v) => v.version === version);
  return found && { digest: found.digest };
}

/**
 * The index text with `entry` added to the scanned chart (replacing that version if listed, as withEntry
 * does) and `generated` updated; undefined when only the full path can do it (versions not newest first,
 * a chart listed as `[]`).
 */
export function spliceIndexEntry(scan: IndexTextScan, entry: IndexEntry, generated: Date): string | undefined {
  if (entry.name !== scan.chart) return undefined;
  const section = serializeChartSection(entry.name, [entry]);
  const edits: (Span & { text: string })[] = [];
  const chart = scan.charts.find((c) => c.name === scan.chart);
  if (chart) {
    if (chart.empty || !scan.versions) return undefined;
    const kept = scan.versions.filter((v) => v.version !== entry.version);
    const at = newestFirstPosition(kept.map((v) => v.version), entry.version);
    if (at === undefined) return undefined;
    for (const v of scan.versions) if (v.version === entry.version) edits.push({ start: v.start, end: v.end, text: '' });
    const where = at < kept.length ? kept[at]!.start : chart.end;
    edits.push({ start: where, end: where, text: section.slice(section.indexOf('\n') + 1) });
  } else if (scan.entries.empty) {
    edits.push({ start: scan.entries.start, end: scan.entries.end, text: `entries:\n${section}` });
  } else {
    const before = scan.charts.find((c) => goYamlKeyCompare(entry.name, c.name) < 0);
    const where = before ? before.start : scan.entries.end;
    edits.push({ start: where, end: where, text: section });
  }
  edits.push({ start: scan.generated.start, end: scan.generated.end, text: emitGoYaml({ generated: generated.toISOString() }) });
  edits.sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let cursor = 0;
  for (const edit of edits) {
    if (edit.start < cursor) return undefined;
    parts.push(scan.text.slice(cursor, edit.start), edit.text);
    cursor = edit.end;
  }
  parts.push(scan.text.slice(cursor));
  return parts.join('');
}

// Tabs and CR never appear in the emitter's output; the rest js-yaml refuses or (YAML 1.1) reads as line breaks.
const UNEXPECTED_CHARACTER = /[\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// What js-yaml's core schema (the one parseChartIndex uses) reads as null, a boolean or a number. The emitter
// quotes YAML 1.1's forms, which cover nearly all of these, but not e.g. `0o17` or `09`.
const CORE_NON_STRING = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
// Where the emitter starts folding plain scalars (go-yaml's best width).
const FOLD_WIDTH = 80;
const NOT_IN_LAYOUT = Symbol('not in the layout');

function outside(): never {
  throw NOT_IN_LAYOUT;
}

/** How a value is written: a string (in `Scanner.str`), true/false, a block mapping or sequence, `{}`, `[]`. */
type Kind = 'string' | 'boolean' | 'mapping' | 'sequence' | 'emptyMapping' | 'emptySequence';

/** What a mapping is: the document, `entries`, one index entry, its annotations, or anything else (kept as it is). */
type Role = 'root' | 'entries' | 'entry' | 'annotations' | 'other';

interface EntryFacts {
  version: string | undefined;
  digest: string | undefined;
  named: boolean;
}

/** A recursive-descent reader of the emitter's block layout, one line at a time; any surprise throws NOT_IN_LAYOUT. */
class Scanner {
  // The current line: its start, the `\n` that ends it, and its indentation (-1 past the end).
  private pos = 0;
  private end = 0;
  private indent = 0;
  /** Set by key(): where the value starts after `: `, or -1 when the line ends at the colon. */
  private valueAt = -1;
  /** Set by scalar() when the value was a string. */
  private str = '';
  private readonly charts: ChartSpan[] = [];
  private versions: VersionSpan[] | undefined;
  private entries: (Span & { empty: boolean }) | undefined;
  private generated: Span | undefined;
  private apiVersion = false;
  // Keys repeat in every entry: remember which are plain as written, and how pairs compare.
  private readonly plainKeys = new Map<string, boolean>();
  private readonly keyOrder = new Map<string, Map<string, boolean>>();
  private readonly folded = new Map<string, boolean>();

  constructor(
    private readonly text: string,
    private readonly chart: string,
  ) {
    this.load(0);
  }

  scan(): IndexTextScan {
    this.mapping(0, false, 'root');
    if (!this.apiVersion || !this.entries || !this.generated) outside();
    return { text: this.text, chart: this.chart, charts: this.charts, versions: this.versions, entries: this.entries, generated: this.generated };
  }

  private load(pos: number): void {
    const text = this.text;
    this.pos = pos;
    if (pos >= text.length) {
      this.end = pos;
      this.indent = -1;
      return;
    }
    this.end = text.indexOf('\n', pos);
    let i = pos;
    while (text.charCodeAt(i) === 32) i++;
    if (i === this.end) outside(); // the emitter writes no blank lines
    this.indent = i - pos;
  }

  private next(): void {
    this.load(this.end + 1);
  }

  private isDash(): boolean {
    const at = this.pos + this.indent;
    return this.text.charCodeAt(at) === 45 && this.text.charCodeAt(at + 1) === 32;
  }

  /** Keys at column `col`; `onDash`: the first one follows `- ` on the current line. */
  private mapping(col: number, onDash: boolean, role: Role): EntryFacts | undefined {
    const facts: EntryFacts | undefined = role === 'entry' ? { version: undefined, digest: undefined, named: false } : undefined;
    let previous: string | undefined;
    for (let first = true; ; first = false) {
      if (!(first && onDash)) {
        if (this.indent < col) break;
        if (this.indent !== col || this.isDash()) outside();
      }
      const lineStart = this.pos;
      if (col === 0 && (this.text.startsWith('---', lineStart) || this.text.startsWith('...', lineStart))) outside();
      const key = this.key(lineStart + col);
      if (previous !== undefined && !this.before(previous, key)) outside();
      previous = key;
      switch (role) {
        case 'root':
          this.rootValue(key, lineStart);
          break;
        case 'entries':
          this.chartValue(key, lineStart);
          break;
        case 'entry':
          this.entryValue(key, col, facts!);
          break;
        case 'annotations':
          // parseChartIndex turns annotation values into strings; only strings stay as they are.
          if (this.value(col, 'other') !== 'string') outside();
          break;
        default:
          this.value(col, 'other');
      }
    }
    if (previous === undefined) outside();
    if (facts && (facts.version === undefined || !facts.named)) outside();
    return facts;
  }

  private rootValue(key: string, lineStart: number): void {
    switch (key) {
      case 'apiVersion':
        if (this.value(0, 'other') !== 'string' || this.str === '') outside();
        this.apiVersion = true;
        return;
      case 'entries':
        if (this.valueAt >= 0) {
          if (this.scalar(this.valueAt, 2) !== 'emptyMapping') outside();
          this.entries = { start: lineStart, end: this.pos, empty: true };
          return;
        }
        this.next();
        if (this.indent !== 2 || this.isDash()) outside();
        this.mapping(2, false, 'entries');
        this.entries = { start: lineStart, end: this.pos, empty: false };
        return;
      case 'generated':
        if (this.value(0, 'other') !== 'string') outside();
        this.generated = { start: lineStart, end: this.pos };
        return;
      default:
        this.value(0, 'other');
    }
  }

  private chartValue(name: string, lineStart: number): void {
    const ours = name === this.chart;
    if (this.valueAt >= 0) {
      if (this.scalar(this.valueAt, 4) !== 'emptySequence') outside();
      this.charts.push({ name, start: lineStart, end: this.pos, empty: true });
      if (ours) this.versions = [];
      return;
    }
    this.next();
    if (this.indent !== 2 || !this.isDash()) outside();
    const versions: VersionSpan[] | undefined = ours ? [] : undefined;
    this.sequence(2, 'entry', versions);
    this.charts.push({ name, start: lineStart, end: this.pos, empty: false });
    if (versions) {
      if (new Set(versions.map((v) => v.version)).size !== versions.length) outside();
      // A version helm skips on load is not listed by the parse, so where the new entry goes is for the full path to decide.
      if (versions.some((v) => helmSemver(v.version) === undefined)) outside();
      this.versions = versions;
    }
  }

  private entryValue(key: string, col: number, facts: EntryFacts): void {
    switch (key) {
      case 'version':
        // parseChartIndex turns name, version and appVersion into strings; a quoted version is odd enough to leave to it.
        if (this.valueAt < 0 || this.text.charCodeAt(this.valueAt) === 34 || this.scalar(this.valueAt, col + 2) !== 'string') outside();
        facts.version = this.str;
        return;
      case 'digest':
        if (this.value(col, 'other') !== 'string') outside();
        facts.digest = this.str;
        return;
      case 'name':
      case 'appVersion':
        if (this.value(col, 'other') !== 'string') outside();
        if (key === 'name') facts.named = true;
        return;
      case 'annotations':
        // Empty annotations are dropped when serialized; anything but a mapping of strings is rewritten.
        if (this.value(col, 'annotations') !== 'mapping') outside();
        return;
      case 'urls': {
        const kind = this.value(col, 'other');
        if (kind !== 'sequence' && kind !== 'emptySequence') outside();
        return;
      }
      default:
        this.value(col, 'other');
    }
  }

  /** Items `- ` at column `col`. */
  private sequence(col: number, role: 'entry' | 'other', versions?: VersionSpan[]): void {
    while (this.indent === col && this.isDash()) {
      const start = this.pos;
      const at = start + col + 2;
      if (this.colonOf(at) >= 0) {
        const facts = this.mapping(col + 2, true, role);
        versions?.push({ start, end: this.pos, version: facts!.version!, digest: facts!.digest });
      } else if (role === 'entry' || (this.text.charCodeAt(at) === 45 && this.text.charCodeAt(at + 1) === 32)) {
        outside(); // an entry that is not a mapping, or a sequence in a sequence (the index has none)
      } else {
        this.scalar(at, col + 2);
      }
    }
    if (this.indent > col) outside();
  }

  /** The value after a key at column `col` (see valueAt). */
  private value(col: number, role: Role): Kind {
    if (this.valueAt >= 0) return this.scalar(this.valueAt, col + 2);
    this.next();
    if (this.indent === col + 2 && !this.isDash()) {
      this.mapping(col + 2, false, role);
      return 'mapping';
    }
    if (this.indent === col && this.isDash()) {
      this.sequence(col, 'other');
      return 'sequence';
    }
    return outside(); // `key:` alone is null: dropped or rewritten by the full path
  }

  /** A scalar starting at `at` whose folded lines are indented by `continuation`; moves past it. */
  private scalar(at: number, continuation: number): Kind {
    const text = this.text;
    const column = at - this.pos;
    const lineEnd = this.end;
    let kind: Kind = 'string';
    if (text.charCodeAt(at) === 34) {
      if (this.quoteEnd(at) !== lineEnd - 1) outside();
      this.str = this.json(at, lineEnd);
      if (plainOrQuoted(this.str, column, continuation) !== text.slice(at, lineEnd)) outside(); // the emitter would have written it otherwise
      this.next();
    } else if (text.charCodeAt(at) === 124) {
      this.str = this.literalBlock(at, continuation);
    } else if (text.charCodeAt(at) === 39) {
      // Single-quoted on one line (`kubeVersion: '>=1.19.0-0'`), exactly as the emitter writes it; folded ones go the full path.
      const written = text.slice(at, lineEnd);
      if (written.length < 2 || !written.endsWith("'")) outside();
      this.str = written.slice(1, -1).replace(/''/g, "'");
      if (plainOrQuoted(this.str, column, continuation) !== written) outside();
      this.next();
    } else {
      const first = text.slice(at, lineEnd);
      if (first === 'true' || first === 'false') kind = 'boolean';
      else if (first === '{}') kind = 'emptyMapping';
      else if (first === '[]') kind = 'emptySequence';
      this.next();
      if (kind === 'string') {
        let value = first;
        let last = lineEnd;
        while (this.indent === continuation) {
          value += ` ${text.slice(this.pos + continuation, this.end)}`;
          last = this.end;
          this.next();
        }
        // Most values fit on their line: then the emitter writes them plain, unfolded, if it writes them plain at all.
        const asWritten = column + value.length <= FOLD_WIDTH ? last === lineEnd && isSafePlain(value) : this.foldedAsWritten(value, text.slice(at, last), column, continuation);
        if (!asWritten || CORE_NON_STRING.test(value)) outside();
        this.str = value;
      }
    }
    if (this.indent > continuation - 2) outside();
    return kind;
  }

  /**
   * A literal block (`|`, `|-`, `|+`, `|2-`: multi-line annotations such as artifacthub.io/links) whose lines
   * are indented by `continuation` or empty; it must be exactly what the emitter writes for the text it holds.
   * Moves past it.
   */
  private literalBlock(at: number, continuation: number): string {
    const text = this.text;
    const header = text.slice(at, this.end);
    if (!/^\|2?[-+]?$/.test(header)) outside();
    const lines: string[] = [];
    let lastEnd = this.end;
    for (let pos = this.end + 1; pos < text.length; ) {
      const end = text.indexOf('\n', pos);
      let ownIndent = 0;
      while (ownIndent < continuation && text.charCodeAt(pos + ownIndent) === 32) ownIndent++;
      if (end !== pos && ownIndent < continuation) break;
      lines.push(text.slice(pos + ownIndent, end));
      lastEnd = end;
      pos = end + 1;
    }
    if (lines.length === 0) outside();
    const body = lines.join('\n');
    const value = header.endsWith('-') ? body : `${body}\n`;
    const written = plainOrQuoted(value, at - this.pos, continuation);
    if (`${written.endsWith('\n') ? written.slice(0, -1) : written}` !== text.slice(at, lastEnd)) outside();
    this.load(lastEnd + 1);
    return value;
  }

  /** Whether the emitter writes `value` at `column` exactly as `written` (the same long descriptions recur in every entry). */
  private foldedAsWritten(value: string, written: string, column: number, continuation: number): boolean {
    const key = `${column} ${continuation} ${written}`;
    let same = this.folded.get(key);
    if (same === undefined) this.folded.set(key, (same = plainOrQuoted(value, column, continuation) === written));
    return same;
  }

  /** The key at `at` (sets valueAt). */
  private key(at: number): string {
    const text = this.text;
    let key: string;
    let colon: number;
    if (text.charCodeAt(at) === 34) {
      colon = this.quoteEnd(at) + 1;
      key = this.json(at, colon);
      if (text.charCodeAt(colon) !== 58 || simpleKeyText(key) !== text.slice(at, colon)) outside();
    } else {
      colon = this.colonOf(at);
      if (colon < 0) outside();
      key = text.slice(at, colon);
      let plain = this.plainKeys.get(key);
      if (plain === undefined) {
        plain = simpleKeyText(key) === key && !CORE_NON_STRING.test(key);
        this.plainKeys.set(key, plain);
      }
      if (!plain) outside();
    }
    if (key === '__proto__') outside();
    if (colon + 1 === this.end) this.valueAt = -1;
    else if (text.charCodeAt(colon + 1) === 32 && colon + 2 < this.end) this.valueAt = colon + 2;
    else outside();
    return key;
  }

  /** The colon ending a plain key that starts at `at` (`: ` or `:` at the end of the line), or -1. */
  private colonOf(at: number): number {
    const text = this.text;
    if (text.charCodeAt(at) === 34) {
      const close = this.quoteEnd(at);
      return text.charCodeAt(close + 1) === 58 ? close + 1 : -1;
    }
    let colon = text.indexOf(':', at);
    while (colon >= 0 && colon < this.end - 1 && text.charCodeAt(colon + 1) !== 32) colon = text.indexOf(':', colon + 1);
    return colon >= 0 && colon < this.end ? colon : -1;
  }

  /** The closing quote of the double-quoted scalar at `at`, on the same line. */
  private quoteEnd(at: number): number {
    const text = this.text;
    for (let i = at + 1; i < this.end; i++) {
      const c = text.charCodeAt(i);
      if (c === 92) i++;
      else if (c === 34) return i;
    }
    return outside();
  }

  /** The string of a double-quoted scalar, which must be exactly JSON.stringify's (what the emitter writes). */
  private json(start: number, end: number): string {
    const written = this.text.slice(start, end);
    // Without escapes it is the text between the quotes (control characters and lone surrogates were ruled out).
    if (!written.includes('\\')) return written.slice(1, -1);
    let value: unknown;
    try {
      value = JSON.parse(written);
    } catch {
      outside();
    }
    if (typeof value !== 'string' || JSON.stringify(value) !== written) outside();
    return value;
  }

  /** Whether key `a` sorts before `b` in go-yaml's order (strictly: equal keys are duplicates). */
  private before(a: string, b: string): boolean {
    let known = this.keyOrder.get(a);
    if (!known) this.keyOrder.set(a, (known = new Map()));
    let less = known.get(b);
    if (less === undefined) known.set(b, (less = goYamlKeyCompare(a, b) < 0));
    return less;
  }
}
