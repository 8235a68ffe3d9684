import { shownDigest } from '../../core/shown-digest.js';
import type { RegisterCommand } from '../context.js';

export const registerPackage: RegisterCommand = (program, ctx) => {
  program
    .command('package')
    .description('build the chart tarball reproducibly (same sources → same sha256 on any machine)')
    .option('--version <version>', 'literal semver, or a bump of Chart.yaml\'s version: patch|minor|major|prerelease')
    .option('--app-version <version>', 'set appVersion in the packaged Chart.yaml')
    .option('--preid <id>', 'prerelease identifier for --version prerelease', 'dev')
    .option('--chart <dir>', 'chart directory (default: the chart the environments use)')
    .option('--destination <dir>', 'where to write <name>-<version>.tgz (default: the repository root)')
    .option('--build-time', 'record the build time in Chart.yaml annotations (the digest then changes every build)')
    .addHelpText(
      'after',
      `
Runs helm dependency build when needed, then writes the archive natively: .helmignore honoured,
entries sorted with <name>/Chart.yaml first as helm package lays them out, fixed mtime, uid/gid 0,
mode 0644, fixed gzip header. Provenance goes into Chart.yaml annotations: chartctl.io/git-commit
(the repository's newest commit that changed a file) and chartctl.io/git-dirty.

--version prerelease gives <next patch>-<preid>.<commits touching the chart>+g<commit>,
e.g. 1.4.1-dev.7+g1a2b3c4 from Chart.yaml 1.4.0 (a prerelease Chart.yaml version, 1.5.0-rc.1,
leads to 1.5.0-dev.N): what a dev environment gets. publish --version prerelease also goes
above every version of the chart in the environment's repository; bump prerelease uses the
same scheme.

Examples:
  chartctl package
  chartctl package --version prerelease --destination dist/
  chartctl package --version 1.4.1 --app-version 2.0.3 --output json`,
    )
    .action(async (opts: { version?: string; appVersion?: string; preid?: string; chart?: string; destination?: string; buildTime?: boolean }, command) =>
      ctx.run(command, async (deps, out) => {
        const { packageChart } = await import('../../actions/package.js');
        const packaged = await packageChart(deps, opts);
        const result = { ...packaged, digest: shownDigest(packaged.digest) };
        if (out.format === 'json') return out.json(result);
        out.write(`${result.file}\n`);
        deps.reporter.progress(`${result.chart} ${result.version}: ${result.digest} (${result.size} bytes)`);
      }),
    );
};
