import { Option } from 'commander';
import type { RegisterCommand } from '../context.js';
import { table } from '../output.js';

export const registerSetImage: RegisterCommand = (program, ctx) => {
  program
    .command('set-image')
    .usage('<env|--all> <service> <tag> [--digest sha256:...]')
    .argument('[env]', 'environment to edit (omit with --all)')
    .argument('[service]', 'a dependency of the umbrella chart, e.g. api')
    .argument('[tag]', 'the image tag CI just pushed')
    .description("set a service's image tag (and digest) in an environment's values file, keeping comments and formatting")
    .option('--all', 'edit every environment')
    .addOption(new Option('--digest <sha256:...>', 'also pin the image digest'))
    .option('--commit', 'git commit the edited values files ("chore(<env>): set <service> image to <tag>")')
    .addHelpText(
      'after',
      `
The tag lives at <service>.image.tag (or where the environment's "images:" map says) in
the highest-precedence values file of the environment that sets it. Only that scalar
changes; running it twice changes nothing the second time.

Examples:
  chartctl set-image dev api 1.4.2
  chartctl set-image --all web 2.0.0 --digest sha256:3f1c...`,
    )
    .action(async (...args: unknown[]) => {
      const command = args.at(-1) as import('commander').Command;
      const opts = args.at(-2) as { all?: boolean; digest?: string; commit?: boolean };
      const positional = args.slice(0, -2).filter((a) => a !== undefined) as string[];
      return ctx.run(command, async (deps, out) => {
        const { ChartctlError } = await import('../../core/errors.js');
        // With --all the environment is omitted, so the positionals shift by one.
        const [env, service, tag] = opts.all ? [undefined, ...positional.slice(-2)] : positional;
        if (!service || !tag || (opts.all ? positional.length !== 2 : positional.length !== 3)) {
          throw new ChartctlError('set-image needs an environment (or --all), a service and a tag.', { code: 'USAGE', hint: 'Example: chartctl set-image dev api 1.4.2' });
        }
        const { setImage } = await import('../../actions/set-image.js');
        const result = await setImage(deps, { envs: env ? [env] : [], service: service!, tag: tag!, digest: opts.digest, commit: opts.commit });
        if (out.format === 'json') return out.json(result);
        out.write(
          `${table(
            result.edits.map((e) => [e.env, e.file, e.tagPath, String(e.previousTag ?? '-'), e.changed ? e.tag : `${e.tag} (unchanged)`]),
            ['ENVIRONMENT', 'FILE', 'KEY', 'FROM', 'TO'],
          )}\n${result.commit ? `committed ${result.commit.slice(0, 12)}\n` : ''}`,
        );
      });
    });
};
