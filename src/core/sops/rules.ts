import { ChartctlError } from '../errors.js';
import { compileGoRegExp, type GoRegExp } from './go-regexp.js';
import type { EncryptionRules } from './types.js';

export interface CompiledRules {
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: GoRegExp;
  encryptedRegex?: GoRegExp;
  unencryptedCommentRegex?: GoRegExp;
  encryptedCommentRegex?: GoRegExp;
}

/** `where` names the file whose `sops` metadata holds the rules. */
export function compileRules(rules: EncryptionRules, where: string): CompiledRules {
  const compile = (pattern: string | undefined, field: string) => (pattern ? compileGoRegExp(pattern, `${where}: sops.${field}`) : undefined);
  return {
    unencryptedSuffix: rules.unencryptedSuffix || undefined,
    encryptedSuffix: rules.encryptedSuffix || undefined,
    unencryptedRegex: compile(rules.unencryptedRegex, 'unencrypted_regex'),
    encryptedRegex: compile(rules.encryptedRegex, 'encrypted_regex'),
    unencryptedCommentRegex: compile(rules.unencryptedCommentRegex, 'unencrypted_comment_regex'),
    encryptedCommentRegex: compile(rules.encryptedCommentRegex, 'encrypted_comment_regex'),
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
