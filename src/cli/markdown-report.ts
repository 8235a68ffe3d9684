import type { DiffResult, EnvironmentDiff } from '../actions/diff.js';
import type { LintResult } from '../actions/lint.js';
import { isChartctlError } from '../core/errors.js';
import { counted } from '../core/plural.js';
import type { ResourceChange } from '../core/release-diff.js';
import type { SecretMasker } from '../core/secret-masker.js';
import { shareFindings, sharedEnvironments } from '../core/shared-findings.js';

/**
 * --output markdown: a CI job summary (GitHub's $GITHUB_STEP_SUMMARY, a merge-request note).
 * Secret values are already *** in the diff; the whole report still goes through the masker,
 * because a summary is published further than a log.
 */

/** A table cell: a pipe or a line break would end the cell early. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A fence longer than any backtick run inside, so a value cannot close the block. */
function fenced(lang: string, body: string): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${body.replace(/\n$/, '')}\n${fence}`;
}

function changeLabel(c: ResourceChange): string {
  if (c.renamedFrom) return `renamed from ${c.renamedFrom}`;
  return c.change;
}

function diffSection(result: DiffResult): string[] {
  const lines: string[] = [];
  const from = result.deployed.revision === null ? 'not installed' : `revision ${result.deployed.revision} (${result.deployed.version})`;
  const to = result.candidate.revision !== null ? `revision ${result.candidate.revision} (${result.candidate.version})` : `${result.candidate.version}`;
  lines.push(`Release \`${result.release}\` in \`${result.namespace}\`: ${from} → ${to}`, '');
  const changed = result.diff.changes.filter((c) => c.change !== 'unchanged');
  const c = result.diff.counts;
  if (changed.length === 0) {
    lines.push(`No changes (${counted(c.unchanged, 'resource')} unchanged).`);
  } else {
    lines.push('| Change | Resource |', '| --- | --- |');
    for (const ch of changed) lines.push(`| ${cell(changeLabel(ch))} | ${cell(`${ch.resource}${ch.hook ? ' (hook)' : ''}`)} |`);
    lines.push('', `${c.changed} changed, ${c.added} added, ${c.removed} removed, ${c.unchanged} unchanged`);
    for (const ch of changed) {
      lines.push('', `<details><summary>${ch.change} ${ch.resource.replace(/</g, '&lt;')}</summary>`, '');
      if (ch.suppressed === 'kind') lines.push(`Changes suppressed on sensitive content of type ${ch.kind}.`);
      else if (ch.suppressed === 'lines') lines.push('Has changed, but the diff is empty after suppression.');
      if (ch.secretKeysChanged?.length) lines.push(`Secret keys changed: ${ch.secretKeysChanged.join(', ')} (values hidden).`);
      if (ch.diff) lines.push(fenced('diff', ch.diff.split('\n').slice(2).join('\n')));
      lines.push('', '</details>');
    }
  }
  if (result.drift?.length) {
    lines.push('', '**Drift (changed outside helm)**', '', '| Resource | Fields |', '| --- | --- |');
    for (const d of result.drift) lines.push(`| ${cell(d.resource)} | ${cell(d.missing ? 'deleted outside helm' : d.fields.map((f) => f.path).join(', '))} |`);
  }
  return lines;
}

/** `diff --output markdown`, one environment or several (--all). */
export function renderDiffMarkdown(results: EnvironmentDiff[], masker: SecretMasker): string {
  const lines: string[] = [`# chartctl diff: ${results.map((r) => r.env).join(', ')}`];
  for (const r of results) {
    lines.push('', `## ${r.env}`, '');
    if (r.ok) lines.push(...diffSection(r.result));
    else lines.push(`**Failed** (${isChartctlError(r.error) ? r.error.code : 'INTERNAL'}): ${r.error.message}${isChartctlError(r.error) && r.error.hint ? `\n\nHint: ${r.error.hint}` : ''}`);
  }
  return masker.mask(`${lines.join('\n')}\n`);
}

/** `lint --output markdown`: a table per environment's findings, then the totals. */
export function renderLintMarkdown(result: LintResult, masker: SecretMasker): string {
  const lines: string[] = ['# chartctl lint', '', '| Environment | Result | Resources | Errors | Warnings |', '| --- | --- | --- | --- | --- |'];
  for (const env of result.environments) {
    lines.push(`| ${cell(env.env)} | ${env.ok ? 'ok' : '**FAILED**'} | ${env.resources} | ${env.counts.error} | ${env.counts.warning} |`);
  }
  const { shared, own } = shareFindings(result.environments);
  result.environments.forEach((env, i) => {
    const shown = own[i]!.filter((f) => f.severity !== 'info');
    if (shown.length === 0) return;
    lines.push('', `## ${env.env}`, '', '| Severity | Check | Where | Message |', '| --- | --- | --- | --- |');
    for (const f of shown) lines.push(`| ${f.severity} | ${cell(f.check)} | ${cell([f.resource, f.source && `[${f.source}]`].filter(Boolean).join(' '))} | ${cell(f.message)} |`);
  });
  const sharedShown = shared.filter((f) => f.severity !== 'info');
  if (sharedShown.length > 0) {
    lines.push('', '## Across environments', '', '| Severity | Check | Environments | Message |', '| --- | --- | --- | --- |');
    for (const f of sharedShown) lines.push(`| ${f.severity} | ${cell(f.check)} | ${cell(sharedEnvironments(f, result.environments.length))} | ${cell(f.message)} |`);
  }
  const c = result.counts;
  lines.push('', `${counted(result.environments.length, 'environment')}: ${counted(c.error, 'error')}, ${counted(c.warning, 'warning')}${result.ok ? '' : ' — lint failed'}`);
  return masker.mask(`${lines.join('\n')}\n`);
}
