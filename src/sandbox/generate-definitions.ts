/**
 * Regenerates kubernetes-definitions.ts, the component schemas the simulator
 * serves in /openapi/v3, from the `kubernetes-types` npm package (TypeScript
 * declarations generated from the Kubernetes OpenAPI document: property
 * names, types, required fields). Not used at run time.
 *
 *   npm pack kubernetes-types@1.30.0 && tar xzf kubernetes-types-1.30.0.tgz
 *   npx tsc -p . && node dist/src/sandbox/generate-definitions.js package > src/sandbox/kubernetes-definitions.ts
 *
 * What the declarations cannot say, and the output therefore lacks compared
 * with a real server's document: descriptions (left out for size), enums,
 * integer formats, and most list-type markers (the merge keys charts rely on
 * are added from list-strategies.ts's table).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

type Schema = Record<string, unknown>;

const PACKAGE_PREFIX: Record<string, string> = {
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
  'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
  runtime: 'io.k8s.apimachinery.pkg.runtime',
  version: 'io.k8s.apimachinery.pkg.version',
  'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
};
const prefixOf = (module: string) => PACKAGE_PREFIX[module] ?? `io.k8s.api.${module.replace('/', '.')}`;

/** `Type.field` -> list semantics, as the real document marks them (k8s.io/api struct tags). */
const LIST_MARKERS: Record<string, { keys?: string[]; set?: boolean }> = {
  'PodSpec.containers': { keys: ['name'] },
  'PodSpec.initContainers': { keys: ['name'] },
  'PodSpec.ephemeralContainers': { keys: ['name'] },
  'PodSpec.volumes': { keys: ['name'] },
  'PodSpec.imagePullSecrets': { keys: ['name'] },
  'PodSpec.hostAliases': { keys: ['ip'] },
  'PodSpec.topologySpreadConstraints': { keys: ['topologyKey', 'whenUnsatisfiable'] },
  'Container.ports': { keys: ['containerPort', 'protocol'] },
  'Container.env': { keys: ['name'] },
  'Container.volumeMounts': { keys: ['mountPath'] },
  'ServiceSpec.ports': { keys: ['port', 'protocol'] },
  'ObjectMeta.finalizers': { set: true },
  'ObjectMeta.ownerReferences': { keys: ['uid'] },
};

/** The few float64 fields (the declarations say `number` for every numeric field). */
const FLOAT_FIELDS = new Set(['JSONSchemaProps.maximum', 'JSONSchemaProps.minimum', 'JSONSchemaProps.multipleOf']);

interface Parsed {
  interfaces: Map<string, Schema>;
  aliases: Map<string, Schema>;
}

function parseFile(text: string, module: string): Parsed {
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/import \{([^}]+)\} from "([^"]+)";/g)) {
    const target = join(module, '..', m[2]!).replace(/\\/g, '/');
    for (const name of m[1]!.split(',').map((n) => n.trim())) imports.set(name, target);
  }
  const ref = (name: string) => `#/components/schemas/${prefixOf(imports.get(name) ?? module)}.${name}`;
  // Drop comments first: they contain braces and semicolons.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const interfaces = new Map<string, Schema>();
  const aliases = new Map<string, Schema>();
  for (const m of code.matchAll(/export type (\w+) = ([^;]+);/g)) aliases.set(m[1]!, typeSchema(m[2]!.trim(), ref));
  for (const m of code.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
    const name = m[1]!;
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const member of splitMembers(m[2]!)) {
      const p = /^(?:readonly )?("[^"]+"|[\w$]+)(\?)?: ([\s\S]+)$/.exec(member);
      if (!p) throw new Error(`unparsed member of ${name}: ${member}`);
      const field = p[1]!.replace(/^"|"$/g, '');
      let schema = FLOAT_FIELDS.has(`${name}.${field}`) ? { type: 'number' } : typeSchema(p[3]!.replace(/\s+/g, ' ').trim(), ref);
      const marker = LIST_MARKERS[`${name}.${field}`];
      if (marker) {
        schema = marker.set
          ? { ...schema, 'x-kubernetes-list-type': 'set' }
          : { ...schema, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': marker.keys, 'x-kubernetes-patch-merge-key': marker.keys![0], 'x-kubernetes-patch-strategy': 'merge' };
      }
      properties[field] = schema;
      if (!p[2]) required.push(field);
    }
    interfaces.set(name, { type: 'object', properties, ...(required.length ? { required } : {}) });
  }
  return { interfaces, aliases };
}

/** Interface members, split on `;` outside `{ ... }` map types. */
function splitMembers(body: string): string[] {
  const members: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of body) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === ';' && depth === 0) {
      members.push(current.replace(/\s+/g, ' ').trim());
      current = '';
    } else current += ch;
  }
  return members.filter(Boolean);
}

function typeSchema(type: string, ref: (name: string) => string): Schema {
  if (type === 'string' || /^"[^"]*"$/.test(type)) return { type: 'string' };
  if (type === 'number') return { type: 'integer' };
  if (type === 'boolean') return { type: 'boolean' };
  if (type === 'number | string') return { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
  const array = /^Array<(.+)>$/.exec(type) ?? /^(\w+)\[\]$/.exec(type);
  if (array) return { type: 'array', items: typeSchema(array[1]!, ref) };
  const map = /^\{ \[\w+: string\]: (.+); \}$/.exec(type);
  if (map) return { type: 'object', additionalProperties: typeSchema(map[1]!, ref) };
  if (/^\w+$/.test(type)) return { allOf: [{ $ref: ref(type) }] };
  if (type.includes('|')) return { 'x-kubernetes-preserve-unknown-fields': true }; // JSONSchemaPropsOr*: anything
  throw new Error(`unhandled type: ${type}`);
}

function generate(root: string): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const files = readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.d.ts') && !f.startsWith('node_modules'));
  for (const file of files) {
    const module = relative(root, join(root, file)).replace(/\.d\.ts$/, '').replace(/\\/g, '/');
    const { interfaces, aliases } = parseFile(readFileSync(join(root, file), 'utf8'), module);
    for (const [name, schema] of interfaces) out[`${prefixOf(module)}.${name}`] = schema;
    for (const [name, schema] of aliases) out[`${prefixOf(module)}.${name}`] = schema;
  }
  // Hand-written in apimachinery, not plain structs: how the real document describes them.
  out['io.k8s.apimachinery.pkg.apis.meta.v1.Time'] = { type: 'string', format: 'date-time' };
  out['io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime'] = { type: 'string', format: 'date-time' };
  out['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'number' }, { type: 'string' }] };
  out['io.k8s.apimachinery.pkg.runtime.RawExtension'] = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  out['io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1'] = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  out['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON'] = { 'x-kubernetes-preserve-unknown-fields': true };
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const root = process.argv[2];
if (!root) {
  process.stderr.write('usage: node dist/src/sandbox/generate-definitions.js <kubernetes-types package dir>\n');
  process.exit(1);
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const json = JSON.stringify(generate(root));
process.stdout.write(
  [
    '// GENERATED by src/sandbox/generate-definitions.ts from kubernetes-types@' + pkg.version + ' (Kubernetes API ' + pkg.version.split('.').slice(0, 2).join('.') + ').',
    '// Do not edit. Component schemas for /openapi/v3; see generate-definitions.ts for what they lack.',
    `export const KUBERNETES_API_VERSION = ${JSON.stringify(pkg.version.split('.').slice(0, 2).join('.'))};`,
    `export const KUBERNETES_DEFINITIONS: Record<string, Record<string, unknown>> = JSON.parse(${JSON.stringify(json)});`,
    '',
  ].join('\n'),
);
