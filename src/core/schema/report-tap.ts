import { kubeconformMessage, signature } from './report-kubeconform.js';
import type { ValidateResult } from './validation-result.js';

/**
 * TAP version 13 as kubeconform prints it (pkg/output/tap.go): one test point per
 * resource, `path (apiVersion/Kind/namespace/name)`, kubeconform's message after a
 * failure; no header when nothing was found.
 */
export function renderValidationTap(result: ValidateResult): string {
  const lines: string[] = [];
  result.resources.forEach((r, i) => {
    const n = i + 1;
    if (n === 1) lines.push('TAP version 13');
    const { kind, name, version, namespace } = signature(r);
    const qualified = `${version}/${kind}/${namespace}/${name}`;
    if (r.status === 'valid') lines.push(`ok ${n} - ${r.file} (${qualified})`);
    else if (r.status === 'invalid') lines.push(`not ok ${n} - ${r.file} (${qualified}): ${kubeconformMessage(r)}`);
    else if (r.status === 'error') lines.push(`not ok ${n} - ${r.file}: ${kubeconformMessage(r)}`);
    else lines.push(`ok ${n} - ${r.file} (${qualified}) # skip`);
  });
  lines.push(`1..${result.resources.length}`);
  return `${lines.join('\n')}\n`;
}
