import type { RegisterCommand } from '../context.js';
import { table } from '../output.js';

export const registerEnvs: RegisterCommand = (program, ctx) => {
  program
    .command('envs')
    .description('list the environments of this repository (environments/*.yaml)')
    .addHelpText(
      'after',
      `
--output matrix prints one line, a JSON array with one object per environment
({env, release, namespace, kubeContext, repository}), for a CI matrix:
GitHub Actions "matrix: { include: \${{ fromJSON(needs.envs.outputs.list) }} }",
GitLab "parallel: matrix:" (see docs/automation.md, CI matrix).

Examples:
  chartctl envs --output json | jq -r '.[].name'
  echo "list=$(chartctl envs --output matrix)" >> "$GITHUB_OUTPUT"`,
    )
    .action(async (_opts, command) =>
      ctx.run(command, async (deps, out, globals) => {
        const { envs, matrixEntries } = await import('../../actions/envs.js');
        const list = await envs(deps);
        // One line: GitHub's $GITHUB_OUTPUT takes name=value lines.
        if (globals.output === 'matrix') return out.write(`${JSON.stringify(matrixEntries(list))}\n`);
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
