import type { LintResult } from '../actions/lint.js';
import type { Finding } from '../core/findings.js';
import { counted } from '../core/plural.js';
import { shareFindings, sharedEnvironments } from '../core/shared-findings.js';
import type { Output } from './output.js';

/** lint's text report: each environment with its findings, then what several environments share, then the totals. */
export function renderLintText(result: LintResult, out: Output): string {
  const { paint } = out;
  const lines: string[] = [];
  const mark = (f: Pick<Finding, 'severity'>) =>
    f.severity === 'error' ? paint.red('error  ') : f.severity === 'warning' ? paint.yellow('warning') : paint.dim('info   ');
  const where = (f: Finding) => [f.resource, f.source && paint.dim(`[${f.source}]`)].filter(Boolean).join(' ');
  // A cause the environments share (offline: schemas unavailable) is told once, after them; --output json keeps each environment's record.
  const { shared, own } = shareFindings(result.environments);
  result.environments.forEach((env, i) => {
    const status = env.ok ? paint.green('ok') : paint.red('FAILED');
    lines.push(`${paint.bold(env.env)}: ${status} (${counted(env.resources, 'resource')}, ${counted(env.counts.error, 'error')}, ${counted(env.counts.warning, 'warning')})`);
    for (const f of own[i]!.filter((x) => x.severity !== 'info')) {
      const at = where(f);
      lines.push(`  ${mark(f)} ${f.check}: ${at ? `${at}: ` : ''}${f.message}`);
    }
  });
  for (const f of shared.filter((x) => x.severity !== 'info')) lines.push(`${mark(f)} ${f.check}: ${sharedEnvironments(f, result.environments.length)}: ${f.message}`);
  const c = result.counts;
  lines.push(`${counted(result.environments.length, 'environment')}: ${counted(c.error, 'error')}, ${counted(c.warning, 'warning')}${result.ok ? '' : ' — lint failed'}`);
  return `${lines.join('\n')}\n`;
}
