import type { DiffResult, EnvironmentDiff } from '../actions/diff.js';
import { ChartctlError } from '../core/errors.js';
import type { SecretMasker } from '../core/secret-masker.js';
import { renderReleaseDiff } from './diff-report.js';
import { renderHelmDiffView, type DiffView } from './diff-views.js';
import type { Output } from './output.js';

/** The text report of one environment's diff, in the chosen view, drift included. */
export function renderDiffResult(result: DiffResult, view: DiffView, out: Output): string {
  let text: string;
  if (view === 'unified') {
    const from = result.deployed.revision === null ? 'not installed' : `revision ${result.deployed.revision} (${result.deployed.version}, ${result.deployed.status})`;
    const to = result.candidate.revision !== null ? `revision ${result.candidate.revision} (${result.candidate.version})` : `${result.candidate.version} from ${result.candidate.source}`;
    text = renderReleaseDiff(result.diff, out, `${result.release} in ${result.namespace}: ${from} → ${to}`);
  } else {
    text = renderHelmDiffView(view, result.diff, result.namespace, out);
  }
  for (const image of result.images.filter((i) => i.override)) {
    text += `${out.paint.yellow('override')} ${image.tagPath} ${String(image.tag)} is ${result.env}'s own, from ${image.file} (promotion does not change it)\n`;
  }
  if (result.blueGreen) {
    const { slot, live, router } = result.blueGreen;
    text += `\nBlue/green: this is the idle slot ${slot} (${result.release}), which deploy would change; router Service ${router} keeps sending traffic to ${live ? `slot ${live}` : 'no slot'} until the switch.\n`;
    const ingress = result.blueGreen.ingress;
    if (ingress?.refused) text += `${out.paint.red('Deploy would refuse')}: ${ingress.refused}.\n`;
    if (ingress?.create) text += `Router Ingress ${ingress.name} does not exist yet: deploy creates it in front of router Service ${router}.\n`;
  }
  if (result.canary) {
    const { release, walk, recorded } = result.canary;
    text += `\nCanary: this is against the stable release ${result.release} (what promotion changes); deploy would first install it as ${release} beside it, then: ${walk.join('; ')}.\n`;
    if (recorded) text += `${out.paint.yellow('A canary run is recorded')}: ${recorded.version}, ${recorded.state}, weight ${recorded.weight}%; deploy refuses a new one until it is finished (chartctl deploy ${result.env} --resume) or removed (--abort).\n`;
  }
  if (result.drift) {
    text += result.drift.length === 0 ? '\nNo drift: live objects match what helm applied.\n' : `\n${out.paint.bold('Drift (changed outside helm)')}\n`;
    for (const d of result.drift) {
      text += d.missing ? `${out.paint.red('! missing')} ${d.resource} (deleted outside helm)\n` : `${out.paint.yellow('! drifted')} ${d.resource}\n`;
      for (const f of d.fields) text += `    ${f.path}: applied ${JSON.stringify(f.applied)}, live ${JSON.stringify(f.live)}\n`;
    }
  }
  return text;
}

/** What --detailed-exitcode counts: a change to deploy, or (with --live) drift. */
export function hasChanges(result: DiffResult): boolean {
  return result.diff.hasChanges || (result.drift?.length ?? 0) > 0;
}

function errorShape(error: Error, masker: SecretMasker) {
  return error instanceof ChartctlError
    ? { code: error.code, message: masker.mask(error.message), hint: error.hint ? masker.mask(error.hint) : undefined }
    : { code: 'INTERNAL', message: masker.mask(error.message) };
}

/** `diff --all` text: one section per environment, failures in their place, then a one-line summary. */
export function renderEnvironmentDiffs(results: EnvironmentDiff[], view: DiffView, out: Output, masker: SecretMasker): string {
  const sections = results.map((r) => {
    const title = out.paint.bold(`=== ${r.env} ===`);
    if (r.ok) return `${title}\n${renderDiffResult(r.result, view, out)}`;
    const e = errorShape(r.error, masker);
    return `${title}\n${out.paint.red('failed')}: ${e.message}${'hint' in e && e.hint ? `\nhint: ${e.hint}` : ''}\n`;
  });
  const changed = results.filter((r) => r.ok && hasChanges(r.result)).map((r) => r.env);
  const failed = results.filter((r) => !r.ok).map((r) => r.env);
  const unchanged = results.filter((r) => r.ok && !hasChanges(r.result)).map((r) => r.env);
  const summary = [`changed: ${changed.join(', ') || 'none'}`, `unchanged: ${unchanged.join(', ') || 'none'}`, ...(failed.length ? [`failed: ${failed.join(', ')}`] : [])].join('; ');
  return `${sections.join('\n')}\n${summary}\n`;
}

/** `diff --all --output json`: one entry per environment, in the order asked. */
export function environmentDiffsJson(results: EnvironmentDiff[], masker: SecretMasker) {
  return results.map((r) => (r.ok ? { env: r.env, ok: true, result: r.result } : { env: r.env, ok: false, error: errorShape(r.error, masker) }));
}
