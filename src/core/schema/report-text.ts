import { summaryLine } from './report-kubeconform.js';
import { describeResource, whereIs, type ValidateResult } from './validation-result.js';

export interface TextStyle {
  red(t: string): string;
  yellow(t: string): string;
  green(t: string): string;
  dim(t: string): string;
  bold(t: string): string;
}

const plain: TextStyle = { red: (t) => t, yellow: (t) => t, green: (t) => t, dim: (t) => t, bold: (t) => t };

/**
 * One line per finding, grouped under the resource it belongs to, then a
 * result line. `summary` adds kubeconform's count line ("found parsing stdin" for stdin); `verbose` lists valid
 * and skipped resources too.
 */
export function renderValidationText(result: ValidateResult, options: { summary?: boolean; verbose?: boolean; stdin?: boolean; style?: TextStyle } = {}): string {
  const st = options.style ?? plain;
  const lines: string[] = [];
  for (const w of result.warnings) lines.push(`${st.yellow('warning')}: ${w}`);
  for (const r of result.resources) {
    if ((r.status === 'valid' || r.status === 'skipped') && !options.verbose) continue;
    const label = r.status === 'invalid' ? st.red('invalid') : r.status === 'error' ? st.red('error') : r.status === 'skipped' ? st.dim('skipped') : st.green('valid');
    lines.push(`${st.bold(describeResource(r))} ${st.dim(whereIs(r))}: ${label}`);
    for (const p of r.problems) {
      const at = p.line !== undefined ? `${r.file}:${p.line}${p.column !== undefined ? `:${p.column}` : ''}: ` : '';
      lines.push(`  ${at}${p.path ? `${p.path}: ` : ''}${p.message}`);
    }
  }
  const s = result.summary;
  if (options.summary) {
    lines.push(summaryLine(result, { stdin: Boolean(options.stdin) }));
  } else if (result.ok) {
    lines.push(st.green(`${s.valid} of ${s.resources} resources valid${s.skipped ? ` (${s.skipped} skipped)` : ''}`));
  } else {
    lines.push(st.red(`${s.invalid + s.errors} of ${s.resources} resources failed validation (${s.invalid} invalid, ${s.errors} errors, ${s.skipped} skipped)`));
  }
  return `${lines.join('\n')}\n`;
}
