import type { Ajv, Options } from 'ajv';

export type AjvConstructor = new (options?: Options) => Ajv;

/** ajv is CommonJS: its classes are named exports when Node loads it, under `default` once bundled. */
function classOf(module: unknown, name: string): AjvConstructor {
  const m = module as Record<string, unknown>;
  return (m[name] ?? (m.default as Record<string, unknown> | undefined)?.[name] ?? m.default) as AjvConstructor;
}

/** The ajv class for a schema's `$schema` (draft-07 and older, 2019-09 or 2020-12), loaded on first use. */
export async function ajvClassFor(draft = ''): Promise<AjvConstructor> {
  if (draft.includes('2020-12')) return classOf(await import('ajv/dist/2020.js'), 'Ajv2020');
  if (draft.includes('2019-09')) return classOf(await import('ajv/dist/2019.js'), 'Ajv2019');
  return classOf(await import('ajv'), 'Ajv');
}
