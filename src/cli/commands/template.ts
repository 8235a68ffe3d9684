import { addValuesOptions, commandLineValues, repeat, VALUES_FLAGS_HELP, type RegisterCommand, type ValuesFlags } from '../context.js';

export const registerTemplate: RegisterCommand = (program, ctx) => {
  addValuesOptions(
    program
      .command('template')
      .argument('<env>', 'environment name (environments/<env>.yaml)')
      .description("render an environment's manifests with its values, secrets and Kubernetes version"),
  )
    .option('-s, --show-only <template>', "only the manifests of this template, a path inside the chart such as templates/deployment.yaml, or charts/api/templates/deployment.yaml for a subchart's (helm's --show-only; repeatable)", repeat)
    .option('--output-dir <dir>', 'write one file per resource (mode 0600) into DIR instead of the stream on stdout (which then lists the files)')
    .option('--show-secrets', 'print Secret values instead of *** (never into the repository, links followed)')
    .addHelpText(
      'after',
      `${VALUES_FLAGS_HELP}

Examples:
  chartctl template prod > prod.yaml
  chartctl template dev --set api.image.tag=1.2.3 -f hotfix.yaml
  chartctl template prod -s charts/api/templates/deployment.yaml
  chartctl template staging --output-dir /tmp/staging-manifests
  chartctl template prod -- --post-renderer ./kustomize.sh`,
    )
    .action(async (env: string, opts: ValuesFlags & { showOnly?: string[]; outputDir?: string; showSecrets?: boolean }, command) =>
      ctx.run(command, async (deps, out, globals) => {
        const { template } = await import('../../actions/template.js');
        const result = await template(deps, { env, values: commandLineValues(opts, globals), showOnly: opts.showOnly, outputDir: opts.outputDir, showSecrets: opts.showSecrets });
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
