import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';

type MetaValidator = ((schema: unknown) => boolean) & { errors?: ErrorObject[] | null };
let compiled: MetaValidator | null | undefined;

/**
 * The draft-07 meta-schema's validator, compiled at build time (scripts/build-validators.mjs) so a run
 * need not have ajv add and compile it; undefined without that build step (ajv then checks schemas itself).
 */
export function draft07MetaValidator(): MetaValidator | undefined {
  if (compiled === undefined) {
    try {
      compiled = createRequire(import.meta.url)('./generated/draft07-meta-validator.cjs') as MetaValidator;
    } catch {
      compiled = null;
    }
  }
  return compiled ?? undefined;
}

/** ajv's own message for a schema its meta-schema rejects (Ajv.compile, errorsText). */
export function invalidSchemaMessage(errors: ErrorObject[]): string {
  return `schema is invalid: ${errors.map((e) => `data${e.instancePath} ${e.message}`).join(', ')}`;
}
