/** RFC 7386 JSON merge patch and RFC 6902 JSON patch, for `merge-patch+json` and `json-patch+json` bodies. */
import { ApiError, badRequest } from './api-status.js';
import { isPlainObject } from './list-strategies.js';

type Json = any;

export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, Json> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

const unescape = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

function resolve(doc: Json, pointer: string): { parent: Json; key: string } {
  if (!pointer.startsWith('/')) throw badRequest(`invalid JSON pointer "${pointer}"`);
  const tokens = pointer.slice(1).split('/').map(unescape);
  let parent = doc;
  for (const token of tokens.slice(0, -1)) {
    parent = Array.isArray(parent) ? parent[Number(token)] : parent?.[token];
    if (parent === undefined || parent === null) throw badRequest(`json patch: path ${pointer} does not exist`);
  }
  return { parent, key: tokens[tokens.length - 1]! };
}

function read(doc: Json, pointer: string): Json {
  if (pointer === '') return doc;
  const { parent, key } = resolve(doc, pointer);
  const value = Array.isArray(parent) ? parent[Number(key)] : parent?.[key];
  if (value === undefined) throw badRequest(`json patch: path ${pointer} does not exist`);
  return value;
}

export function applyJsonPatch(target: Json, operations: Operation[]): Json {
  if (!Array.isArray(operations)) throw badRequest('json patch: body must be a JSON array of operations');
  const doc = structuredClone(target);
  for (const op of operations) {
    switch (op.op) {
      case 'add':
      case 'replace': {
        const { parent, key } = resolve(doc, op.path);
        if (Array.isArray(parent)) {
          const index = key === '-' ? parent.length : Number(key);
          if (op.op === 'add') parent.splice(index, 0, structuredClone(op.value));
          else parent[index] = structuredClone(op.value);
        } else {
          if (op.op === 'replace' && !(key in parent)) throw badRequest(`json patch: replace of missing path ${op.path}`);
          parent[key] = structuredClone(op.value);
        }
        break;
      }
      case 'remove': {
        const { parent, key } = resolve(doc, op.path);
        read(doc, op.path);
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
        break;
      }
      case 'test':
        if (JSON.stringify(read(doc, op.path)) !== JSON.stringify(op.value)) throw new TestFailed(op.path);
        break;
      case 'copy':
      case 'move': {
        const value = structuredClone(read(doc, op.from ?? ''));
        if (op.op === 'move') applyJsonPatchInPlace(doc, { op: 'remove', path: op.from ?? '' });
        applyJsonPatchInPlace(doc, { op: 'add', path: op.path, value });
        break;
      }
      default:
        throw badRequest(`json patch: unknown operation "${op.op}"`);
    }
  }
  return doc;
}

function applyJsonPatchInPlace(doc: Json, op: Operation): void {
  const next = applyJsonPatch(doc, [op]);
  for (const k of Object.keys(doc)) delete doc[k];
  Object.assign(doc, next);
}

/** The server answers a failed `test` operation with 422 Invalid. */
export class TestFailed extends ApiError {
  constructor(path: string) {
    super(422, 'Invalid', `the server rejected our request due to an error in our request: testing value ${path} failed`);
  }
}
