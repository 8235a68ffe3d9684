import { Argument } from 'commander';
import type { RegisterCommand } from '../context.js';

export const registerBump: RegisterCommand = (program, ctx) => {
  program
    .command('bump')
    .addArgument(new Argument('[kind]', 'which part to bump').choices(['patch', 'minor', 'major', 'prerelease']).default('patch'))
    .description("bump the umbrella chart's version in Chart.yaml (comments kept), never behind the first environment's repository")
    .option('--preid <id>', 'prerelease identifier for `prerelease`', 'dev')
    .option('--chart <dir>', 'chart directory (default: the one all environments share)')
    .option('--skip-repository-check', "do not compare with the first environment's repository (offline)")
    .addHelpText(
      'after',
      `
The first environment is the one the others are promoted from (promotion.from); its S3
repository must not already hold the new version or a newer one. prerelease follows the scheme
of publish --version prerelease: <next patch>-<preid>.N, above every release in that repository
(0.2.2-dev.N once 0.2.1 is published), N one more than the highest build of that base there.

Examples:
  chartctl bump minor            # 1.4.2 -> 1.5.0
  chartctl bump prerelease       # 1.5.0 -> 1.5.1-dev.0, then 1.5.1-dev.1 (above the repository's newest)`,
    )
    .action(async (kind: 'patch' | 'minor' | 'major' | 'prerelease', opts: { preid: string; chart?: string; skipRepositoryCheck?: boolean }, command) =>
      ctx.run(command, async (deps, out) => {
        const { bump } = await import('../../actions/bump.js');
        const result = await bump(deps, { kind, preid: opts.preid, chart: opts.chart, skipRepositoryCheck: opts.skipRepositoryCheck });
        if (out.format === 'json') return out.json(result);
        out.write(
          `${result.chart}: ${result.from} → ${result.to} (${result.file})${result.checked ? `; ${result.checked.env} repository holds ${result.checked.newest ?? 'no version yet'}` : ''}\n`,
        );
      }),
    );
};
