import { EVENT_ID, YAMLException, constructFromEvents, parseEvents, type Event } from 'js-yaml';
import { readBlockYaml } from './block-yaml-reader.js';
import { KUBERNETES_YAML_SCHEMA } from './kube-yaml.js';
import { checkAliasEvents } from '../yaml-limits.js';
import { LineIndex } from './line-index.js';
import { nodeOffset, walkDocument, type PathSegment } from './yaml-events.js';

/** One non-empty document of a manifest file or stream. */
export interface InputDocument {
  /** File path as shown to the user, `stdin`, or the environment that was rendered. */
  file: string;
  /** 0-based position among the non-empty documents of the file. */
  index: number;
  /** 1-based line of the document's first node (its first key). */
  line: number;
  /** Template that produced it, from helm's `# Source:` comment. */
  source?: string;
  /** The parsed document; absent when it could not be parsed. */
  value?: unknown;
  error?: { message: string; line: number; col: number };
  /** Mapping keys given twice (only looked for when asked to). */
  duplicateKeys: { path: PathSegment[]; key: string; line: number; col: number }[];
  /** The document's text, for locating a path within it later. */
  text: () => string;
  /** Line of the first character of `text()` in the file, so positions within it map back. */
  textLine: number;
}

export interface ReadOptions {
  /** Report duplicate mapping keys (strict mode); otherwise the last one wins, as in the API server's decoder. */
  duplicateKeys: boolean;
}

/**
 * Splits and parses a manifest file. Documents in the block style helm renders
 * are read by the block reader; any document it declines is parsed by js-yaml
 * on its own, and when that fails the whole file goes the js-yaml way, so a
 * broken document is reported exactly as js-yaml reports it.
 */
export function readManifestText(file: string, text: string, options: ReadOptions): InputDocument[] {
  if (!options.duplicateKeys && file.endsWith('.json')) {
    const json = tryJson(file, text);
    if (json) return json;
  }
  const lines = new LineIndex(text);
  const stream = readBlockYaml(text, options);
  if ('declined' in stream) return readWithJsYaml(file, text, lines, options);
  const parsed: ParsedDocument[] = [];
  const { documents } = stream;
  for (let d = 0; d < documents.length; d++) {
    const doc = documents[d]!;
    if (doc.kind === 'read') {
      parsed.push(doc);
      continue;
    }
    // Declined documents next to each other go to js-yaml in one call: it has a fixed cost per call.
    let end = doc.end;
    for (let next = documents[d + 1]; next?.kind === 'declined' && next.start === end; next = documents[d + 1]) {
      end = next.end;
      d++;
    }
    try {
      for (const one of parseWithJsYaml(text.slice(doc.start, end), options)) parsed.push(shift(one, doc.start));
    } catch {
      return readWithJsYaml(file, text, lines, options);
    }
  }
  return toInputDocuments(file, text, 0, lines, parsed, text);
}

/** The same, with js-yaml reading every document: the reference the block reader is held to. */
export function readManifestTextWithJsYaml(file: string, text: string, options: ReadOptions): InputDocument[] {
  if (!options.duplicateKeys && file.endsWith('.json')) {
    const json = tryJson(file, text);
    if (json) return json;
  }
  return readWithJsYaml(file, text, new LineIndex(text), options);
}

/**
 * The whole text is parsed in one pass (js-yaml has a fixed cost per call, so
 * per-document calls would double the time); when that fails, each document
 * is parsed on its own so a broken one is reported at its file:line:col and
 * the others are still validated.
 */
function readWithJsYaml(file: string, text: string, lines: LineIndex, options: ReadOptions): InputDocument[] {
  try {
    return toInputDocuments(file, text, 0, lines, parseWithJsYaml(text, options), text);
  } catch {
    return parseEachDocument(file, text, lines, options);
  }
}

function tryJson(file: string, text: string): InputDocument[] | undefined {
  if (text.trim() === '') return [];
  try {
    const value = JSON.parse(text) as unknown;
    return [{ file, index: 0, line: 1 + (text.match(/^\s*/)![0].match(/\n/g)?.length ?? 0), value, duplicateKeys: [], text: () => text, textLine: 1 }];
  } catch {
    return undefined;
  }
}

/** One document as a parser gives it, offsets in the text it was given (the root's is -1 for an empty document). */
interface ParsedDocument {
  offset: number;
  value: unknown;
  duplicates: { path: PathSegment[]; key: string; offset: number }[];
}

/** Parses `text` with js-yaml; throws on any YAML error. */
function parseWithJsYaml(text: string, options: ReadOptions): ParsedDocument[] {
  const events = parseEvents(text, {});
  const docs: ParsedDocument[] = [];
  for (let i = 0; i < events.length; i++) {
    if (events[i]!.type !== EVENT_ID.DOCUMENT) continue;
    const root = events[i + 1];
    const duplicates: ParsedDocument['duplicates'] = [];
    if (options.duplicateKeys) walkDocument(events, i, text, undefined, (path, key, offset) => duplicates.push({ path: [...path], key, offset }));
    docs.push({ offset: root ? nodeOffset(root as Event) : -1, value: undefined, duplicates });
  }
  checkAliasEvents(events, text);
  const values = constructFromEvents(events, { source: text, json: true, schema: KUBERNETES_YAML_SCHEMA, maxAliases: 1000 });
  docs.forEach((doc, d) => (doc.value = values[d]));
  return docs;
}

function shift(doc: ParsedDocument, by: number): ParsedDocument {
  return {
    offset: doc.offset < 0 ? doc.offset : doc.offset + by,
    value: doc.value,
    duplicates: doc.duplicates.map((d) => ({ ...d, offset: d.offset + by })),
  };
}

/** Documents of `text` (the whole file, or one document of it starting at `base`), with what locates them in the file. */
function toInputDocuments(file: string, text: string, base: number, lines: LineIndex, parsed: readonly ParsedDocument[], fullText: string): InputDocument[] {
  const docs: InputDocument[] = [];
  const starts = parsed.map((p) => documentStart(text, p.offset));
  // A document's text runs to the start of the next one that has a root node; an empty
  // document (`---` with nothing after it) has no start of its own, so it stays with the one before.
  const ends = new Array<number>(parsed.length);
  for (let d = parsed.length - 1, end = text.length; d >= 0; d--) {
    ends[d] = end;
    if (parsed[d]!.offset >= 0) end = starts[d]!;
  }
  for (let d = 0; d < parsed.length; d++) {
    const { value, offset } = parsed[d]!;
    if (value === null || value === undefined) continue;
    const start = starts[d]!;
    const end = ends[d]!;
    const textLine = lines.position(base + start).line;
    docs.push({
      file,
      index: docs.length,
      line: lines.position(base + Math.max(offset, 0)).line,
      source: sourceComment(text, start, offset),
      value,
      duplicateKeys: parsed[d]!.duplicates.map(({ path, key, offset: at }) => ({ path, key, ...lines.position(base + at) })),
      text: () => fullText.slice(base + start, base + end),
      textLine,
    });
  }
  return docs;
}

/** Per-document fallback: a document that does not parse becomes an error at its file:line:col. */
function parseEachDocument(file: string, text: string, lines: LineIndex, options: ReadOptions): InputDocument[] {
  const docs: InputDocument[] = [];
  for (const [start, end] of documentSpans(text)) {
    const chunk = text.slice(start, end);
    if (!hasContent(chunk)) continue;
    try {
      docs.push(...toInputDocuments(file, chunk, start, lines, parseWithJsYaml(chunk, options), text));
    } catch (err) {
      const mark = err instanceof YAMLException ? err.mark : undefined;
      const at = lines.position(start + (mark?.position ?? 0));
      const offset = chunk.search(/^[^#\s-]/m);
      docs.push({
        file,
        index: -1,
        line: lines.position(start + Math.max(offset, 0)).line,
        source: sourceComment(chunk, 0, offset < 0 ? chunk.length : offset),
        error: { message: err instanceof YAMLException ? err.reason : String(err), line: at.line, col: at.col },
        duplicateKeys: [],
        text: () => chunk,
        textLine: lines.position(start).line,
      });
    }
  }
  return docs.map((doc, index) => ({ ...doc, index }));
}

/** [start, end) of each document, split at `---` and `...` lines; a `---` line stays with the document it opens ("--- {a: 1}" is legal). */
function documentSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  let start = 0;
  for (const m of text.matchAll(/^(---|\.\.\.)(?=[ \t]|\r?$)/gm)) {
    if (m.index > start) spans.push([start, m.index]);
    if (m[1] === '...') {
      const eol = text.indexOf('\n', m.index);
      start = eol < 0 ? text.length : eol + 1;
    } else {
      start = m.index;
    }
  }
  if (start < text.length) spans.push([start, text.length]);
  return spans;
}

function hasContent(chunk: string): boolean {
  return /^(?![ \t]*#)(?!---[ \t]*\r?$)(?!\.\.\.[ \t]*\r?$)[ \t]*\S/m.test(chunk);
}

/** Start of the text belonging to the document whose root node is at `offset`: the `---` line before it, or the file start. */
function documentStart(text: string, offset: number): number {
  if (offset < 0) return 0;
  const sep = text.lastIndexOf('\n---', offset);
  return sep < 0 ? 0 : sep + 1;
}

function sourceComment(text: string, from: number, to: number): string | undefined {
  if (to <= from) return undefined;
  const segment = text.slice(from, to);
  const at = segment.indexOf('# Source: ');
  if (at < 0) return undefined;
  const lineEnd = segment.indexOf('\n', at);
  return segment.slice(at + '# Source: '.length, lineEnd < 0 ? undefined : lineEnd).trim() || undefined;
}
