import { ChartctlError } from './errors.js';

/**
 * `.helmignore` rules with helm's own semantics (pkg/ignore): Go
 * filepath.Match globs, no `**`, a trailing `/` matches directories only, a
 * leading `/` anchors at the chart root, a pattern without `/` matches the base
 * name, and helm's quirky negation (a `!rule` that does not match ignores the path).
 * `templates/.?*` is always added, as helm does.
 */
export interface HelmIgnoreRule {
  raw: string;
  negate: boolean;
  mustDir: boolean;
  test: (path: string) => boolean;
}

export function parseHelmIgnore(text: string, file = '.helmignore'): HelmIgnoreRule[] {
  const rules: HelmIgnoreRule[] = [];
  addRule(rules, 'templates/.?*', file, 0);
  text.split(/\r?\n/).forEach((line, i) => addRule(rules, line, file, i + 1));
  return rules;
}

function addRule(rules: HelmIgnoreRule[], line: string, file: string, lineNo: number): void {
  let rule = line.trim();
  if (rule === '' || rule.startsWith('#')) return;
  const fail = (why: string) =>
    new ChartctlError(`${file}:${lineNo}:1: invalid .helmignore pattern "${rule}": ${why}.`, {
      code: 'HELMIGNORE_INVALID',
      hint: 'helm uses Go filepath.Match globs (*, ?, [a-z]); "**" is not supported. Fix or remove the line.',
    });
  if (rule.includes('**')) throw fail('double-star (**) syntax is not supported');
  if (globToRegExp(rule) === undefined) throw fail('the glob does not compile');
  const raw = rule;
  let negate = false;
  let mustDir = false;
  if (rule.startsWith('!')) {
    negate = true;
    rule = rule.slice(1);
  }
  if (rule.endsWith('/')) {
    mustDir = true;
    rule = rule.slice(0, -1);
  }
  let test: (path: string) => boolean;
  if (rule.startsWith('/')) {
    const re = globToRegExp(rule.slice(1));
    test = (p) => re?.test(p) ?? false;
  } else if (rule.includes('/')) {
    const re = globToRegExp(rule);
    test = (p) => re?.test(p) ?? false;
  } else {
    const re = globToRegExp(rule);
    test = (p) => re?.test(p.slice(p.lastIndexOf('/') + 1)) ?? false;
  }
  rules.push({ raw, negate, mustDir, test });
}

/** helm's Rules.Ignore, including its negation behaviour. `path` is chart-relative with `/`. */
export function isIgnored(rules: HelmIgnoreRule[], path: string, isDir: boolean): boolean {
  if (path === '' || path === '.' || path === './') return false;
  for (const rule of rules) {
    if (rule.negate) {
      if (rule.mustDir && !isDir) return true;
      if (!rule.test(path)) return true;
      continue;
    }
    if (rule.mustDir && !isDir) continue;
    if (rule.test(path)) return true;
  }
  return false;
}

/** Go's filepath.Match as a RegExp over the whole string; undefined when Go would report ErrBadPattern. */
export function globToRegExp(glob: string): RegExp | undefined {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\') {
      i++;
      if (i >= glob.length) return undefined;
      re += escapeRe(glob[i]!);
    } else if (ch === '[') {
      let j = i + 1;
      let cls = '';
      if (glob[j] === '^') {
        cls += '^';
        j++;
      }
      let first = true;
      for (; j < glob.length && (glob[j] !== ']' || first); j++) {
        first = false;
        let c = glob[j]!;
        if (c === '\\') {
          j++;
          if (j >= glob.length) return undefined;
          c = glob[j]!;
        }
        if (c === ']' ) return undefined;
        cls += escapeClass(c);
        if (glob[j + 1] === '-' && glob[j + 2] !== undefined && glob[j + 2] !== ']') {
          let end = glob[j + 2]!;
          j += 2;
          if (end === '\\') {
            j++;
            if (j >= glob.length) return undefined;
            end = glob[j]!;
          }
          if (end < c) return undefined;
          cls += `-${escapeClass(end)}`;
        }
      }
      if (j >= glob.length || cls === '' || cls === '^') return undefined;
      // A class never matches the separator, as in Go.
      re += cls.startsWith('^') ? `[${cls}/]` : `(?!/)[${cls}]`;
      i = j;
    } else re += escapeRe(ch);
  }
  try {
    return new RegExp(`${re}$`, 's');
  } catch {
    return undefined;
  }
}

function escapeRe(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

function escapeClass(ch: string): string {
  return /[\]\\^-]/.test(ch) ? `\\${ch}` : ch;
}
