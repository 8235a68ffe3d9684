import { crdSchemas, isCustomResourceDefinition, type CrdSchema } from '../../core/schema/crd-schemas.js';
import { gvkOf } from '../../core/schema/gvk.js';
import type { InputDocument } from '../../core/schema/manifest-input.js';
import { checkAgainstSchema, expandResources, identify, precheck, type CheckOptions, type InputResource, type SchemaLookup } from '../../core/schema/resource-check.js';
import type { SchemaCompiler } from '../../core/schema/schema-compiler.js';
import type { ResourceResult } from '../../core/schema/validation-result.js';
import type { Resolution, SchemaRegistry } from './schema-registry.js';

/** Schemas declared by the CustomResourceDefinitions among the documents (source 1: no separate conversion step). */
export function crdSchemasIn(docs: readonly InputDocument[]): CrdSchema[] {
  const out: CrdSchema[] = [];
  for (const { value } of expandResources(docs)) {
    if (value && typeof value === 'object' && isCustomResourceDefinition(value as object)) out.push(...crdSchemas(value as Record<string, unknown>));
  }
  return out;
}

/**
 * Checks every resource: schemas are resolved once per kind (in parallel),
 * compiled once per kind, then resources are validated in one synchronous
 * pass, which keeps validation cheaper than parsing.
 */
export async function validateDocuments(docs: readonly InputDocument[], registry: SchemaRegistry, compiler: SchemaCompiler, options: CheckOptions): Promise<ResourceResult[]> {
  const resources = expandResources(docs);
  const results: (ResourceResult | undefined)[] = resources.map((r) => precheck(r, options));
  const kinds = new Map<string, { apiVersion: string; kind: string; count: number }>();
  resources.forEach((r, i) => {
    if (results[i]) return;
    const { apiVersion, kind } = identify(r.value);
    const key = `${apiVersion}\0${kind}`;
    const entry = kinds.get(key) ?? { apiVersion, kind, count: 0 };
    entry.count++;
    kinds.set(key, entry);
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
    const { apiVersion, kind } = identify(r.value);
    const lookup = lookupFor(`${apiVersion}\0${kind}`);
    return lookup.kind === 'found' ? lookup.validator.isValid(r.value) : undefined;
  });
  if (fastValid.includes(false)) await compiler.prepare();
  return resources.map((r: InputResource, i) => {
    const done = results[i];
    if (done) return done;
    const { apiVersion, kind } = identify(r.value);
    return checkAgainstSchema(r, lookupFor(`${apiVersion}\0${kind}`), options, fastValid[i]);
  });
}

function toLookup(resolution: Resolution, compiler: SchemaCompiler, uses: number): SchemaLookup {
  if (resolution.kind !== 'found') return resolution;
  try {
    return { kind: 'found', label: resolution.label, validator: compiler.get(resolution.schema, uses) };
  } catch (err) {
    return { kind: 'error', message: `the schema from ${resolution.label} cannot be used: ${(err as Error).message.split('\n')[0]}` };
  }
}

