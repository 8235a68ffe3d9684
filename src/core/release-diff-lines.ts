import { diffLines } from 'diff';

/**
 * Share of changed lines in a diff, as helm-diff measures rename candidates. helm-diff splits
 * text ending in a newline into one more, empty, line: counted here too, so fractions agree.
 */
export function changedFraction(before: string, after: string): number {
  let changed = 0;
  let total = 1;
  for (const part of diffLines(before, after)) {
    total += part.count ?? 0;
    if (part.added || part.removed) changed += part.count ?? 0;
  }
  return total === 0 ? 0 : changed / total;
}

/** helm-diff's record printing: every line prefixed, lines further than `context` (-1: none) from a change folded into `...`. */
export function helmDiffLines(before: string, after: string, context: number): string[] {
  const records: { mark: string; text: string }[] = [];
  for (const part of diffLines(before, after)) {
    const mark = part.added ? '+ ' : part.removed ? '- ' : '  ';
    const lines = part.value.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (const text of lines) records.push({ mark, text });
  }
  const distance = records.map(() => Number.MAX_SAFE_INTEGER);
  let last = -1;
  records.forEach((r, i) => {
    if (r.mark !== '  ') last = i;
    if (last !== -1) distance[i] = i - last;
  });
  last = -1;
  for (let i = records.length - 1; i >= 0; i--) {
    if (records[i]!.mark !== '  ') last = i;
    if (last !== -1) distance[i] = Math.min(distance[i]!, last - i);
  }
  const out: string[] = [];
  records.forEach((r, i) => {
    if (context >= 0 && distance[i]! > context) {
      if (out[out.length - 1] !== '...') out.push('...');
    } else out.push(r.text === '' && r.mark === '  ' ? '' : `${r.mark}${r.text}`);
  });
  return out;
}
