import { EVENT_ID, YAMLException, constructFromEvents, parseEvents, type Event, type LoadOptions } from 'js-yaml';
import type { Alias, Document, Node as YamlNode, isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import { ChartctlError } from './errors.js';

/**
 * Alias bombs: a few hundred bytes of nested anchors (`&a [*b, *b, …]`) stand for
 * billions of nodes. Both parsers share an aliased value by reference, so parsing
 * is quick and the blow-up comes later, when the value is merged, dumped or
 * stringified. Every YAML file chartctl did not write is counted here first, in
 * one pass over what the parser produced, and refused before anything walks it.
 *
 * The rule is go-yaml's (the parser helm uses, decode.go): counting the nodes of
 * the document as if every alias were expanded, refuse once more than 100 of
 * them are alias copies, the document has passed 1,000 nodes, and the share of
 * copies exceeds 99% up to 400,000 nodes, falling to 10% at 4,000,000. A values
 * file with a handful of `<<: *defaults` merges is far below it; anything helm
 * would load, chartctl loads. On top of it, a document may hold at most
 * MAX_ALIAS_NODES aliases: the `yaml` package looks each alias up in a list of
 * every anchor and alias before it, so many thousands of them take quadratic time.
 */
export const MAX_ALIAS_NODES = 10_000;
const ALIAS_RATIO_RANGE_LOW = 400_000;
const ALIAS_RATIO_RANGE_HIGH = 4_000_000;

function allowedAliasRatio(nodes: number): number {
  if (nodes <= ALIAS_RATIO_RANGE_LOW) return 0.99;
  if (nodes >= ALIAS_RATIO_RANGE_HIGH) return 0.1;
  return 0.99 - (0.89 * (nodes - ALIAS_RATIO_RANGE_LOW)) / (ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW);
}

export interface AliasLimitOptions {
  /** The file (or S3 key, with its environment) named in the error. */
  file: string;
  /** What to do next; the default says how to rewrite the aliases. */
  hint?: string;
}

const DEFAULT_HINT = 'Write the repeated values out instead of nesting anchors and aliases (&name / *name); a few anchors and "<<:" merges are fine.';

/** Why a document is refused, at the alias that tipped it (`offset` into the text that was parsed). */
export interface AliasProblem {
  offset: number;
  reason: string;
}

/** Ends a walk early; never escapes this module. */
class Refused {
  constructor(readonly problem: AliasProblem) {}
}

/** The expanded size of one document, counted node by node in document order. */
class AliasBudget {
  private nodes = 0;
  private copies = 0;
  private aliases = 0;

  node(): void {
    this.nodes++;
  }

  /** An alias standing for `size` nodes: the alias itself is a node, what it expands to are copies. */
  alias(size: number, name: string, offset: number): void {
    if (++this.aliases > MAX_ALIAS_NODES) throw new Refused({ offset, reason: `more than ${MAX_ALIAS_NODES.toLocaleString('en-US')} aliases in one document` });
    this.nodes += 1 + size;
    this.copies += size;
    // The share of copies only grows while an alias expands, so checking once at its end is go-yaml's per-node check.
    if (this.copies > 100 && this.nodes > 1000 && this.copies / this.nodes > allowedAliasRatio(this.nodes)) {
      const share = Math.floor((100 * this.copies) / this.nodes);
      throw new Refused({ offset, reason: `excessive aliasing: with *${name} the document expands to ${this.nodes.toLocaleString('en-US')} nodes, ${share}% of them alias copies (an alias bomb; helm refuses it too)` });
    }
  }

  cycle(name: string, offset: number): never {
    throw new Refused({ offset, reason: `alias *${name} is inside the node it refers to (a value that contains itself)` });
  }
}

function refusedOf(walk: () => void): AliasProblem | undefined {
  try {
    walk();
    return undefined;
  } catch (err) {
    if (err instanceof Refused) return err.problem;
    throw err;
  }
}

/** The ChartctlError for a refused file: file:line:col of the alias, the reason, a hint. */
export function aliasLimitError(problem: AliasProblem, source: string, options: AliasLimitOptions): ChartctlError {
  const before = source.slice(0, problem.offset);
  const line = before.split('\n').length;
  const col = problem.offset - before.lastIndexOf('\n');
  return new ChartctlError(`${options.file}:${line}:${col}: refused: ${problem.reason}.`, { code: 'YAML_ALIAS_LIMIT', hint: options.hint ?? DEFAULT_HINT });
}

interface Anchored {
  size: number;
  open: boolean;
}

/** js-yaml's event stream (every document in it) against the alias rule. */
export function findAliasProblem(events: readonly Event[], source: string): AliasProblem | undefined {
  if (!events.some((e) => e.type === EVENT_ID.ALIAS)) return undefined;
  return refusedOf(() => {
    let budget = new AliasBudget();
    let anchors = new Map<string, Anchored>();
    // Expanded size of each open collection, and the anchor it defines (if any).
    const open: { size: number; anchor?: Anchored }[] = [];
    const add = (size: number) => {
      const top = open[open.length - 1];
      if (top) top.size += size;
    };
    for (const event of events) {
      switch (event.type) {
        case EVENT_ID.DOCUMENT:
          budget = new AliasBudget();
          anchors = new Map();
          open.length = 0;
          break;
        case EVENT_ID.SCALAR:
          budget.node();
          if (event.anchorStart >= 0) anchors.set(source.slice(event.anchorStart, event.anchorEnd), { size: 1, open: false });
          add(1);
          break;
        case EVENT_ID.SEQUENCE:
        case EVENT_ID.MAPPING: {
          budget.node();
          let anchor: Anchored | undefined;
          if (event.anchorStart >= 0) anchors.set(source.slice(event.anchorStart, event.anchorEnd), (anchor = { size: 0, open: true }));
          open.push({ size: 1, anchor });
          break;
        }
        case EVENT_ID.ALIAS: {
          const name = source.slice(event.anchorStart, event.anchorEnd);
          const offset = Math.max(0, event.anchorStart - 1);
          const target = anchors.get(name);
          // An unknown anchor is the constructor's error to report.
          if (target?.open) budget.cycle(name, offset);
          budget.alias(target?.size ?? 0, name, offset);
          add(1 + (target?.size ?? 0));
          break;
        }
        case EVENT_ID.POP: {
          const done = open.pop();
          if (!done) break;
          if (done.anchor) {
            done.anchor.size = done.size;
            done.anchor.open = false;
          }
          add(done.size);
          break;
        }
      }
    }
  });
}

/** For code that reports js-yaml's own errors (per manifest document): the refusal as js-yaml reports its limits. */
export function checkAliasEvents(events: readonly Event[], source: string, filename?: string): void {
  const problem = findAliasProblem(events, source);
  if (problem) YAMLException.throwAt(source, problem.offset, problem.reason, filename);
}

/** js-yaml's load with the alias rule, refusing as js-yaml refuses its own limits (a YAMLException), for code that reports those. */
export function loadYamlDocument(text: string, options: Pick<LoadOptions, 'schema' | 'json' | 'filename'> = {}): unknown {
  const events = parseEvents(text, { filename: options.filename });
  checkAliasEvents(events, text, options.filename);
  return single(constructFromEvents(events, { ...options, source: text }));
}

export type YamlLoadOptions = Pick<LoadOptions, 'schema' | 'json' | 'filename'> & AliasLimitOptions;

/** js-yaml's loadAll with the alias rule between parsing and constructing; a refusal is YAML_ALIAS_LIMIT naming the file. */
export function loadAllYaml(text: string, options: YamlLoadOptions): unknown[] {
  const { file, hint, ...jsYaml } = options;
  const events = parseEvents(text, { filename: jsYaml.filename });
  const problem = findAliasProblem(events, text);
  if (problem) throw aliasLimitError(problem, text, { file, hint });
  return constructFromEvents(events, { ...jsYaml, source: text });
}

/** js-yaml's load (exactly one document) with the alias rule. */
export function loadYaml(text: string, options: YamlLoadOptions): unknown {
  return single(loadAllYaml(text, options));
}

function single(documents: unknown[]): unknown {
  if (documents.length === 0) throw new YAMLException('expected a document, but the input is empty');
  if (documents.length > 1) throw new YAMLException('expected a single document in the stream, but found more');
  return documents[0];
}

/** The `yaml` package's node tests; passed in so this module does not load the package (yaml-source.ts loads it lazily). */
export interface YamlNodeTests {
  isAlias: typeof isAlias;
  isMap: typeof isMap;
  isSeq: typeof isSeq;
  isPair: typeof isPair;
  isScalar: typeof isScalar;
}

/**
 * A document parsed by the `yaml` package against the alias rule, and what
 * each alias refers to: the last node anchored with its name before it, as
 * Alias.resolve finds it, but in one pass instead of a walk of the document
 * per alias.
 */
export function checkYamlDocumentAliases(doc: Document, yaml: YamlNodeTests): { targets: Map<Alias, YamlNode>; problem?: AliasProblem } {
  const targets = new Map<Alias, YamlNode>();
  const budget = new AliasBudget();
  const anchors = new Map<string, { node: YamlNode } & Anchored>();
  const sizeOf = (node: unknown): number => {
    if (yaml.isPair(node)) return sizeOf(node.key) + sizeOf(node.value);
    if (yaml.isAlias(node)) {
      const offset = node.range?.[0] ?? 0;
      const target = anchors.get(node.source);
      if (target?.open) budget.cycle(node.source, offset);
      budget.alias(target?.size ?? 0, node.source, offset);
      if (target) targets.set(node, target.node);
      return 1 + (target?.size ?? 0);
    }
    if (!yaml.isScalar(node) && !yaml.isMap(node) && !yaml.isSeq(node)) return 0;
    budget.node();
    const anchor = node.anchor ? { node, size: 1, open: true } : undefined;
    if (anchor) anchors.set(node.anchor!, anchor);
    let size = 1;
    if (!yaml.isScalar(node)) for (const item of node.items) size += sizeOf(item);
    if (anchor) {
      anchor.size = size;
      anchor.open = false;
    }
    return size;
  };
  const problem = refusedOf(() => sizeOf(doc.contents));
  return problem ? { targets, problem } : { targets };
}
