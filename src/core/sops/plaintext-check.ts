import { classifyLeaves } from './tree-crypto.js';
import type { SopsDocument } from './types.js';
import { parseEncryptedValue, SopsValueError } from './value-cipher.js';

export interface PlaintextProblem {
  /** Dotted key path, or empty for the whole file. */
  path: string;
  line?: number;
  col?: number;
  message: string;
}

/**
 * What `secrets check` reports for one file: not encrypted at all, or values
 * its own rules say must be encrypted but are not (a hand edit that pasted
 * cleartext into an encrypted file). Needs no key.
 */
export function findPlaintext(doc: SopsDocument, file: string): PlaintextProblem[] {
  if (!doc.metadata) return [{ path: '', message: 'the file is not encrypted (no sops metadata)' }];
  const problems: PlaintextProblem[] = [];
  classifyLeaves(doc.branches, doc.metadata.rules, file, (leaf, path, mustBeEncrypted) => {
    if (!mustBeEncrypted) return;
    if (leaf.type === 'str' && leaf.text === '') return;
    const at = { path: path.join('.'), line: leaf.pos?.line, col: leaf.pos?.col };
    if (leaf.type !== 'str' || !leaf.text.startsWith('ENC[')) {
      problems.push({ ...at, message: `plaintext ${leaf.type === 'str' ? 'string' : leaf.type} where the file's rules require an encrypted value` });
      return;
    }
    try {
      parseEncryptedValue(leaf.text);
    } catch (err) {
      problems.push({ ...at, message: err instanceof SopsValueError ? err.message : String(err) });
    }
  });
  return problems;
}
