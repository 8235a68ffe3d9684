import { ChartctlError } from '../errors.js';
import type { EncryptionRules } from './types.js';

/**
 * Go (RE2) patterns from `.sops.yaml` and file metadata as JavaScript regexps.
 * RE2 and JavaScript agree on the usual syntax; a leading `(?i)` (common in
 * sops configs) becomes the `i` flag since Node 20 has no inline modifiers.
 */
export function goRegExp(pattern: string, where: string): RegExp {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([imsU]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]!) if (f === 'i' || f === 'm' || f === 's') flags += f;
  }
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new ChartctlError(`${where}: invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}.`, {
      code: 'SOPS_BAD_REGEX',
      hint: 'sops uses Go (RE2) syntax; fix the pattern.',
    });
  }
}

export interface CompiledRules {
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: RegExp;
  encryptedRegex?: RegExp;
  unencryptedCommentRegex?: RegExp;
  encryptedCommentRegex?: RegExp;
}

export function compileRules(rules: EncryptionRules, where: string): CompiledRules {
  return {
    unencryptedSuffix: rules.unencryptedSuffix || undefined,
    encryptedSuffix: rules.encryptedSuffix || undefined,
    unencryptedRegex: rules.unencryptedRegex ? goRegExp(rules.unencryptedRegex, where) : undefined,
    encryptedRegex: rules.encryptedRegex ? goRegExp(rules.encryptedRegex, where) : undefined,
    unencryptedCommentRegex: rules.unencryptedCommentRegex ? goRegExp(rules.unencryptedCommentRegex, where) : undefined,
    encryptedCommentRegex: rules.encryptedCommentRegex ? goRegExp(rules.encryptedCommentRegex, where) : undefined,
  };
}

/**
 * sops' `shouldBeEncrypted`: every key on the path counts (a key ending in
 * `_unencrypted` leaves its whole subtree in cleartext), and the comment rules
 * look at the comments seen since the last value at each nesting level.
 */
export function shouldBeEncrypted(rules: CompiledRules, path: readonly string[], commentsStack: readonly string[][], isComment: boolean): boolean {
  let encrypted = true;
  // Plain loops: this runs for every value of every file on every render.
  if (rules.unencryptedSuffix && anyKey(path, (k) => k.endsWith(rules.unencryptedSuffix!))) encrypted = false;
  if (rules.encryptedSuffix) encrypted = anyKey(path, (k) => k.endsWith(rules.encryptedSuffix!));
  if (rules.unencryptedRegex && anyKey(path, (k) => rules.unencryptedRegex!.test(k))) encrypted = false;
  if (rules.encryptedRegex) encrypted = anyKey(path, (k) => rules.encryptedRegex!.test(k));
  if (rules.unencryptedCommentRegex && commentsStack.some((level) => level.some((c) => rules.unencryptedCommentRegex!.test(c)))) {
    encrypted = false;
  }
  if (rules.encryptedCommentRegex) {
    encrypted = false;
    const lastLevel = commentsStack.length - 1;
    const lastIndex = (commentsStack[lastLevel]?.length ?? 0) - 1;
    search: for (let i = 0; i < commentsStack.length; i++) {
      for (let j = 0; j < commentsStack[i]!.length; j++) {
        // The comment line that matches is itself left readable; only what follows it is encrypted.
        if (isComment && i === lastLevel && j === lastIndex) continue;
        if (rules.encryptedCommentRegex.test(commentsStack[i]![j]!)) {
          encrypted = true;
          break search;
        }
      }
    }
  }
  return encrypted;
}

function anyKey(path: readonly string[], test: (key: string) => boolean): boolean {
  for (let i = 0; i < path.length; i++) if (test(path[i]!)) return true;
  return false;
}

/** sops refuses files that combine selection rules; so do we, naming the file. */
export function checkSingleRule(rules: EncryptionRules, where: string): void {
  const set = [
    ['unencrypted_suffix', rules.unencryptedSuffix],
    ['encrypted_suffix', rules.encryptedSuffix],
    ['unencrypted_regex', rules.unencryptedRegex],
    ['encrypted_regex', rules.encryptedRegex],
    ['unencrypted_comment_regex', rules.unencryptedCommentRegex],
    ['encrypted_comment_regex', rules.encryptedCommentRegex],
  ].filter(([, v]) => Boolean(v));
  if (set.length > 1) {
    throw new ChartctlError(`${where}: ${set.map(([k]) => k).join(' and ')} cannot be used together.`, {
      code: 'SOPS_CONFLICTING_RULES',
      hint: 'sops allows only one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, unencrypted_comment_regex per file.',
    });
  }
}
