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
 * file with a handful of `<<: *defaults` merges is far below it. Two bounds
 * go-yaml does without, far above what a file written by hand holds: alias copies may
 * add at most MAX_COPIED_TEXT characters of scalar text (a long string aliased
 * thousands of times is a bomb of few nodes, and chartctl writes values out for
 * helm), and a document may hold at most MAX_ALIAS_NODES aliases (the `yaml`
 * package looks each alias up in a list of every anchor and alias before it, so
 * many thousands of them take quadratic time).
 */
export const MAX_ALIAS_NODES = 10_000;
/** Node counts miss one long string aliased many times; in characters of scalar text, copies may add this much. */
export const MAX_COPIED_TEXT = 10_000_000;
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

/** What a node stands for once its aliases are expanded: nodes, and characters of scalar text. */
interface Size {
  nodes: number;
  text: number;
}

const ALIAS_NODE: Size = { nodes: 1, text: 0 };

function grow(into: Size, by: Size): void {
  into.nodes += by.nodes;
  into.text += by.text;
}

/** The expanded size of one document, counted node by node in document order. */
class AliasBudget {
  private readonly expanded: Size = { nodes: 0, text: 0 };
  private readonly copies: Size = { nodes: 0, text: 0 };
  private aliases = 0;

  node(size: Size): void {
    grow(this.expanded, size);
  }

  /** An alias standing for `target`: the alias itself is a node, what it expands to are copies. */
  alias(target: Size, name: string, offset: number): void {
    const refuse = (reason: string) => new Refused({ offset, reason });
    if (++this.aliases > MAX_ALIAS_NODES) throw refuse(`more than ${MAX_ALIAS_NODES.toLocaleString('en-US')} aliases in one document`);
    grow(this.expanded, ALIAS_NODE);
    grow(this.expanded, target);
    grow(this.copies, target);
    const { nodes } = this.expanded;
    const copies = this.copies.nodes;
    // The share of copies only grows while an alias expands, so checking once at its end is go-yaml's per-node check.
    if (copies > 100 && nodes > 1000 && copies / nodes > allowedAliasRatio(nodes)) {
      throw refuse(`excessive aliasing: with *${name} the document expands to ${nodes.toLocaleString('en-US')} nodes, ${Math.floor((100 * copies) / nodes)}% of them alias copies (an alias bomb; helm refuses it too)`);
    }
    if (this.copies.text > MAX_COPIED_TEXT) throw refuse(`excessive aliasing: with *${name} the aliases copy more than ${MAX_COPIED_TEXT / 1_000_000} MB of text (an alias bomb)`);
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
  size: Size;
  open: boolean;
}

const NOTHING: Size = { nodes: 0, text: 0 };

/** js-yaml's event stream (every document in it) against the alias rule. */
export function findAliasProblem(events: readonly Event[], source: string): AliasProblem | undefined {
  if (!events.some((e) => e.type === EVENT_ID.ALIAS)) return undefined;
  return refusedOf(() => {
    let budget = new AliasBudget();
    let anchors = new Map<string, Anchored>();
    // Expanded size of each open collection, and the anchor it defines (if any).
    const open: { size: Size; anchor?: Anchored }[] = [];
    const add = (size: Size) => {
      const top = open[open.length - 1];
      if (top) grow(top.size, size);
    };
    for (const event of events) {
      switch (event.type) {
        case EVENT_ID.DOCUMENT:
          budget = new AliasBudget();
          anchors = new Map();
          open.length = 0;
          break;
        case EVENT_ID.SCALAR: {
          const size = { nodes: 1, text: event.valueEnd - event.valueStart };
          budget.node(size);
          if (event.anchorStart >= 0) anchors.set(source.slice(event.anchorStart, event.anchorEnd), { size, open: false });
          add(size);
          break;
        }
        case EVENT_ID.SEQUENCE:
        case EVENT_ID.MAPPING: {
          const size = { nodes: 1, text: 0 };
          budget.node(size);
          let anchor: Anchored | undefined;
          if (event.anchorStart >= 0) anchors.set(source.slice(event.anchorStart, event.anchorEnd), (anchor = { size, open: true }));
          open.push({ size, anchor });
          break;
        }
        case EVENT_ID.ALIAS: {
          const name = source.slice(event.anchorStart, event.anchorEnd);
          const offset = Math.max(0, event.anchorStart - 1);
          const target = anchors.get(name);
          // An unknown anchor is the constructor's error to report.
          if (target?.open) budget.cycle(name, offset);
          budget.alias(target?.size ?? NOTHING, name, offset);
          add(ALIAS_NODE);
          add(target?.size ?? NOTHING);
          break;
        }
        case EVENT_ID.POP: {
          const done = open.pop();
          if (!done) break;
          if (done.anchor) done.anchor.open = false;
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
  const sizeOf = (node: unknown, into: Size): void => {
    if (yaml.isPair(node)) {
      sizeOf(node.key, into);
      sizeOf(node.value, into);
      return;
    }
    if (yaml.isAlias(node)) {
      const offset = node.range?.[0] ?? 0;
      const target = anchors.get(node.source);
      if (target?.open) budget.cycle(node.source, offset);
      budget.alias(target?.size ?? NOTHING, node.source, offset);
      if (target) targets.set(node, target.node);
      grow(into, ALIAS_NODE);
      grow(into, target?.size ?? NOTHING);
      return;
    }
    if (!yaml.isScalar(node) && !yaml.isMap(node) && !yaml.isSeq(node)) return;
    const size = { nodes: 1, text: yaml.isScalar(node) && node.range ? node.range[1] - node.range[0] : 0 };
    budget.node(size);
    const anchor = node.anchor ? { node, size, open: true } : undefined;
    if (anchor) anchors.set(node.anchor!, anchor);
    if (!yaml.isScalar(node)) for (const item of node.items) sizeOf(item, size);
    if (anchor) anchor.open = false;
    grow(into, size);
  };
  const problem = refusedOf(() => sizeOf(doc.contents, { nodes: 0, text: 0 }));
  return problem ? { targets, problem } : { targets };
}
