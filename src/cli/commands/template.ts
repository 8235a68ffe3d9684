import { repeat, type RegisterCommand } from '../context.js';

export const registerTemplate: RegisterCommand = (program, ctx) => {
  program
    .command('template')
    .argument('<env>', 'environment name (environments/<env>.yaml)')
    .description("render an environment's manifests with its values, secrets and Kubernetes version")
    .option('--set <key=value>', 'set a value (highest precedence; repeatable)', repeat)
    .option('--values <file>', 'extra values file, above the environment files and secrets (repeatable)', repeat)
    .option('--output-dir <dir>', 'write one file per resource (mode 0600) into DIR instead of stdout')
    .option('--show-secrets', 'print Secret values instead of *** (never into the repository, links followed)')
    .addHelpText(
      'after',
      `
Values layering (lowest to highest): chart defaults < environment "values" files in order
< decrypted "secrets" files < --values files < --set.

Examples:
  chartctl template prod > prod.yaml
  chartctl template dev --set api.image.tag=1.2.3
  chartctl template staging --output-dir /tmp/staging-manifests`,
    )
    .action(async (env: string, opts: { set?: string[]; values?: string[]; outputDir?: string; showSecrets?: boolean }, command) =>
      ctx.run(command, async (deps, out) => {
        const { template } = await import('../../actions/template.js');
        const result = await template(deps, { env, set: opts.set, valuesFiles: opts.values, outputDir: opts.outputDir, showSecrets: opts.showSecrets });
        if (out.format === 'json') return out.json(result);
        if (opts.outputDir) {
          deps.reporter.progress(`Wrote ${result.files.length} files to ${opts.outputDir}`);
          out.write(result.files.map((f) => `${f}\n`).join(''));
        } else {
          out.write(result.manifest);
        }
      }),
    );
};
