import { describeResource, type ResourceResult, type ValidateResult } from './validation-result.js';

/**
 * JUnit XML for CI test reports: one <testsuite> per file, one <testcase>
 * per resource (classname `Kind@apiVersion`, name `namespace/name`), as
 * kubeconform writes it; invalid resources are failures, errors are errors.
 */
export function renderValidationJunit(result: ValidateResult, elapsedSeconds: number): string {
  const byFile = new Map<string, ResourceResult[]>();
  for (const r of result.resources) {
    const list = byFile.get(r.file) ?? [];
    list.push(r);
    byFile.set(r.file, list);
  }
  const s = result.summary;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="chartctl validate" time="${elapsedSeconds.toFixed(3)}" tests="${s.resources}" failures="${s.invalid}" disabled="${s.skipped}" errors="${s.errors}">`,
  ];
  let id = 0;
  for (const [file, resources] of byFile) {
    id++;
    const count = (status: string) => resources.filter((r) => r.status === status).length;
    out.push(
      `  <testsuite name="${xml(file)}" id="${id}" tests="${resources.length}" failures="${count('invalid')}" errors="${count('error')}" disabled="${count('skipped')}" skipped="${count('skipped')}">`,
    );
    for (const r of resources) {
      const name = `${r.namespace ? `${r.namespace}/` : ''}${r.name || `document ${r.document}${r.item !== undefined ? ` item ${r.item}` : ''}`}`;
      const open = `    <testcase name="${xml(name)}" classname="${xml(`${r.kind}@${r.apiVersion}`)}"`;
      const detail = r.problems.map((p) => `${p.line !== undefined ? `${r.file}:${p.line}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n');
      const summary = r.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
      if (r.status === 'valid') out.push(`${open}></testcase>`);
      else if (r.status === 'skipped') out.push(`${open}>`, `      <skipped message="${xml(summary || 'skipped')}"></skipped>`, '    </testcase>');
      else {
        const tag = r.status === 'invalid' ? 'failure' : 'error';
        out.push(`${open}>`, `      <${tag} message="${xml(summary)}" type="${xml(describeResource(r))}">${xml(detail)}</${tag}>`, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
