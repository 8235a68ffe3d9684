import { Option } from 'commander';
import type { RegisterCommand } from '../context.js';
import { table } from '../output.js';

export const registerSetImage: RegisterCommand = (program, ctx) => {
  program
    .command('set-image')
    .usage('<service> <tag> [--only-env ENV] [--digest sha256:...]')
    .argument('[args...]', '<service> <tag>, or <env> <service> <tag> (the same as --only-env env)')
    .description("set a service's image tag (and digest) where every environment reads it, keeping comments and formatting")
    .option('--only-env <env>', 'write an override in this environment\'s own values file only (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--all', 'every environment (the default; kept for scripts)')
    .addOption(new Option('--digest <sha256:...>', 'also pin the image digest (refused when the chart never reads it)'))
    .option('--commit', 'git commit the edited values files ("chore(<env|all>): set <service> image to <tag>")')
    .addHelpText(
      'after',
      `
By default the tag is written once, at <service>.image.tag (or where the environments'
"images:" map says), in the last values file every environment lists (e.g. common.yaml).
A published version carries those files, so the tag moves with it through every
promotion. An environment whose own later file also sets the tag keeps that override;
it is reported (and shown by diff). --only-env ENV writes such an override instead.
Only the changed scalars move; running it twice changes nothing the second time.

Examples:
  chartctl set-image api 1.4.2
  chartctl set-image web 2.0.0 --digest sha256:3f1c...
  chartctl set-image api 1.4.3-hotfix --only-env prod`,
    )
    .action(async (args: string[], opts: { all?: boolean; onlyEnv?: string[]; digest?: string; commit?: boolean }, command: import('commander').Command) => {
      return ctx.run(command, async (deps, out) => {
        const { ChartctlError } = await import('../../core/errors.js');
        const [service, tag] = args.slice(-2);
        const envs = [...(opts.onlyEnv ?? []), ...(args.length === 3 ? [args[0]!] : [])];
        if (!service || !tag || args.length < 2 || args.length > 3 || (opts.all && envs.length > 0)) {
          throw new ChartctlError('set-image needs a service and a tag (and, for an override, --only-env ENV).', { code: 'USAGE', hint: 'Example: chartctl set-image api 1.4.2' });
        }
        const { setImage } = await import('../../actions/set-image.js');
        const result = await setImage(deps, { envs, service, tag, digest: opts.digest, commit: opts.commit });
        for (const w of result.warnings) deps.reporter.warn(w);
        if (out.format === 'json') return out.json(result);
        out.write(
          `${table(
            result.edits.map((e) => [e.env, e.file, e.tagPath, String(e.previousTag ?? '-'), `${e.changed ? e.tag : `${e.tag} (unchanged)`}${e.overriddenBy ? ` (overridden by ${e.overriddenBy.file}: ${String(e.overriddenBy.tag)})` : ''}`]),
            ['ENVIRONMENT', 'FILE', 'KEY', 'FROM', 'TO'],
          )}\n${result.commit ? `committed ${result.commit.slice(0, 12)}\n` : ''}`,
        );
      });
    });
};
