import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { FetchOutcome, SchemaFetcher } from '../../adapters/schema-sources/schema-fetcher.js';
import type { ClusterAccess } from '../../adapters/schema-sources/kubeconfig.js';
import type { CrdSchema } from '../../core/schema/crd-schemas.js';
import { gvkString, type GroupVersionKind } from '../../core/schema/gvk.js';
import { transformDefinitions, transformSchema } from '../../core/schema/kube-schema-transform.js';
import type { KubeVersion } from '../../core/schema/kube-version.js';
import { KUBECONFORM_STANDALONE_SUFFIX, compileLocationTemplate, isRemote, locationVariables, parseSchemaLocation, type SchemaLocation } from '../../core/schema/location-template.js';
import type { CompilableSchema } from '../../core/schema/schema-compiler.js';
import { classifySchemaDocument, componentsRefToDefinitions, type SchemaDocument } from '../../core/schema/schema-document.js';

/** kubeconform's default location: its kubernetes-json-schema fork (its `master/_definitions.json` covers every built-in kind). */
export const DEFAULT_SCHEMA_BASE = 'https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master';
/** Bump when the transformation changes, so compiled validators on disk are not reused across versions. */
const TRANSFORM_VERSION = 'chartctl-schema-3';

export type Resolution =
  /** `kubeconformLocation`: for definitions read from a kubernetes-json-schema tree, the per-kind file kubeconform reads there. */
  | { kind: 'found'; label: string; kubeconformLocation?: string; schema: CompilableSchema }
  | { kind: 'missing'; tried: string[] }
  | { kind: 'error'; message: string };

type SourceAnswer = Resolution | { kind: 'next'; tried: string };

interface Source {
  lookup(gvk: GroupVersionKind): Promise<SourceAnswer>;
}

export interface RegistryOptions {
  kubeVersion: KubeVersion;
  strict: boolean;
  /** --schema-location values in order; none means the default location. */
  locations: readonly string[];
  /** Where `locations` were given, as errors name it (default --schema-location). */
  locationsSetting?: string;
  /** Base of the default location (CHARTCTL_SCHEMA_BASE_URL, or kubeconform's). */
  defaultBase: string;
  /** Schemas from CustomResourceDefinitions in the input. */
  crds: readonly CrdSchema[];
  /** The live cluster, when asked for. */
  cluster?: ClusterAccess;
  /** Transformed definition documents by id, shared between registries of one run (lint builds one per environment). */
  transformedDocuments?: Map<string, object>;
}

/**
 * The schema sources, tried in order for each kind, first hit wins:
 * CRDs in the input, then each --schema-location (or the default location
 * when none is given and the cluster is not asked; `default` places it explicitly), then the cluster.
 * A 404 or missing file moves on to the next source; a failure to ask
 * (network, permissions) stops with an error for that kind.
 */
export class SchemaRegistry {
  private readonly sources: Source[];
  private readonly memo = new Map<string, Promise<Resolution>>();
  private readonly transformed: Map<string, object>;
  /** Fetched documents are shared by every kind looked up in them: index each one once, not once per kind. */
  private readonly classified = new WeakMap<object, SchemaDocument | undefined>();

  constructor(
    private readonly fetcher: SchemaFetcher,
    private readonly options: RegistryOptions,
  ) {
    this.transformed = options.transformedDocuments ?? new Map();
    // Parse every location first: a bad template fails the run before any work.
    const parsed = options.locations.map((l) => parseSchemaLocation(l, options.locationsSetting));
    // --cluster alone means the cluster's schemas, not the default location asked first (and failing offline).
    const locations: SchemaLocation[] = parsed.length ? parsed : options.cluster ? [] : [{ kind: 'default' }];
    this.sources = [this.crdSource(options.crds), ...locations.map((l) => this.locationSource(l))];
    if (options.cluster) this.sources.push(this.clusterSource(options.cluster));
  }

  resolve(gvk: GroupVersionKind): Promise<Resolution> {
    const key = gvkString(gvk);
    let pending = this.memo.get(key);
    if (!pending) {
      pending = this.lookup(gvk);
      this.memo.set(key, pending);
    }
    return pending;
  }

  private async lookup(gvk: GroupVersionKind): Promise<Resolution> {
    const tried: string[] = [];
    for (const source of this.sources) {
      const answer = await source.lookup(gvk);
      if (answer.kind === 'next') {
        if (answer.tried) tried.push(answer.tried);
        continue;
      }
      return answer;
    }
    return { kind: 'missing', tried };
  }

  private crdSource(crds: readonly CrdSchema[]): Source {
    const byGvk = new Map(crds.map((c) => [gvkString(c.gvk), c] as const));
    return {
      lookup: async (gvk) => {
        const crd = byGvk.get(gvkString(gvk));
        if (!crd) return { kind: 'next', tried: '' };
        const json = JSON.stringify(crd.schema);
        return {
          kind: 'found',
          label: `CustomResourceDefinition ${crd.crd}`,
          schema: { key: this.key('crd', json), root: () => transformSchema(crd.schema, { strict: this.options.strict }) as object, documents: () => [] },
        };
      },
    };
  }

  private locationSource(location: SchemaLocation): Source {
    switch (location.kind) {
      case 'default':
        return this.baseSource(this.options.defaultBase);
      case 'base':
        return this.baseSource(location.base);
      case 'template':
        return { lookup: (gvk) => this.fromTemplate(location.render, gvk) };
    }
  }

  /** A kubernetes-json-schema tree: its `_definitions.json` (one document for every built-in kind), else kubeconform's per-kind standalone files. */
  private baseSource(base: string): Source {
    const version = this.options.kubeVersion.normalized;
    const candidates = isRemote(base) ? [`${base}/${version}/_definitions.json`] : [`${base}/_definitions.json`, `${base}/${version}/_definitions.json`];
    const perKind = compileLocationTemplate(base + KUBECONFORM_STANDALONE_SUFFIX);
    return {
      lookup: async (gvk) => {
        for (const location of candidates) {
          const outcome = await this.fetcher.fetch(location);
          if (outcome.kind === 'not-found') continue;
          if (outcome.kind === 'error') return { kind: 'error', message: outcome.message };
          if (outcome.kind === 'invalid') return { kind: 'next', tried: outcome.message };
          const doc = this.classify(outcome.value);
          if (doc && doc.kind !== 'single') return this.fromDefinitions(doc, outcome, gvk, perKind(locationVariables(gvk, version, this.options.strict)));
        }
        return this.fromTemplate(perKind, gvk);
      },
    };
  }

  private async fromTemplate(render: ReturnType<typeof compileLocationTemplate>, gvk: GroupVersionKind): Promise<SourceAnswer> {
    const location = render(locationVariables(gvk, this.options.kubeVersion.normalized, this.options.strict));
    const outcome = await this.fetcher.fetch(location);
    if (outcome.kind === 'not-found') return { kind: 'next', tried: location };
    if (outcome.kind === 'invalid') return { kind: 'next', tried: outcome.message };
    if (outcome.kind === 'error') return { kind: 'error', message: outcome.message };
    const doc = this.classify(outcome.value);
    if (!doc) return { kind: 'next', tried: `${location} (not a JSON Schema object)` };
    if (doc.kind !== 'single') return this.fromDefinitions(doc, outcome, gvk);
    return this.fromSingle(doc.schema, outcome);
  }

  private fromDefinitions(doc: Exclude<SchemaDocument, { kind: 'single' }>, outcome: Extract<FetchOutcome, { kind: 'ok' }>, gvk: GroupVersionKind, kubeconformLocation?: string): SourceAnswer {
    const name = doc.byGvk.get(gvkString(gvk));
    if (!name) return { kind: 'next', tried: `${outcome.location} (no ${gvkString(gvk)})` };
    const id = this.documentId(outcome.location);
    return {
      kind: 'found',
      label: outcome.location,
      ...(kubeconformLocation !== undefined && { kubeconformLocation }),
      schema: {
        key: this.key('definitions', outcome.digest, name),
        root: () => ({ $ref: `${id}#/definitions/${escapePointer(name)}` }),
        documents: () => [{ id, schema: this.transformedDefinitions(id, doc) }],
      },
    };
  }

  private async fromSingle(schema: Record<string, unknown>, outcome: Extract<FetchOutcome, { kind: 'ok' }>): Promise<SourceAnswer> {
    const id = this.documentId(outcome.location);
    const deps = await this.externalDocuments(schema, id);
    if ('error' in deps) return { kind: 'error', message: deps.error };
    const root = () => ({ ...(transformSchema(schema, { strict: this.options.strict }) as object), $id: id });
    return {
      kind: 'found',
      label: outcome.location,
      schema: {
        key: this.key('single', outcome.digest, ...deps.map((d) => d.digest)),
        root,
        documents: () => deps.map((d) => ({ id: d.id, schema: { ...(transformSchema(d.value, { strict: this.options.strict }) as object) } })),
      },
    };
  }

  /** Documents that `$ref`s in a schema point to (kubeconform's non-standalone files refer to `_definitions.json` by URL), fetched through the cache. */
  private async externalDocuments(schema: unknown, base: string): Promise<{ id: string; value: unknown; digest: string }[] | { error: string }> {
    const found = new Map<string, { id: string; value: unknown; digest: string }>();
    const queue: { node: unknown; base: string }[] = [{ node: schema, base }];
    while (queue.length) {
      const { node, base: from } = queue.pop()!;
      for (const ref of externalRefs(node)) {
        let target: string;
        try {
          target = new URL(ref, from).toString().replace(/#.*$/, '');
        } catch {
          continue;
        }
        if (target === base || found.has(target)) continue;
        const outcome = await this.fetcher.fetch(target.startsWith('file:') ? new URL(target).pathname : target);
        if (outcome.kind !== 'ok') return { error: `cannot load ${target}, referenced by the schema at ${base}: ${outcome.message}` };
        found.set(target, { id: target, value: outcome.value, digest: outcome.digest });
        queue.push({ node: outcome.value, base: target });
      }
    }
    return [...found.values()];
  }

  private clusterSource(cluster: ClusterAccess): Source {
    const request = { ca: cluster.ca, cert: cluster.cert, key: cluster.key, headers: cluster.headers, insecureSkipTlsVerify: cluster.insecureSkipTlsVerify || undefined };
    const indexUrl = `${cluster.server}/openapi/v3`;
    return {
      lookup: async (gvk) => {
        const index = await this.fetcher.fetch(indexUrl, { ...request, cacheable: false });
        if (index.kind !== 'ok') return { kind: 'error', message: `cluster (context ${cluster.context}) did not serve its schemas: ${index.message}` };
        const path = gvk.group ? `apis/${gvk.group}/${gvk.version}` : `api/${gvk.version}`;
        const entry = (index.value as { paths?: Record<string, { serverRelativeURL?: string }> })?.paths?.[path];
        if (!entry?.serverRelativeURL) return { kind: 'next', tried: `cluster ${cluster.context} (does not serve ${path})` };
        const url = new URL(entry.serverRelativeURL, `${cluster.server}/`).toString();
        // The URL carries a hash of the document: cache it; without one, ask every run.
        const outcome = await this.fetcher.fetch(url, { ...request, cacheable: /[?&]hash=/.test(url) });
        if (outcome.kind !== 'ok') return outcome.kind === 'error' ? { kind: 'error', message: `cluster (context ${cluster.context}): ${outcome.message}` } : { kind: 'next', tried: outcome.message };
        const doc = this.classify(outcome.value);
        if (!doc || doc.kind === 'single') return { kind: 'next', tried: `${url} (not an OpenAPI document)` };
        const answer = this.fromDefinitions(doc, outcome, gvk);
        return answer.kind === 'found' ? { ...answer, label: `cluster ${cluster.context} (${path})` } : answer;
      },
    };
  }

  private classify(value: unknown): SchemaDocument | undefined {
    if (!value || typeof value !== 'object') return classifySchemaDocument(value);
    if (!this.classified.has(value)) this.classified.set(value, classifySchemaDocument(value));
    return this.classified.get(value);
  }

  private transformedDefinitions(id: string, doc: Exclude<SchemaDocument, { kind: 'single' }>): object {
    let t = this.transformed.get(id);
    if (!t) {
      const rewriteRef = doc.kind === 'openapi' ? componentsRefToDefinitions : undefined;
      t = { definitions: transformDefinitions(doc.definitions, { strict: this.options.strict, rewriteRef }) };
      this.transformed.set(id, t);
    }
    return t;
  }

  private documentId(location: string): string {
    return isRemote(location) ? location.replace(/#.*$/, '') : pathToFileURL(this.fetcher.localPath(location)).toString();
  }

  private key(...parts: string[]): string {
    return createHash('sha256').update([TRANSFORM_VERSION, this.options.strict ? 'strict' : 'loose', ...parts].join('\0')).digest('hex');
  }
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function externalRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const v of node) externalRefs(v, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) out.push(v);
      else if (typeof v === 'object') externalRefs(v, out);
    }
  }
  return out;
}
