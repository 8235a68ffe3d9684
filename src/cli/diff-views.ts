import type { ReleaseDiff, ResourceChange } from '../core/release-diff.js';
import type { Output } from './output.js';

/** helm-diff's --output names; `unified` is chartctl's own report (renderReleaseDiff). */
export const DIFF_VIEWS = ['unified', 'diff', 'simple', 'json'] as const;
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

/** One release in the layout helm-diff prints for `--output diff|simple|json`. */
export function renderHelmDiffView(view: Exclude<DiffView, 'unified'>, diff: ReleaseDiff, namespace: string, out: Output): string {
  const changes = reported(diff, namespace);
  if (view === 'json') {
    // helm-diff's default template: api, kind, namespace, name, change.
    const entries = changes.map((c) => ({ api: apiBase(c.apiVersion), kind: c.kind, namespace: c.namespace || namespace, name: c.name, change: changeType(c) }));
    return `${JSON.stringify(entries, null, 2)}\n`;
  }
  const lines: string[] = [];
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
