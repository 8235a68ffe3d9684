import type { ReleaseDiff, ResourceChange } from '../core/release-diff.js';
import type { Output } from './output.js';

/** Text report of a release diff, shared by diff, deploy and rollback. */
export function renderReleaseDiff(diff: ReleaseDiff, out: Output, heading: string): string {
  const { paint } = out;
  const lines: string[] = [paint.bold(heading)];
  const section = (title: string, changes: ResourceChange[]) => {
    const changed = changes.filter((c) => c.change !== 'unchanged');
    if (changed.length === 0) return;
    lines.push('', paint.bold(title));
    for (const c of changed) {
      const mark = c.change === 'added' ? paint.green('+ added  ') : c.change === 'removed' ? paint.red('- removed') : paint.yellow('~ changed');
      const moved = c.previousApiVersion ? paint.dim(` (${c.previousApiVersion} → ${c.apiVersion})`) : '';
      const renamed = c.renamedFrom ? paint.dim(` (renamed from ${c.renamedFrom})`) : '';
      lines.push(`${mark} ${c.resource}${moved}${renamed}`);
      if (c.suppressed === 'kind') lines.push(`  changes suppressed on sensitive content of type ${c.kind}`);
      if (c.suppressed === 'lines') lines.push('  has changed, but diff is empty after suppression');
      if (c.secretKeysChanged?.length) lines.push(`  secret keys changed: ${c.secretKeysChanged.join(', ')} (values hidden; --show-secrets to see them)`);
      if (c.diff) {
        for (const l of c.diff.split('\n').slice(2)) {
          if (!l) continue;
          lines.push(`    ${l.startsWith('+') ? paint.green(l) : l.startsWith('-') ? paint.red(l) : l.startsWith('@@') ? paint.cyan(l) : l}`);
        }
      }
    }
  };
  section('Resources', diff.changes.filter((c) => !c.hook));
  section('Hooks and tests', diff.changes.filter((c) => c.hook));
  const c = diff.counts;
  lines.push('', diff.hasChanges ? `${c.changed} changed, ${c.added} added, ${c.removed} removed, ${c.unchanged} unchanged` : `No changes (${c.unchanged} resources unchanged).`);
  return `${lines.join('\n')}\n`;
}
