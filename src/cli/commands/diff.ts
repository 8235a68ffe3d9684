import { availableParallelism } from 'node:os';
import { InvalidArgumentError, Option } from 'commander';
import { ExitCode } from '../../core/errors.js';
import { KUBE_CONTEXT_HELP, VALUES_FLAGS_HELP, addValuesOptions, commandLineValues, repeat, type RegisterCommand, type ValuesFlags } from '../context.js';
import { DIFF_VIEWS, type DiffView } from '../diff-views.js';

interface DiffFlags extends ValuesFlags {
  version?: string;
  local?: boolean;
  revision?: number;
  context: number;
  showSecrets?: boolean;
  showSecretsDecoded?: boolean;
  suppressSecrets?: boolean;
  suppress?: string[];
  suppressOutputLineRegex?: string[];
  findRenames?: number;
  stripTrailingCr?: boolean;
  hooks: boolean;
  includeTests?: boolean;
  view: DiffView;
  all?: boolean;
  detailedExitcode?: boolean;
  live?: boolean;
}

function integer(v: string): number {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError('expected a whole number (-1 for whole objects)');
  return Number.parseInt(v, 10);
}

function fraction(v: string): number {
  const n = Number(v);
  if (!/^\d*\.?\d+$/.test(v) || n > 1) throw new InvalidArgumentError('expected a fraction between 0 and 1, e.g. 0.5');
  return n;
}

export const registerDiff: RegisterCommand = (program, ctx) => {
  addValuesOptions(program.command('diff'))
    .argument('[env...]', 'environment name(s); several, or --all, diff them in parallel')
    .description('show what deploying the candidate would change in the cluster, resource by resource (Secret values masked)')
    .option('--all', 'diff every environment (or the ones named), three per CPU core at a time, in one report')
    .option('--version <version>', 'candidate version from the environment\'s repository (default: the newest it accepts)')
    .option('--local', "candidate is the working tree's chart instead of a repository tarball")
    .option('--revision <n>', 'diff the deployed release against revision N (what a rollback to N would change)', (v) => Number.parseInt(v, 10))
    .addOption(new Option('-C, --context <lines>', 'lines of context around each change; -1 shows whole objects (helm-diff\'s default)').default(3).argParser(integer))
    .option('--kube-context <name>', KUBE_CONTEXT_HELP)
    .option('--suppress <kind>', 'report resources of this kind as changed without their content (repeatable)', repeat)
    .option('-q, --suppress-secrets', 'the same as --suppress Secret: not even the changed key names are shown')
    .option('--suppress-output-line-regex <regex>', 'leave lines matching REGEX out of both sides (repeatable)', repeat)
    .option('--show-secrets', 'show Secret values instead of ***')
    .option('--show-secrets-decoded', 'show Secret data base64-decoded (implies --show-secrets)')
    .option('-D, --find-renames <fraction>', 'a removed and an added resource of one kind whose diff changes less than FRACTION of its lines are one renamed resource', fraction)
    .option('--strip-trailing-cr', 'a carriage return before a line end in a value is not a change')
    .option('--no-hooks', 'leave hooks (tests included) out of the diff')
    .option('--include-tests', 'include helm test hooks (left out by default, as helm-diff does)')
    .addOption(new Option('--view <view>', 'text layout: unified (chartctl\'s), or helm-diff\'s --output diff, simple, json, template or dyff').choices(DIFF_VIEWS).default('unified'))
    .option('--detailed-exitcode', 'exit 2 when there are changes (or, with --live, drift), 0 when there are none')
    .option('--live', 'also report fields of live objects changed outside helm (drift)')
    .addHelpText(
      'after',
      `
The deployed side is the release's current manifest and hooks (helm get all, through
the environment's kubeContext); the candidate is rendered with the same values, secrets and
--kube-version as deploy would use, with --is-upgrade semantics. Resources are matched by
group/kind/namespace/name, so an API version move is not a remove+add; hooks whose template
makes up a new name on every render are matched by their template (# Source). Both sides are
read as the API server reads them, and only what it stores identically is not a change: key
order, null vs absent, empty maps, and quantities spelled differently (cpu: 1 vs "1" vs 1000m).
A type change ("1" vs 1) is a change. helm test hooks are left out unless --include-tests;
other hooks are in unless --no-hooks. A release that does not exist yet
shows everything as added; added and removed resources are shown whole. --live also compares
what helm last applied with the live objects (helm status --show-resources) and lists fields
changed outside helm (Secret values hidden).

Blue/green environments: the diff is against the idle slot deploy would change (traffic stays on the
live slot until the switch). Canary environments: against the stable release (what promotion
changes), followed by the walk deploy would run and any canary run already recorded.

Several environments (or --all): each is diffed as above, three per CPU core at a time; the report has one
section per environment (--output json: an array of {env, ok, result | error}). Exit 1 if any
environment failed (the others are still reported), else 2 with --detailed-exitcode if any changed.

Flags of helm-diff keep their meaning (-C, --suppress, -q, --suppress-output-line-regex,
--show-secrets-decoded, -D, --strip-trailing-cr, --no-hooks, --include-tests, --set, -f);
helm-diff's --output diff|simple|json|template|dyff is --view here (--output json is chartctl's full shape).
-q is helm-diff's --suppress-secrets here, not --quiet (spell that out on diff).
--output markdown: a CI job summary (a table of changed resources, each diff in a \`\`\`diff block, Secrets masked).
See docs/coming-from.md.
${VALUES_FLAGS_HELP}

Examples:
  chartctl diff prod
  chartctl diff staging --version 1.4.0 --detailed-exitcode
  chartctl diff prod --revision 7          # what would "chartctl rollback prod 7" change?
  chartctl diff --all --view simple --detailed-exitcode
  chartctl diff dev -C 5 --suppress-secrets --set api.replicaCount=3
  chartctl diff prod --kube-context prod-admin -- --post-renderer ./kustomize.sh`,
    )
    .action(async (envs: string[], opts: DiffFlags, command) =>
      ctx.run(command, async (deps, out, globals) => {
        const { diff, diffEnvironments } = await import('../../actions/diff.js');
        const { compileLineRegex } = await import('../../core/release-diff-filters.js');
        const { renderDiffResult, renderEnvironmentDiffs, environmentDiffsJson, hasChanges } = await import('../diff-result.js');
        if (!opts.all && envs.length !== 1) {
          const { ChartctlError } = await import('../../core/errors.js');
          throw new ChartctlError(envs.length === 0 ? 'Which environment? Name one, several, or give --all.' : `Several environments (${envs.join(', ')}) need --all.`, {
            code: 'DIFF_WHICH_ENV',
            hint: 'chartctl diff prod, or chartctl diff --all [ENV...] for several in one report.',
          });
        }
        const options = {
          version: opts.version,
          local: opts.local,
          revision: opts.revision,
          live: opts.live,
          ...commandLineValues(opts, globals),
          context: opts.context,
          showSecrets: opts.showSecrets || opts.showSecretsDecoded,
          showSecretsDecoded: opts.showSecretsDecoded,
          suppressKinds: [...(opts.suppress ?? []), ...(opts.suppressSecrets ? ['Secret'] : [])],
          suppressLines: (opts.suppressOutputLineRegex ?? []).map(compileLineRegex),
          findRenames: opts.findRenames,
          stripTrailingCR: opts.stripTrailingCr,
          hooks: opts.hooks,
          tests: opts.includeTests === true,
          helmDiffLines: opts.view === 'diff',
          pathChanges: opts.view === 'dyff',
        };
        if (!opts.all) {
          const result = await diff(deps, { ...options, env: envs[0]! });
          if (out.format === 'json') out.json(result);
          else if (globals.output === 'markdown') out.write((await import('../markdown-report.js')).renderDiffMarkdown([{ env: result.env, ok: true, result }], deps.masker));
          else out.write(renderDiffResult(result, opts.view, out));
          return opts.detailedExitcode && hasChanges(result) ? ExitCode.changes : ExitCode.ok;
        }
        // Each environment's helm calls wait on the cluster part of the time (the release read, then the render): three per core keep the cores busy (#20).
        const results = await diffEnvironments(deps, envs, options, 3 * availableParallelism());
        if (out.format === 'json') out.json(environmentDiffsJson(results, deps.masker));
        else if (globals.output === 'markdown') out.write((await import('../markdown-report.js')).renderDiffMarkdown(results, deps.masker));
        else out.write(renderEnvironmentDiffs(results, opts.view, out, deps.masker));
        if (results.some((r) => !r.ok)) return ExitCode.failure;
        return opts.detailedExitcode && results.some((r) => r.ok && hasChanges(r.result)) ? ExitCode.changes : ExitCode.ok;
      }),
    );
};
