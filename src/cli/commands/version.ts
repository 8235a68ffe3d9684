import type { RegisterCommand } from '../context.js';

export const registerVersion: RegisterCommand = (program, ctx) => {
  program
    .command('version')
    .description("print chartctl's, helm's and Node's versions (also: chartctl --version, -V)")
    .action(async (_opts, command) =>
      ctx.run(command, async (deps, out) => {
        const { versions } = await import('../../actions/version.js');
        const report = await versions(deps);
        if (out.format === 'json') return out.json(report);
        const helm = report.helm.version === null ? `helm: not usable: ${report.helm.problem}` : `helm ${report.helm.version} (${report.helm.path})`;
        out.write(`chartctl ${report.chartctl}\n${helm}\nnode ${report.node}\n`);
      }),
    );
};
