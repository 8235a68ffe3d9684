import { crdSchemas, isCustomResourceDefinition, type CrdSchema } from '../../core/schema/crd-schemas.js';
import { gvkOf } from '../../core/schema/gvk.js';
import type { InputDocument } from '../../core/schema/manifest-input.js';
import { checkAgainstSchema, describeResource, expandResources, listItems, precheck, type CheckOptions, type InputResource, type SchemaLookup } from '../../core/schema/resource-check.js';
import type { SchemaCompiler } from '../../core/schema/schema-compiler.js';
import type { ResourceResult } from '../../core/schema/validation-result.js';
import type { Resolution, SchemaRegistry } from './schema-registry.js';

/** Schemas declared by the CustomResourceDefinitions among the documents (source 1: no separate conversion step). */
export function crdSchemasIn(docs: readonly InputDocument[]): CrdSchema[] {
  const out: CrdSchema[] = [];
  const add = (value: unknown) => {
    if (value && typeof value === 'object' && isCustomResourceDefinition(value as object)) out.push(...crdSchemas(value as Record<string, unknown>));
  };
  // The resources of expandResources, without making an InputResource for each.
  for (const doc of docs) {
    const items = listItems(doc.value);
    if (items) items.forEach(add);
    else add(doc.value);
  }
  return out;
}

/**
 * Checks every resource: schemas are resolved once per kind (in parallel),
 * compiled once per kind, then resources are validated in one synchronous
 * pass, which keeps validation cheaper than parsing. Each resource's identity
 * and kind key are worked out once and reused by every pass.
 */
export async function validateDocuments(docs: readonly InputDocument[], registry: SchemaRegistry, compiler: SchemaCompiler, options: CheckOptions): Promise<ResourceResult[]> {
  const resources = expandResources(docs);
  const bases = resources.map(describeResource);
  const results: (ResourceResult | undefined)[] = resources.map((r, i) => precheck(r, options, bases[i]));
  const keys: string[] = [];
  const kinds = new Map<string, { apiVersion: string; kind: string; count: number }>();
  resources.forEach((_, i) => {
    if (results[i]) return;
    const { apiVersion, kind } = bases[i]!;
    const key = `${apiVersion}\0${kind}`;
    keys[i] = key;
    const entry = kinds.get(key);
    if (entry) entry.count++;
    else kinds.set(key, { apiVersion, kind, count: 1 });
  });
  const resolved = new Map<string, Resolution>();
  await Promise.all(
    [...kinds].map(async ([key, { apiVersion, kind }]) => {
      resolved.set(key, await registry.resolve(gvkOf(apiVersion, kind)));
    }),
  );
  if ([...resolved].some(([key, r]) => r.kind === 'found' && compiler.needsCompiler(r.schema, kinds.get(key)!.count))) await compiler.prepare();
  const lookups = new Map<string, SchemaLookup>();
  const lookupFor = (key: string): SchemaLookup => {
    let l = lookups.get(key);
    if (!l) {
      l = toLookup(resolved.get(key)!, compiler, kinds.get(key)!.count);
      lookups.set(key, l);
    }
    return l;
  };
  // Fast pass first: detailed errors need ajv, which a run with every validator cached never loads otherwise.
  const fastValid: (boolean | undefined)[] = resources.map((r, i) => {
    if (results[i]) return undefined;
    const lookup = lookupFor(keys[i]!);
    return lookup.kind === 'found' ? lookup.validator.isValid(r.value) : undefined;
  });
  if (fastValid.includes(false)) await compiler.prepare();
  return resources.map((r: InputResource, i) => results[i] ?? checkAgainstSchema(r, lookupFor(keys[i]!), options, fastValid[i], bases[i]));
}

function toLookup(resolution: Resolution, compiler: SchemaCompiler, uses: number): SchemaLookup {
  if (resolution.kind !== 'found') return resolution;
  try {
    return { kind: 'found', label: resolution.label, kubeconformLocation: resolution.kubeconformLocation, validator: compiler.get(resolution.schema, uses) };
  } catch (err) {
    return { kind: 'error', message: `the schema from ${resolution.label} cannot be used: ${(err as Error).message.split('\n')[0]}` };
  }
}

