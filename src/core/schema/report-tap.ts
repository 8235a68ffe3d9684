import { kubeconformMessage, signature } from './report-kubeconform.js';
import type { ValidateResult } from './validation-result.js';

/**
 * TAP version 13 as kubeconform prints it (pkg/output/tap.go): one test point per
 * resource, `path (apiVersion/Kind/namespace/name)`, kubeconform's message after a
 * failure, and `path (empty)` for a file with no resource in it, in the order the
 * files were read; no header when nothing was found. (kubeconform also gives an
 * empty document among others its own `(empty)` point; chartctl does not.)
 */
export function renderValidationTap(result: ValidateResult, files: readonly { name: string; empty: boolean }[] = []): string {
  const lines: string[] = [];
  let n = 0;
  const point = (status: 'ok' | 'not ok', rest: string) => {
    if (++n === 1) lines.push('TAP version 13');
    lines.push(`${status} ${n} - ${rest}`);
  };
  const withResources = new Set(result.resources.map((r) => r.file));
  const emptyBefore = new Map<string, string[]>();
  let pending: string[] = [];
  for (const f of files) {
    if (f.empty) pending.push(f.name);
    else if (withResources.has(f.name)) {
      emptyBefore.set(f.name, pending);
      pending = [];
    }
  }
  const seen = new Set<string>();
  for (const r of result.resources) {
    if (!seen.has(r.file)) {
      seen.add(r.file);
      for (const empty of emptyBefore.get(r.file) ?? []) point('ok', `${empty} (empty)`);
    }
    const { kind, name, version, namespace } = signature(r);
    const qualified = `${version}/${kind}/${namespace}/${name}`;
    if (r.status === 'valid') point('ok', `${r.file} (${qualified})`);
    else if (r.status === 'invalid') point('not ok', `${r.file} (${qualified}): ${kubeconformMessage(r)}`);
    else if (r.status === 'error') point('not ok', `${r.file}: ${kubeconformMessage(r)}`);
    else point('ok', `${r.file} (${qualified}) # skip`);
  }
  for (const empty of pending) point('ok', `${empty} (empty)`);
  lines.push(`1..${n}`);
  return `${lines.join('\n')}\n`;
}
