import { readBlockYaml } from './schema/block-yaml-reader.js';
import { KUBERNETES_YAML_SCHEMA } from './schema/kube-yaml.js';
import type { KubeObject } from './manifests.js';
import { loadYamlDocument } from './yaml-limits.js';

/** One object of a release manifest, with the template that rendered it (helm's `# Source:` comment). */
export interface ReleaseObject {
  obj: KubeObject;
  source?: string;
}

const SOURCE_LINE = /^# Source: (.+)$/gm;

/**
 * The objects of a helm manifest stream (`helm get manifest|hooks`, `helm template`), read as
 * the API server reads them (sigs.k8s.io/yaml: `yes` is true, `0755` octal). Helm's block
 * style goes through the block reader, several times faster than js-yaml on a 500-resource
 * release; a document it declines is parsed by js-yaml with the same schema, and one that does
 * not parse, or is not an object with a kind, is left out (lint reports those).
 */
export function parseReleaseObjects(stream: string): ReleaseObject[] {
  const sources = [...stream.matchAll(SOURCE_LINE)].map((m) => ({ at: m.index!, source: m[1]!.trim() }));
  const out: ReleaseObject[] = [];
  let nextSource = 0;
  let previousEnd = 0;
  /** The last `# Source:` line between the previous document and this one's root. */
  const sourceBefore = (offset: number): string | undefined => {
    let found: string | undefined;
    while (nextSource < sources.length && sources[nextSource]!.at < offset) {
      if (sources[nextSource]!.at >= previousEnd) found = sources[nextSource]!.source;
      nextSource++;
    }
    previousEnd = offset;
    return found;
  };
  const push = (value: unknown, offset: number) => {
    const source = sourceBefore(offset);
    if (value && typeof value === 'object' && !Array.isArray(value) && (value as KubeObject).kind) out.push({ obj: value as KubeObject, source });
  };
  const read = readBlockYaml(stream, { duplicateKeys: false });
  if ('declined' in read) {
    for (const part of splitDocuments(stream)) push(parseOne(part.text), part.start + Math.max(0, part.text.search(/^(?!#|---|\s*$)/m)));
    return out;
  }
  for (const doc of read.documents) {
    if (doc.kind === 'read') {
      if (doc.offset >= 0) push(doc.value, doc.offset);
    } else {
      const text = stream.slice(doc.start, doc.end);
      push(parseOne(text), doc.start + Math.max(0, text.search(/^(?!#|---|\s*$)/m)));
    }
  }
  return out;
}

function parseOne(text: string): unknown {
  try {
    return loadYamlDocument(text, { json: true, schema: KUBERNETES_YAML_SCHEMA });
  } catch {
    return undefined;
  }
}

/** `---`-separated documents with their offsets, for streams the block reader declines whole (CR line ends, BOM). */
function splitDocuments(stream: string): { start: number; text: string }[] {
  const parts: { start: number; text: string }[] = [];
  let start = 0;
  for (const m of stream.matchAll(/^---[^\n]*$/gm)) {
    parts.push({ start, text: stream.slice(start, m.index!) });
    start = m.index! + m[0].length;
  }
  parts.push({ start, text: stream.slice(start) });
  return parts;
}
