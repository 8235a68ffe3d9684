import { ChartctlError } from '../errors.js';
import { scalarToJs } from './scalars.js';
import type { MapNode, TreeNode } from './types.js';
import { isComment } from './types.js';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function toJs(node: TreeNode): Json {
  switch (node.kind) {
    case 'null':
      return null;
    case 'scalar':
      return scalarToJs(node);
    case 'seq':
      return node.items.filter((i) => !isComment(i)).map((i) => toJs(i as TreeNode));
    case 'map': {
      const out: Record<string, Json> = {};
      const merged: Array<Record<string, Json>> = [];
      for (const item of node.items) {
        if (isComment(item)) continue;
        const value = toJs(item.value);
        // sops keeps a YAML merge key as a plain `<<` entry; helm's YAML reader merges it, so do we.
        if (item.key === '<<' && value && typeof value === 'object') {
          for (const m of Array.isArray(value) ? value : [value]) if (m && typeof m === 'object' && !Array.isArray(m)) merged.push(m);
          continue;
        }
        out[item.key] = value;
      }
      for (const m of merged) for (const [k, v] of Object.entries(m)) if (!(k in out)) out[k] = v;
      return out;
    }
  }
}

/** The decrypted values of a secrets file, for layering into helm values. */
export function treeToValues(branches: readonly MapNode[], file: string): Record<string, unknown> {
  if (branches.length > 1) {
    throw new ChartctlError(`${file}: a secrets values file must hold one YAML document, not ${branches.length}.`, {
      code: 'SECRETS_MULTI_DOCUMENT',
      hint: 'Split the documents into separate files and list each under "secrets".',
    });
  }
  return branches.length === 0 ? {} : (toJs(branches[0]!) as Record<string, unknown>);
}
