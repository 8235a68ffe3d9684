import { describeResource, whereIs, type ValidateResult } from './validation-result.js';

/** TAP version 13: one test point per resource (kubeconform's layout), failures with a YAML diagnostic block. */
export function renderValidationTap(result: ValidateResult, options: { summary?: boolean } = {}): string {
  const lines = ['TAP version 13'];
  result.resources.forEach((r, i) => {
    const n = i + 1;
    const name = `${whereIs(r)} (${describeResource(r)})`;
    if (r.status === 'valid') lines.push(`ok ${n} - ${name}`);
    else if (r.status === 'skipped') lines.push(`ok ${n} - ${name} # SKIP ${r.problems[0]?.message ?? 'skipped'}`);
    else {
      lines.push(`not ok ${n} - ${name}`);
      lines.push('  ---');
      lines.push(`  status: ${r.status}`);
      lines.push('  problems:');
      for (const p of r.problems) {
        lines.push(`    - path: ${JSON.stringify(p.path)}`);
        lines.push(`      message: ${JSON.stringify(p.message)}`);
        if (p.line !== undefined) lines.push(`      line: ${p.line}`);
      }
      lines.push('  ...');
    }
  });
  lines.push(`1..${result.resources.length}`);
  if (options.summary) {
    const s = result.summary;
    lines.push(`# valid ${s.valid}, invalid ${s.invalid}, errors ${s.errors}, skipped ${s.skipped}`);
  }
  return `${lines.join('\n')}\n`;
}
