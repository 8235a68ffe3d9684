import { Option } from 'commander';
import { posix } from 'node:path';
import type { InitResult } from '../../actions/init.js';
import type { MissingSubchart } from '../../core/init/release-chart.js';
import { CI_SYSTEMS } from '../../core/init/ci-workflows.js';
import { collect, type RegisterCommand } from '../context.js';

export const registerInit: RegisterCommand = (program, ctx) => {
  program
    .command('init')
    .description('start an application repository here: environment files, values, .sops.yaml with an age key, secrets, .gitignore, a pre-commit hook, CI')
    .option('--chart <dir>', 'use this chart directory (inside the repository) instead of writing a starter chart')
    .option('--from-helm-release <name>', 'adopt a live helm release: its chart goes to charts/<chart>/, its values become the first environment\'s, its namespace that environment\'s')
    .option('--namespace <ns>', 'namespace of --from-helm-release (as helm -n)')
    .option('--kube-context <name>', 'kubeconfig context of the release, written as every environment\'s kubeContext')
    .option('--envs <names>', 'environments in promotion order, comma-separated (default: dev,staging,prod)', collect)
    .option('--repository <url>', 's3://bucket/prefix of the chart repositories; each environment gets <url>/<env> (default: s3://<release>-charts)')
    .addOption(new Option('--ci <system>', 'also write a CI pipeline (.github/workflows/chartctl.yml or .gitlab-ci.yml)').choices([...CI_SYSTEMS]))
    .addHelpText(
      'after',
      `
Files that exist are never overwritten: init says which it kept (run it again safely).
.gitignore gets the missing entries appended. The secrets files are encrypted for the age
recipient of your sops key (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, else the default key file);
when you have none, init generates one there (0600) and says how to back it up.
The pre-commit hook (chartctl secrets check) is written only into an existing .git.
--from-helm-release reads the release with helm (get metadata, get values) and its chart from
the record helm keeps in the cluster (the Secret sh.helm.release.v1.NAME.vREV, through your
kubeconfig): templates, values.yaml, values.schema.json, files. helm does not keep subcharts
there: they are listed, and fetched by helm dependency build when they have a repository.
Releases in ConfigMaps or SQL (HELM_DRIVER) are refused; adopt those with --chart DIR.

Examples:
  chartctl init
  chartctl init --chart charts/shop --envs dev,prod --ci github
  chartctl init --from-helm-release shop --namespace shop --kube-context prod --ci gitlab`,
    )
    .action(async (opts: { chart?: string; fromHelmRelease?: string; namespace?: string; kubeContext?: string; envs?: string[]; repository?: string; ci?: 'github' | 'gitlab' }, command) =>
      ctx.run(command, async (deps, out) => {
        const { init } = await import('../../actions/init.js');
        const result = await init(deps, opts);
        if (out.format === 'json') return out.json(result);
        out.write(describe(result));
      }),
    );
};

function subchartAdvice(s: MissingSubchart, chartDir: string): string {
  if (!s.repository) return `it has no repository: copy it from the chart's source into ${chartDir}/charts/${s.name}/`;
  const path = s.repository.startsWith('file://') ? s.repository.slice('file://'.length) : undefined;
  if (path !== undefined && !path.startsWith('/')) return `its repository ${s.repository} is relative to the chart: put the subchart at ${posix.normalize(posix.join(chartDir, path))}/`;
  return `chartctl lint/template fetch it from ${s.repository} (helm dependency build)`;
}

function describe(r: InitResult): string {
  const lines: string[] = [];
  if (r.adopted) {
    const a = r.adopted;
    lines.push(`Adopted release ${a.release} (namespace ${a.namespace}, revision ${a.revision}, chart ${a.chart} ${a.chartVersion}): its values are in environments/values/${r.envs[0]}.yaml; move any secret among them into environments/secrets/${r.envs[0]}.yaml (chartctl secrets edit).`);
    if (a.chartDir) lines.push(`Its chart, as the release record holds it, went to ${a.chartDir} (files already there were kept; Chart.yaml and values.yaml are rewritten from helm's parsed copy, without comments).`);
    for (const s of a.subcharts) lines.push(`  subchart ${s.name} ${s.version}: not in the release record (helm keeps only the parent chart); ${subchartAdvice(s, a.chartDir!)}.`);
  }
  for (const path of r.written) lines.push(`  wrote   ${path}`);
  for (const a of r.appended) lines.push(`  added   ${a.path}: ${a.added.join(', ')}`);
  for (const k of r.kept) lines.push(`  kept    ${k.path} (${k.reason})`);
  if (r.ageKey?.created) {
    lines.push(
      '',
      `Generated an age identity in ${r.ageKey.from} (public key ${r.ageKey.recipient}).`,
      `Back it up now (a password manager or a sealed vault entry): without it nobody can decrypt these secrets.`,
      `  Copy the file ${r.ageKey.from} itself; never commit it. Add teammates' and CI's public keys to .sops.yaml, then chartctl secrets updatekeys FILE.`,
    );
  } else if (r.ageKey) lines.push('', `Secrets are encrypted for ${r.ageKey.recipient} (your identity in ${r.ageKey.from}).`);
  lines.push('', `Next: chartctl lint${r.adopted ? ` && chartctl diff ${r.envs[0]}` : ''}, then set each environment's repository.url and kubeContext to your own.`);
  return `${lines.join('\n')}\n`;
}
