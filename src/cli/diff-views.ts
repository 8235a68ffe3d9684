import { dump } from 'js-yaml';
import type { PathChange } from '../core/object-changes.js';
import type { ReleaseDiff, ResourceChange } from '../core/release-diff.js';
import type { Output } from './output.js';

/** helm-diff's --output names; `unified` is chartctl's own report (renderReleaseDiff). */
export const DIFF_VIEWS = ['unified', 'diff', 'simple', 'json', 'template', 'dyff'] as const;
export type DiffView = (typeof DIFF_VIEWS)[number];

type HelmDiffChange = 'ADD' | 'REMOVE' | 'MODIFY' | 'MODIFY_SUPPRESSED';

function changeType(c: ResourceChange): HelmDiffChange {
  if (c.change === 'added') return 'ADD';
  if (c.change === 'removed') return 'REMOVE';
  return c.suppressed === 'lines' ? 'MODIFY_SUPPRESSED' : 'MODIFY';
}

/** `API group` as helm-diff keys resources: the apiVersion without its version (`v1` stays `v1`). */
function apiBase(apiVersion: string): string {
  const parts = apiVersion.split('/');
  return parts.length > 1 ? parts.slice(0, -1).join('/') : apiVersion;
}

/**
 * helm-diff's resource key: `namespace, name, Kind (api)`, the default namespace filled in for
 * every kind; a renamed resource goes by its old name, as helm-diff reports it.
 */
export function helmDiffKey(c: ResourceChange, defaultNamespace: string): string {
  const old = c.renamedFrom?.split(' ')[1]; // `group/Kind namespace/name`
  const name = old ? old.slice(old.lastIndexOf('/') + 1) : c.name;
  return `${c.namespace || defaultNamespace}, ${name}, ${c.kind} (${apiBase(c.apiVersion)})`;
}

/** helm-diff's order: changed, then removed, then added resources, each by key. */
function reported(diff: ReleaseDiff, namespace: string): ResourceChange[] {
  const group = { changed: 0, removed: 1, added: 2, unchanged: 3 };
  return diff.changes
    .filter((c) => c.change !== 'unchanged')
    .map((c) => ({ c, key: helmDiffKey(c, namespace) }))
    .sort((x, y) => group[x.c.change] - group[y.c.change] || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
    .map(({ c }) => c);
}

const DIFF_MESSAGES: Record<HelmDiffChange, string> = {
  ADD: 'has been added:',
  REMOVE: 'has been removed:',
  MODIFY: 'has changed:',
  MODIFY_SUPPRESSED: 'has changed, but diff is empty after suppression.',
};

const SIMPLE_MESSAGES: Record<HelmDiffChange, string> = {
  ADD: 'to be added.',
  REMOVE: 'to be removed.',
  MODIFY: 'to be changed.',
  MODIFY_SUPPRESSED: 'has changed, but diff is empty after suppression.',
};

function colour(out: Output, type: HelmDiffChange, text: string): string {
  const { paint } = out;
  return type === 'ADD' ? paint.green(text) : type === 'REMOVE' ? paint.red(text) : type === 'MODIFY' ? paint.yellow(text) : paint.cyan(text);
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/** dyff's counted nouns: "one map entry", "three list entries". */
function counted(n: number, noun: 'map entry' | 'list entry'): string {
  return `${NUMBER_WORDS[n] ?? String(n)} ${n === 1 ? noun : noun.replace(/y$/, 'ies')}`;
}

function yamlBlock(value: unknown, indent: string): string[] {
  return dump(value, { lineWidth: -1, noRefs: true, sortKeys: true })
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `${indent}${l}`);
}

function scalarLines(value: unknown, mark: '-' | '+', out: Output): string[] {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const paint = mark === '-' ? out.paint.red : out.paint.green;
  return text.split('\n').map((l) => paint(`    ${mark} ${l}`));
}

/** One path's block in dyff's human report (helm-diff runs dyff with its header omitted). */
function dyffBlock(p: PathChange, id: string, out: Output): string[] {
  const head = `${p.path.length ? p.path.join('.') : '(root level)'}  (${id})`;
  const { green, red, yellow } = out.paint;
  switch (p.change) {
    case 'value':
      return [head, yellow('  ± value change'), ...scalarLines(p.before, '-', out), ...scalarLines(p.after, '+', out)];
    case 'mapAdded':
      return [head, green(`  + ${counted(Object.keys(p.entries).length, 'map entry')} added:`), ...yamlBlock(p.entries, '    ').map(green)];
    case 'mapRemoved':
      return [head, red(`  - ${counted(Object.keys(p.entries).length, 'map entry')} removed:`), ...yamlBlock(p.entries, '    ').map(red)];
    case 'listAdded':
      return [head, green(`  + ${counted(p.entries.length, 'list entry')} added:`), ...yamlBlock(p.entries, '    ').map(green)];
    case 'listRemoved':
      return [head, red(`  - ${counted(p.entries.length, 'list entry')} removed:`), ...yamlBlock(p.entries, '    ').map(red)];
    case 'documentAdded':
      return [head, green('+ one document added:'), green('  ---'), ...yamlBlock(p.document, '  ').map(green)];
    case 'documentRemoved':
      return [head, red('- one document removed:'), red('  ---'), ...yamlBlock(p.document, '  ').map(red)];
  }
}

/** dyff's document id for a Kubernetes resource: `apiVersion/Kind/name`. */
function dyffId(c: ResourceChange): string {
  return `${c.apiVersion}/${c.kind}/${c.name}`;
}

/** One release in the layout helm-diff prints for `--output diff|simple|json|template|dyff`. */
export function renderHelmDiffView(view: Exclude<DiffView, 'unified'>, diff: ReleaseDiff, namespace: string, out: Output): string {
  const changes = reported(diff, namespace);
  if (view === 'json' || view === 'template') {
    // helm-diff's default template (json, and template without HELM_DIFF_TPL), byte for byte.
    const entries = changes.map((c) =>
      [`{`, `  "api": ${JSON.stringify(apiBase(c.apiVersion))},`, `  "kind": ${JSON.stringify(c.kind)},`, `  "namespace": ${JSON.stringify(c.namespace || namespace)},`, `  "name": ${JSON.stringify(c.name)},`, `  "change": "${changeType(c)}"`, `}`].join('\n'),
    );
    return `[${entries.join(',')}]\n`;
  }
  const lines: string[] = [];
  if (view === 'dyff') {
    const blocks = changes.flatMap((c) =>
      c.suppressed === 'kind' ? [[`(root level)  (${dyffId(c)})`, out.paint.yellow(`  changes suppressed on sensitive content of type ${c.kind}`)]] : (c.pathChanges ?? []).map((p) => dyffBlock(p, dyffId(c), out)),
    );
    return blocks.map((b) => `\n${b.join('\n')}\n`).join('');
  }
  if (view === 'simple') {
    for (const c of changes) lines.push(colour(out, changeType(c), `${helmDiffKey(c, namespace)} ${SIMPLE_MESSAGES[changeType(c)]}`));
    const n = (t: HelmDiffChange) => changes.filter((c) => changeType(c) === t).length;
    lines.push(`Plan: ${n('ADD')} to add, ${n('MODIFY')} to change, ${n('REMOVE')} to destroy, 0 to change ownership.`);
    return `${lines.join('\n')}\n`;
  }
  for (const c of changes) {
    lines.push(colour(out, changeType(c), `${helmDiffKey(c, namespace)} ${DIFF_MESSAGES[changeType(c)]}`));
    if (c.suppressed === 'kind') lines.push(out.paint.yellow(`+ Changes suppressed on sensitive content of type ${c.kind}`));
    for (const l of c.helmDiffLines ?? []) lines.push(l.startsWith('+ ') ? out.paint.green(l) : l.startsWith('- ') ? out.paint.red(l) : l);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
