import { existsSync, fstatSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { ValidateRun } from '../../actions/validate.js';
import { ChartctlError, ExitCode, isChartctlError } from '../../core/errors.js';
import { KubeconformRefusal, kubeconformUsage } from '../kubeconform-args.js';
import { collect, repeat, type RegisterCommand } from '../context.js';

interface ValidateFlags {
  file?: string[];
  kubeVersion?: string;
  schemaLocation?: string[];
  strict?: boolean;
  ignoreMissingSchemas?: boolean;
  skip?: string[];
  reject?: string[];
  summary?: boolean;
  cache?: string;
  offline?: boolean;
  cluster?: boolean;
  kubeContext?: string;
  insecureSkipTlsVerify?: boolean;
  ignoreFilenamePattern?: string[];
  exitOnError?: boolean;
  kubeconformDialect?: boolean;
  kubeconformVersion?: boolean;
  kubeconformUnknownFlag?: string;
}

export const registerValidate: RegisterCommand = (program, ctx) => {
  program
    .command('validate')
    .argument('[inputs...]', 'files, directories or "-" (stdin), as kubeconform takes them; a name of an environment that is not a path renders that environment (with its CRDs)')
    .description('validate manifests against Kubernetes schemas (kubeconform-compatible, flags and output included): files, directories, stdin or a rendered environment')
    .option('-f, --file <path>', 'file or directory (recursive: .yaml, .yml, .json); "-" for stdin (repeatable)', repeat)
    .option('--kube-version <X.Y>', 'Kubernetes version of the schemas (default: the environment\'s kubeVersion, else master)')
    .option('--schema-location <loc>', 'schema location: kubeconform template, path or URL, a kubernetes-json-schema tree, or "default" (repeatable, in order)', repeat)
    .option('--strict', 'reject unknown fields and duplicate keys')
    .option('--ignore-missing-schemas', 'skip resources without a schema instead of failing')
    .option('--skip <kinds>', 'kinds or apiVersion/kinds to skip, comma-separated (repeatable)', collect)
    .option('--reject <kinds>', 'kinds or apiVersion/kinds to refuse, comma-separated (repeatable)', collect)
    .option('--summary', 'print counts of valid, invalid, errors and skipped')
    .option('--cache <dir>', 'directory for downloaded schemas (must exist; kubeconform cache directories work)')
    .option('--offline', 'never download: use local locations and the cache only (also CHARTCTL_OFFLINE=1)')
    .option('--cluster', "also use the cluster's /openapi/v3 (the environment's kubeContext via kubeconfig); without --schema-location, instead of the default location")
    .option('--kube-context <name>', 'kubeconfig context for --cluster (default: the environment\'s kubeContext, else current-context)')
    .option('--insecure-skip-tls-verify', 'do not verify TLS certificates of schema servers')
    .option('--ignore-filename-pattern <regex>', 'skip files whose path matches (repeatable)', repeat)
    .option('--exit-on-error', 'stop at the first resource that is invalid or an error (kubeconform\'s -exit-on-error)')
    // Set by kubeconform's command line (src/cli/kubeconform-args.ts), not typed by users.
    .addOption(new Option('--kubeconform-dialect').hideHelp())
    .addOption(new Option('--kubeconform-version').hideHelp())
    .addOption(new Option('--kubeconform-unknown-flag <flag>').hideHelp())
    .addHelpText(
      'after',
      `
Schema sources, first hit wins: CustomResourceDefinitions in the input; each --schema-location
in order (none given: the comma-separated locations in CHARTCTL_SCHEMA_LOCATION; neither: the
default location, kubernetes-json-schema at CHARTCTL_SCHEMA_BASE_URL or kubeconform's;
"default" places it explicitly); the cluster with --cluster.

Output (global --output): text (default), json, junit, tap, and kubeconform's own: kubeconform
(its text lines), kubeconform-json (its JSON), pretty. Exit 0 when every resource is valid,
1 when any is invalid, cannot be read, or has no schema (unless --ignore-missing-schemas).

kubeconform's command line works as it is: single-dash flags (-summary, -kubernetes-version 1.33.0,
-schema-location, -skip, -reject, -strict, -ignore-missing-schemas, -ignore-filename-pattern,
-cache, -insecure-skip-tls-verify, -exit-on-error, -verbose, -output, -n, -debug, -v) and files as
arguments. With kubeconform's spelling, -output text/json mean kubeconform's text/JSON, and missing
files and refusals are reported in kubeconform's words (docs/validate.md).

Examples:
  chartctl validate prod --strict
  chartctl validate -summary -output json -kubernetes-version 1.33.0 manifests/
  chartctl validate -f manifests/ --kube-version 1.33 --summary
  helm template . | chartctl validate --output junit > report.xml
  chartctl validate -f crs.yaml --schema-location default --schema-location 'schemas/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'`,
    )
    .action(async (inputs: string[], flags: ValidateFlags, command) =>
      ctx.run(command, async (deps, out, globals) => {
        if (flags.kubeconformUnknownFlag !== undefined) throw new KubeconformRefusal(`flag provided but not defined: ${flags.kubeconformUnknownFlag}\n${usage(command)}`, 'BAD_ARGUMENTS');
        if (flags.kubeconformVersion) {
          // kubeconform prints its release tag (v0.6.7); chartctl's version in the same shape.
          const { chartctlVersion } = await import('../version.js');
          out.write(`v${chartctlVersion()}\n`);
          return ExitCode.ok;
        }
        const { validate } = await import('../../actions/validate.js');
        const { renderValidationJunit } = await import('../../core/schema/report-junit.js');
        const { renderValidationTap } = await import('../../core/schema/report-tap.js');
        const { renderValidationText } = await import('../../core/schema/report-text.js');
        const kubeconform = await import('../../core/schema/report-kubeconform.js');
        const result = await validate(deps, {
          inputs,
          missingFiles: flags.kubeconformDialect ? 'result' : 'refuse',
          files: flags.file ?? [],
          exitOnError: Boolean(flags.exitOnError),
          readStdin,
          kubeVersion: flags.kubeVersion,
          schemaLocations: flags.schemaLocation ?? [],
          strict: Boolean(flags.strict),
          ignoreMissingSchemas: Boolean(flags.ignoreMissingSchemas),
          skip: flags.skip ?? [],
          reject: flags.reject ?? [],
          ignoreFilenamePatterns: flags.ignoreFilenamePattern ?? [],
          cacheDir: flags.cache,
          offline: Boolean(flags.offline),
          cluster: Boolean(flags.cluster),
          kubeContext: flags.kubeContext,
          insecureSkipTlsVerify: Boolean(flags.insecureSkipTlsVerify),
        }).catch((err: unknown) => {
          throw flags.kubeconformDialect ? asKubeconformRefusal(err, flags, deps.repo.root) : err;
        });
        const kubeconformOptions = { summary: Boolean(flags.summary), verbose: globals.verbose, stdin: result.fromStdin };
        switch (globals.output) {
          case 'json':
            out.json(jsonShape(result));
            break;
          case 'junit':
            out.write(renderValidationJunit(result, result.elapsedSeconds));
            break;
          case 'tap':
            out.write(renderValidationTap(result, result.inputFiles));
            break;
          case 'kubeconform':
            out.write(kubeconform.renderKubeconformText(result, kubeconformOptions));
            break;
          case 'kubeconform-json':
            out.write(kubeconform.renderKubeconformJson(result, kubeconformOptions));
            break;
          case 'pretty':
            out.write(kubeconform.renderKubeconformPretty(result, kubeconformOptions));
            break;
          default:
            out.write(renderValidationText(result, { summary: flags.summary, verbose: globals.verbose, stdin: result.fromStdin, style: out.paint }));
        }
        return result.ok ? ExitCode.ok : ExitCode.failure;
      }),
    );
};

/** kubeconform's words for the refusals it makes before validating anything (pkg/registry/registry.go). */
function asKubeconformRefusal(err: unknown, flags: ValidateFlags, root: string): unknown {
  if (!isChartctlError(err)) return err;
  if (err.code === 'BAD_SCHEMA_LOCATION') return new KubeconformRefusal(`failed initialising schema location registry: ${err.message.replace(/\.$/, '')}`, err.code);
  if (err.code === 'BAD_CACHE_DIR' && flags.cache !== undefined) {
    // Go's own output, its nil error included, for a path that is not a directory.
    if (existsSync(resolve(root, flags.cache))) return new KubeconformRefusal('cache folder %!s(<nil>) is not a directory', err.code);
    return new KubeconformRefusal(`failed opening cache folder ${flags.cache}: stat ${flags.cache}: no such file or directory`, err.code);
  }
  return err;
}

/** kubeconform's usage, listing its flags with the descriptions of the chartctl options they stand for. */
function usage(command: Command): string {
  const options = [...command.options, ...(command.parent?.options ?? [])];
  return kubeconformUsage('chartctl validate', (long) => options.find((o) => o.long === long)?.description);
}

/** The documented JSON shape (docs/validate.md); timing stays out so output is reproducible. */
function jsonShape(result: ValidateRun): Omit<ValidateRun, 'elapsedSeconds' | 'fromStdin' | 'inputFiles'> {
  const { elapsedSeconds: _elapsed, fromStdin: _stdin, inputFiles: _files, ...rest } = result;
  // kubeconform's wording is for its formats; chartctl's JSON keeps its documented fields.
  return { ...rest, resources: rest.resources.map(({ kubeconform: _kubeconform, ...resource }) => resource) };
}

/** Like kubeconform, refuse to wait on a terminal (or /dev/null) when no input was named. */
async function readStdin(): Promise<string> {
  let device = false;
  try {
    const st = fstatSync(0);
    device = st.isCharacterDevice();
  } catch {
    device = true;
  }
  if (device) {
    throw new ChartctlError('Nothing to validate: no environment, no -f, and nothing piped into stdin.', {
      code: 'NO_INPUT',
      hint: 'Name an environment (chartctl validate prod), files (-f DIR), or pipe manifests: helm template . | chartctl validate',
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
