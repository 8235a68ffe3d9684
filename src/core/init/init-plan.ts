import { ciFileText, CI_FILE, type CiSystem } from './ci-workflows.js';
import { environmentFileText } from './environment-template.js';
import { starterChartFiles } from './starter-chart.js';
import type { ReleaseChartFile } from './release-chart.js';

/** Lines `init` makes sure .gitignore holds: chartctl's local state and helm's fetched dependencies. */
export const GITIGNORE_ENTRIES = ['.chartctl/', 'charts/*/charts/*.tgz'] as const;

export const SOPS_CONFIG = '.sops.yaml';
export const PRE_COMMIT_HOOK = '.git/hooks/pre-commit';

export interface InitInputs {
  /** Environment names in promotion order. */
  envs: string[];
  /** Repository-relative chart directory and its Chart.yaml name; none: a starter chart is written. */
  chart?: { dir: string; name: string };
  /** The chart of an adopted release (written under charts/<its name>/), when no chart is given. */
  releaseChart?: { name: string; files: ReleaseChartFile[] };
  /** The release name, and the starter chart's when no chart is given. */
  appName: string;
  /** `s3://bucket/prefix`; each environment gets `<base>/<env>`. */
  repositoryBase: string;
  kubeContext?: string;
  /** The age recipient new secrets are encrypted for. */
  ageRecipient: string;
  ci?: CiSystem;
  /** Values of a live release, as YAML, written as the first environment's values. */
  releaseValues?: string;
  /** The live release's namespace, for the first environment (others: `<release>-<env>`). */
  releaseNamespace?: string;
  /** Repository-relative paths that exist already (files and directories). */
  existing: ReadonlySet<string>;
  /** Current .gitignore text, when there is one. */
  gitignore?: string;
  /** `.git` is a directory here. */
  gitDir: boolean;
}

export type PlannedFile =
  | { path: string; action: 'write'; content: string | Buffer; mode?: number; encrypt?: boolean }
  | { path: string; action: 'append'; content: string; added: string[] }
  | { path: string; action: 'keep'; reason: string };

export interface InitPlan {
  release: string;
  chart: string;
  files: PlannedFile[];
}

const PRE_COMMIT_TEXT = `#!/bin/sh
# Written by chartctl init: refuse a commit while a secrets file holds cleartext.
if command -v chartctl >/dev/null 2>&1; then exec chartctl secrets check; fi
exec npx --no-install chartctl secrets check
`;

/** Which files `init` writes, appends to or keeps; nothing that exists is ever replaced. */
export function planInit(inputs: InitInputs): InitPlan {
  const release = inputs.appName;
  const releaseChart = inputs.chart ? undefined : inputs.releaseChart;
  const chart = inputs.chart?.dir ?? `charts/${releaseChart?.name ?? inputs.appName}`;
  const files: PlannedFile[] = [];
  const offer = (path: string, content: string | Buffer, extra: { mode?: number; encrypt?: boolean } = {}) => {
    files.push(inputs.existing.has(path) ? { path, action: 'keep', reason: 'exists' } : { path, action: 'write', content, ...extra });
  };

  if (releaseChart) {
    for (const file of releaseChart.files) offer(`${chart}/${file.path}`, file.content);
  } else if (!inputs.chart) {
    for (const [path, content] of Object.entries(starterChartFiles(inputs.appName))) offer(path, content);
  }
  const base = inputs.repositoryBase.replace(/\/+$/, '');
  inputs.envs.forEach((env, i) => {
    const last = i === inputs.envs.length - 1 && inputs.envs.length > 1;
    const values = ['environments/values/common.yaml', `environments/values/${env}.yaml`];
    const secrets = [`environments/secrets/${env}.yaml`];
    offer(
      `environments/${env}.yaml`,
      environmentFileText({
        name: env,
        chart,
        release,
        namespace: i === 0 && inputs.releaseNamespace ? inputs.releaseNamespace : `${release}-${env}`,
        repositoryUrl: `${base}/${env}`,
        kubeContext: inputs.kubeContext,
        from: inputs.envs[i - 1],
        allowPrerelease: i === 0,
        requireApproval: last,
        values,
        secrets,
      }),
    );
  });
  offer('environments/values/common.yaml', `# Values every environment shares, over the chart's own values.yaml.\n{}\n`);
  inputs.envs.forEach((env, i) => {
    const fromRelease = i === 0 && inputs.releaseValues;
    offer(
      `environments/values/${env}.yaml`,
      fromRelease
        ? `# The values of the live release, read by chartctl init --from-helm-release (helm get values).\n${inputs.releaseValues}`
        : `# Values of the ${env} environment, over common.yaml.\n{}\n`,
    );
  });
  offer(SOPS_CONFIG, sopsConfigText(inputs.ageRecipient));
  // Written through the sops encryption (never as cleartext on disk); edit with chartctl secrets edit.
  for (const env of inputs.envs) offer(`environments/secrets/${env}.yaml`, '{}\n', { encrypt: true });

  const present = new Set((inputs.gitignore ?? '').split(/\r?\n/).map((l) => l.trim()));
  const added = GITIGNORE_ENTRIES.filter((e) => !present.has(e));
  if (added.length === 0) files.push({ path: '.gitignore', action: 'keep', reason: 'already lists the entries' });
  else {
    const before = inputs.gitignore ?? '';
    const separator = before === '' || before.endsWith('\n') ? '' : '\n';
    files.push({ path: '.gitignore', action: 'append', added, content: `${before}${separator}${before ? '\n' : ''}# chartctl\n${added.join('\n')}\n` });
  }

  if (!inputs.gitDir) files.push({ path: PRE_COMMIT_HOOK, action: 'keep', reason: 'no .git directory here (run git init, then chartctl init again)' });
  else offer(PRE_COMMIT_HOOK, PRE_COMMIT_TEXT, { mode: 0o755 });

  if (inputs.ci) offer(CI_FILE[inputs.ci], ciFileText(inputs.ci, { release, envs: inputs.envs }));
  return { release, chart, files };
}

function sopsConfigText(recipient: string): string {
  return `# Who can decrypt this repository's secrets (written by chartctl init). chartctl and sops pick the
# first creation rule whose path_regex matches a file's path relative to this directory.
# Add a recipient per team member and one for CI (age public keys, comma-separated, or kms: ARNs),
# then run chartctl secrets updatekeys FILE for each secrets file.
creation_rules:
  - path_regex: ^environments/secrets/[^/]+\\.ya?ml$
    age: ${recipient}
`;
}
