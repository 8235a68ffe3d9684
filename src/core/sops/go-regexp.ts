import { createRequire } from 'node:module';
import { ChartctlError } from '../errors.js';

/** A compiled Go (RE2) regular expression: `test` is Go's `MatchString` (a match anywhere in the text). */
export interface GoRegExp {
  readonly pattern: string;
  test(text: string): boolean;
}

type Re2Package = typeof import('re2js');
let loaded: Re2Package | undefined;

/** Loaded on first use: most sops files have no regex rule and most commands none at all. */
function re2(): Re2Package {
  loaded ??= createRequire(import.meta.url)('re2js') as Re2Package;
  return loaded;
}

/**
 * sops compiles these patterns with Go's regexp package (RE2 syntax: `[[:alpha:]]`,
 * `\A`, `\z`, `\pL`, `(?i:…)`; no backreferences or lookaround), so they are
 * compiled by an RE2 port, never translated to a JavaScript RegExp whose
 * syntax and meaning differ.
 */
export function compileGoRegExp(pattern: string, where: string): GoRegExp {
  const { RE2JS } = re2();
  let compiled: InstanceType<Re2Package['RE2JS']>;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (err) {
    const reason = (err as Error).message.replace(/^error parsing regexp: /, '');
    throw new ChartctlError(`${where}: invalid regular expression ${JSON.stringify(pattern)}: ${reason}.`, {
      code: 'SOPS_BAD_REGEX',
      hint: 'sops reads this pattern with Go regular expressions (RE2 syntax, https://github.com/google/re2/wiki/Syntax): no backreferences (\\1), lookahead or lookbehind; fix the pattern.',
    });
  }
  return { pattern, test: (text) => compiled.test(text) };
}
