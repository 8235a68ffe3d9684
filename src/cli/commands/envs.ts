import type { RegisterCommand } from '../context.js';
import { table } from '../output.js';

export const registerEnvs: RegisterCommand = (program, ctx) => {
  program
    .command('envs')
    .description('list the environments of this repository (environments/*.yaml)')
    .addHelpText('after', '\nExample:\n  chartctl envs --output json | jq -r \'.[].name\'')
    .action(async (_opts, command) =>
      ctx.run(command, async (deps, out) => {
        const { envs } = await import('../../actions/envs.js');
        const list = await envs(deps);
        if (out.format === 'json') return out.json(list);
        out.write(
          `${table(
            list.map((e) => [e.name, e.release, e.namespace, e.repository, e.promotesFrom ?? '-']),
            ['ENVIRONMENT', 'RELEASE', 'NAMESPACE', 'REPOSITORY', 'PROMOTES FROM'],
          )}\n`,
        );
      }),
    );
};
