import { EVENT_ID, getScalarValue, parseEvents, type Event } from 'js-yaml';

export type PathSegment = string | number;

/** Offset in the source where a node starts. */
export function nodeOffset(ev: Event): number {
  switch (ev.type) {
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE:
      return ev.start;
    case EVENT_ID.SCALAR:
      return ev.valueStart;
    case EVENT_ID.ALIAS:
      return ev.anchorStart - 1;
    default:
      return -1;
  }
}

interface Frame {
  kind: 'map' | 'seq';
  /** Path of this collection. */
  path: PathSegment[];
  /** For mappings: what the next child is (a complex key is 'key-open' until its POP). */
  state: 'key' | 'key-open' | 'value';
  key?: string;
  index: number;
  keys?: Set<string>;
  /** Inside a complex (non-scalar) key: its nodes have no path. */
  skipping: boolean;
}

export interface NodeVisit {
  path: PathSegment[];
  /** Start offset of the node (for a key: of the key text). */
  offset: number;
  role: 'root' | 'key' | 'value' | 'item';
}

/**
 * Walks the nodes of the one document whose DOCUMENT event is at `start`,
 * calling `visit` with each node's path; returns the index after its POP.
 * `onDuplicate` receives mapping keys seen twice in one mapping.
 */
export function walkDocument(
  events: Event[],
  start: number,
  text: string,
  visit: ((v: NodeVisit) => void) | undefined,
  onDuplicate?: (path: PathSegment[], key: string, offset: number) => void,
): number {
  const frames: Frame[] = [];
  let i = start + 1;
  for (; i < events.length; i++) {
    const ev = events[i]!;
    if (ev.type === EVENT_ID.DOCUMENT) break;
    if (ev.type === EVENT_ID.POP) {
      if (frames.length === 0) return i + 1;
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) finishChild(parent);
      continue;
    }
    const parent = frames[frames.length - 1];
    const isCollection = ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE;
    let path: PathSegment[];
    let role: NodeVisit['role'];
    let skipping = parent?.skipping ?? false;
    if (!parent) {
      path = [];
      role = 'root';
    } else if (parent.kind === 'map' && parent.state === 'key') {
      role = 'key';
      parent.state = isCollection ? 'key-open' : 'value';
      if (ev.type === EVENT_ID.SCALAR && !skipping) {
        const key = getScalarValue(text, ev);
        parent.key = key;
        if (onDuplicate && key !== '<<') {
          if (parent.keys!.has(key)) onDuplicate(parent.path, key, ev.valueStart);
          else parent.keys!.add(key);
        }
        path = [...parent.path, key];
      } else {
        parent.key = undefined;
        path = parent.path;
        skipping = true;
      }
    } else if (parent.kind === 'map') {
      role = 'value';
      path = parent.key === undefined ? parent.path : [...parent.path, parent.key];
      skipping = skipping || parent.key === undefined;
    } else {
      role = 'item';
      path = [...parent.path, parent.index];
    }
    if (visit && !skipping) visit({ path, offset: nodeOffset(ev), role });
    if (isCollection) {
      frames.push({ kind: ev.type === EVENT_ID.MAPPING ? 'map' : 'seq', path, state: 'key', index: 0, keys: onDuplicate ? new Set() : undefined, skipping });
    } else if (parent && role !== 'key') {
      finishChild(parent);
    }
  }
  return i;
}

/** A child is complete: after a complex key comes its value, after a value the next key, after an item the next item. */
function finishChild(parent: Frame): void {
  if (parent.kind === 'map') parent.state = parent.state === 'key-open' ? 'value' : 'key';
  else parent.index++;
}

/**
 * Offset of the node at `path` in a YAML document, or of its deepest existing
 * ancestor; for the last segment the key's position is preferred, as that is
 * the line a reader looks for. Re-parses the text, so use it for the few
 * invalid documents only.
 */
export function locatePath(text: string, path: readonly PathSegment[]): number {
  let events: Event[];
  try {
    events = parseEvents(text, {});
  } catch {
    return 0;
  }
  const first = events.findIndex((e) => e.type === EVENT_ID.DOCUMENT);
  if (first < 0) return 0;
  let best = { depth: -1, offset: 0, key: false };
  walkDocument(events, first, text, (v) => {
    const depth = v.path.length;
    if (depth < best.depth || depth > path.length) return;
    for (let k = 0; k < depth; k++) if (String(v.path[k]) !== String(path[k])) return;
    // At equal depth a key beats its value; otherwise the deeper node wins.
    if (depth > best.depth || (v.role === 'key' && !best.key)) best = { depth, offset: v.offset, key: v.role === 'key' };
  });
  return best.offset;
}
