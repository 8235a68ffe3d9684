import { dump, YAMLException } from 'js-yaml';
import { loadYamlDocument } from './yaml-limits.js';

/** One document of a rendered YAML stream. */
export interface ManifestDocument {
  /** 0-based position in the stream (empty documents are not counted). */
  index: number;
  /** Template that produced it, from helm's `# Source:` comment. */
  source?: string;
  text: string;
  /** 1-based line of the document's first line in the whole stream. */
  startLine: number;
  object?: KubeObject;
  error?: { message: string; line: number; col: number };
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string>; [k: string]: unknown };
  [key: string]: unknown;
}

/** Kinds without a namespace; everything else is namespaced (default: the release namespace). */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass',
  'PriorityClass', 'IngressClass', 'RuntimeClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'APIService', 'CSIDriver', 'CSINode', 'VolumeAttachment',
  'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration', 'ComponentStatus',
]);

/**
 * Splits a YAML stream (helm output or any manifest file) into documents and
 * parses each on its own, so one broken template does not hide the others.
 * With `parseWhen`, a document it refuses is kept as text only (no object, no error).
 */
export function parseManifestStream(stream: string, options: { parseWhen?: (text: string) => boolean } = {}): ManifestDocument[] {
  const docs: ManifestDocument[] = [];
  const lines = stream.split('\n');
  let current: string[] = [];
  let start = 1;
  const flush = (nextStart: number) => {
    const text = current.join('\n');
    current = [];
    const startLine = start;
    start = nextStart;
    const source = /^# Source: (.+)$/m.exec(text)?.[1]?.trim();
    if (!hasContent(text)) return;
    const doc: ManifestDocument = { index: docs.length, source, text, startLine };
    if (options.parseWhen && !options.parseWhen(text)) {
      docs.push(doc);
      return;
    }
    try {
      // json: a duplicated key keeps its last value, as helm and the API server read it (lint warns about it).
      const value = loadYamlDocument(text, { json: true });
      if (value === null || value === undefined) return;
      if (typeof value !== 'object' || Array.isArray(value)) {
        doc.error = { message: `expected a mapping (a Kubernetes object), found ${Array.isArray(value) ? 'a list' : typeof value}`, line: startLine, col: 1 };
      } else {
        doc.object = value as KubeObject;
      }
    } catch (err) {
      const mark = err instanceof YAMLException ? err.mark : undefined;
      const reason = err instanceof YAMLException ? err.reason : String(err);
      doc.error = { message: reason, line: startLine + (mark?.line ?? 0), col: (mark?.column ?? 0) + 1 };
    }
    docs.push(doc);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^---(\s|$)/.test(line)) {
      flush(i + 2);
      const rest = line.slice(3).trim();
      if (rest && !rest.startsWith('#')) current.push(rest);
    } else if (/^\.\.\.\s*$/.test(line)) {
      flush(i + 2);
    } else {
      current.push(line);
    }
  }
  flush(lines.length + 1);
  return docs;
}

function hasContent(text: string): boolean {
  return text.split('\n').some((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
}

export interface ResourceId {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export function resourceId(obj: KubeObject, defaultNamespace: string): ResourceId {
  const kind = String(obj.kind ?? '');
  return {
    apiVersion: String(obj.apiVersion ?? ''),
    kind,
    namespace: CLUSTER_SCOPED_KINDS.has(kind) ? '' : String(obj.metadata?.namespace ?? defaultNamespace),
    name: String(obj.metadata?.name ?? ''),
  };
}

export function formatResourceId(id: ResourceId): string {
  return `${id.apiVersion}/${id.kind}${id.namespace ? ` ${id.namespace}/` : ' '}${id.name}`;
}

export function resourceKey(id: ResourceId): string {
  return `${id.apiVersion}|${id.kind}|${id.namespace}|${id.name}`;
}

export function isHook(obj: KubeObject): boolean {
  return Boolean(obj.metadata?.annotations?.['helm.sh/hook']);
}

export interface Duplicate {
  id: ResourceId;
  documents: ManifestDocument[];
}

/** Resources rendered more than once (same apiVersion/kind/namespace/name): the API server would keep only one. */
export function findDuplicates(docs: ManifestDocument[], defaultNamespace: string): Duplicate[] {
  const seen = new Map<string, Duplicate>();
  for (const doc of docs) {
    if (!doc.object?.kind || !doc.object.metadata?.name) continue;
    const id = resourceId(doc.object, defaultNamespace);
    const key = resourceKey(id);
    const entry = seen.get(key) ?? { id, documents: [] };
    entry.documents.push(doc);
    seen.set(key, entry);
  }
  return [...seen.values()].filter((d) => d.documents.length > 1);
}

/** Holds the whole object, Secret values included, as JSON (kubectl apply). */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface SecretMaskOptions {
  /**
   * What to show instead of a value (default `***`); e.g. the diff can show
   * whether a value changed without showing it.
   */
  placeholder?: (field: 'data' | 'stringData', key: string, value: unknown) => string;
}

/**
 * Replaces every value of a Secret's data/stringData with `***` (keys stay
 * visible), and the last-applied annotation that repeats them. Secrets inside
 * a `List` are masked too; every other object is returned unchanged.
 */
export function maskSecretObject(obj: KubeObject, options: SecretMaskOptions = {}): KubeObject {
  if (Array.isArray(obj.items) && typeof obj.kind === 'string' && obj.kind.endsWith('List')) {
    return { ...obj, items: obj.items.map((item) => (item && typeof item === 'object' ? maskSecretObject(item as KubeObject, options) : item)) };
  }
  if (obj.kind !== 'Secret') return obj;
  const placeholder = options.placeholder ?? (() => '***');
  const out: KubeObject = { ...obj };
  for (const field of ['data', 'stringData'] as const) {
    const data = obj[field];
    if (data && typeof data === 'object') {
      out[field] = Object.fromEntries(Object.entries(data as Record<string, unknown>).map(([k, v]) => [k, placeholder(field, k, v)]));
    }
  }
  const annotations = obj.metadata?.annotations;
  if (annotations && LAST_APPLIED in annotations) {
    out.metadata = { ...obj.metadata, annotations: { ...annotations, [LAST_APPLIED]: '***' } };
  }
  return out;
}

/**
 * False only when the document cannot be a Secret nor a List of them, in whatever YAML spelling
 * (flow, quoted, an anchor): its text has neither word, nor a backslash that could escape one.
 */
export function mayHoldSecret(text: string): boolean {
  return /Secret|List|\\/.test(text);
}

function mentionsSecret(text: string): boolean {
  return /^kind:\s*["']?(Secret|\w*List)["']?\s*(#.*)?$/m.test(text);
}

/**
 * The stream with every Secret's values masked; other documents are kept byte
 * for byte. A Secret that does not parse cannot be masked value by value, so
 * its body is hidden whole.
 */
export function maskSecretsInStream(docs: ManifestDocument[], options: SecretMaskOptions = {}): string {
  return docs
    .map((d) => {
      const header = d.source ? `# Source: ${d.source}\n` : '';
      if (!d.object) {
        return mentionsSecret(d.text) ? `${header}# chartctl: this Secret does not parse as YAML (line ${d.startLine}); its content is hidden` : d.text;
      }
      const masked = maskSecretObject(d.object, options);
      if (masked === d.object) return d.text;
      return `${header}${dump(masked, { lineWidth: -1, noRefs: true }).trimEnd()}`;
    })
    .map((t) => `---\n${t.replace(/^\n+/, '').trimEnd()}\n`)
    .join('');
}
