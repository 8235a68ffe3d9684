import { Command, CommanderError, Option } from 'commander';
import { join, resolve } from 'node:path';
import { homedir, hostname } from 'node:os';
import { setMaxListeners } from 'node:events';
import { ExitCode, isChartctlError } from '../core/errors.js';
import { Interrupted, signalExitCode, type StopSignal } from '../core/interruption.js';
import { SecretMasker } from '../core/secret-masker.js';
import { StderrReporter } from '../adapters/reporter.js';
import { Cleanup } from '../adapters/cleanup.js';
import { RunningProcesses } from '../adapters/running-processes.js';
import { AppRepo } from '../adapters/app-repo.js';
import { discoverAppRepo } from '../adapters/app-repo-discovery.js';
import { checkUserDirectory } from '../adapters/user-files.js';
import { HelmCli, locateHelm, type Helm } from '../adapters/helm.js';
import { createSecretsReader } from '../adapters/secrets-factory.js';
import { S3ChartRepositories } from '../adapters/s3-chart-repositories.js';
import { HttpOciRegistries } from '../adapters/oci-registry-client.js';
import { AwsEcrTokens, ecrCredentialFallback } from '../adapters/ecr-credentials.js';
import { KubeReleaseLocks } from '../adapters/kube-release-locks.js';
import { GitCli } from '../adapters/git.js';
import { HelmReleases } from '../adapters/helm-releases.js';
import type { Deps } from '../actions/deps.js';
import { CheckRunner } from '../adapters/check-runner.js';
import { KubeTrafficRouters } from '../adapters/kube-traffic-routers.js';
import { KubeCanaryRecords } from '../adapters/kube-canary-records.js';
import { KubeCanaryTraffic } from '../adapters/kube-canary-traffic.js';
import { sleep } from '../adapters/sleep.js';
import { createOutput } from './output.js';
import { OUTPUT_FORMATS, type CliContext, type GlobalOptions } from './context.js';
import { commands } from './commands/index.js';
import { KubeconformRefusal, translateKubeconformArgs } from './kubeconform-args.js';
import { splitHelmHabits } from './helm-habits-args.js';
import { checkHelmPassthrough } from '../core/helm-passthrough.js';
import { versionFlagAsCommand } from './version-flag.js';
import { checkOutputFormat, commandPath } from './output-formats.js';
import { errorReport } from './error-report.js';
import { KubeReleaseStorage } from '../adapters/release-storage.js';
import { resolveClusterAccess } from '../adapters/schema-sources/kubeconfig.js';

const EXAMPLES = `
Examples:
  chartctl lint                      lint, render and check every environment in parallel
  chartctl template prod             render prod's manifests to stdout
  chartctl envs --output json        list environments for scripts
  chartctl --cwd ../shop diff prod   work on an application repository elsewhere
  chartctl --version                 chartctl's, helm's and Node's versions (also -V, chartctl version)

chartctl works on the nearest directory holding environments/: the current one (or --cwd DIR)
or a parent, up to the top of the git work tree. Relative paths on the command line are
resolved from where you run chartctl (or --cwd DIR), paths in environment files from the repository.

Exit codes: 0 ok, 1 failure or invalid input, 2 changes found (--detailed-exitcode),
3 nothing matched (e.g. unknown environment), 130/143 interrupted (after cleanup).`;

/** After a signal, how long chartctl waits for a command with no helm child left to return by itself. */
const IDLE_EXIT_MS = 2000;
const IDLE_TICK_MS = 100;
const RELEASE_COMMANDS = new Set(['deploy', 'rollback', 'watch']);
/** How long one command check or Prometheus query may run before it counts as failed. */
const CHECK_TIMEOUT_MS = 120_000;

/** The only place that prints errors and decides the process exit code. */
export async function main(givenArgv: string[]): Promise<void> {
  const { argv: chartctlArgv, helmArgs } = splitHelmHabits(givenArgv);
  const argv = versionFlagAsCommand(translateKubeconformArgs(chartctlArgv));
  // The AWS SDK warns on every run under Node 20 (still supported here); keep CD logs clean unless the user set it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const masker = new SecretMasker();
  const cleanup = new Cleanup();
  const abort = new AbortController();
  const drain = new AbortController();
  // Every helm child in flight listens to these: lint or diff --all of more than ten environments is no leak.
  setMaxListeners(0, abort.signal, drain.signal);
  const running = new RunningProcesses();
  let graceful = false;
  let jsonErrors = argv.some((a, i) => a === '--output=json' || a === '-ojson' || ((a === '--output' || a === '-o') && argv[i + 1] === 'json'));
  let interruptedBy: StopSignal | undefined;
  /** The environment a release command (deploy, rollback, watch) works on, to name it in the last message. */
  let releaseEnv: string | undefined;
  const exitNow = (signal: StopSignal, why: string) => {
    running.signalAll(signal);
    const left = running.list();
    const message = masker.mask(`${why}${left.length ? `; still running: ${left.map((p) => `${p.description} (pid ${p.pid})`).join(', ')}` : ''}.`);
    const env = releaseEnv ?? '<env>';
    const hint = left.length ? `helm may still change the release: once it ends, see it with "chartctl status ${env}"; if it is pending-* or failed, recover with "chartctl rollback ${env}".` : undefined;
    if (jsonErrors) process.stdout.write(`${JSON.stringify({ error: { code: 'INTERRUPTED', message, hint } }, null, 2)}\n`);
    process.stderr.write(`chartctl: ${message}\n${hint ? `hint: ${hint}\n` : ''}`);
    cleanup.runAll();
    process.exit(signalExitCode(signal));
  };
  // Code that does not listen to the abort signal must not keep chartctl alive:
  // once no helm child is left to wait for, the command gets this long to return.
  const watchIdle = (signal: StopSignal) => {
    let idleTicks = 0;
    setInterval(() => {
      idleTicks = running.size === 0 ? idleTicks + 1 : 0;
      if (idleTicks * IDLE_TICK_MS >= IDLE_EXIT_MS) exitNow(signal, `interrupted by ${signal}; cleaned up`);
    }, IDLE_TICK_MS).unref();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const stop: StopSignal = signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM';
    if (interruptedBy) {
      // A second signal always stops at once, naming what is left running.
      exitNow(stop, `second ${stop}: exiting without waiting for helm`);
      return;
    }
    interruptedBy = stop;
    drain.abort();
    // Long-running loops (watch) finish or roll back the step in flight, then return by themselves.
    if (graceful) return;
    // Forwarded to running helm children, which stop (an upgrade rolls back); nothing new starts.
    abort.abort(new Interrupted(stop));
    const waiting = running.list();
    if (waiting.length) process.stderr.write(`chartctl: ${stop}: waiting for ${waiting.map((p) => `${p.description} (pid ${p.pid})`).join(', ')} to stop; a second signal exits at once.\n`);
    watchIdle(stop);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `chartctl template prod | head`: a reader that stops early is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    cleanup.runAll();
    process.exit(process.exitCode ?? 0);
  });

  const program = new Command('chartctl')
    .description('Helm charts from git to production: lint, render, validate, publish to S3 chart repositories, promote, diff, deploy, roll back.')
    .option('--cwd <dir>', 'run as if started in DIR (like git -C): the repository is DIR or its nearest parent holding environments/, relative paths are resolved from DIR', '.')
    .addOption(new Option('-o, --output <format>', 'output format (json is a stable shape for scripts)').choices(OUTPUT_FORMATS).default('text'))
    .option('--no-color', 'never colour output (also honoured: NO_COLOR)')
    .option('-q, --quiet', 'hide progress messages on stderr (on diff, -q is helm-diff\'s --suppress-secrets; --quiet still works)')
    .option('--verbose', 'print each helm command line (secrets masked)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    .configureOutput({ writeErr: (t) => process.stderr.write(t), writeOut: (t) => process.stdout.write(t) });

  const ctx: CliContext = {
    async run(command, body, options) {
      graceful = Boolean(options?.graceful);
      if (RELEASE_COMMANDS.has(command.name()) && command.args[0]) releaseEnv = command.args[0];
      const raw = command.optsWithGlobals() as { cwd: string; output: string; color: boolean; quiet?: boolean; verbose?: boolean; kubeContext?: string; namespace?: string };
      jsonErrors = raw.output === 'json';
      const start = resolve(raw.cwd);
      await checkUserDirectory(start, { shown: raw.cwd, what: '--cwd', hint: 'Point --cwd at the application repository (the directory holding environments/) or a directory inside it.' });
      const discovered = discoverAppRepo(start);
      const globals: GlobalOptions = {
        cwd: discovered.root ?? start,
        output: checkOutputFormat(commandPath(command), raw.output),
        color: raw.color !== false && !process.env.NO_COLOR && Boolean(process.stdout.isTTY),
        quiet: Boolean(raw.quiet),
        verbose: Boolean(raw.verbose),
        helmArgs,
      };
      jsonErrors = globals.output === 'json';
      checkHelmPassthrough(command.name(), helmArgs);
      const reporter = new StderrReporter({ quiet: globals.quiet, verbose: globals.verbose, json: globals.output === 'json', mask: (t) => masker.mask(t) });
      if (raw.kubeContext) reporter.progress(`Using kube context ${raw.kubeContext} (--kube-context, instead of the environment file's kubeContext)`);
      let helm: Helm | undefined;
      const helmOnFirstUse = () =>
        (helm ??= new HelmCli(locateHelm(process.env), {
          reporter,
          mask: (t) => masker.mask(t),
          signal: abort.signal,
          running,
          env: process.env,
          cacheDir: join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'chartctl'),
        }));
      const deps: Deps = {
        repo: new AppRepo(globals.cwd, { here: start, discovery: discovered, overrides: { kubeContext: raw.kubeContext, namespaceFlag: raw.namespace } }),
        env: process.env,
        reporter,
        masker,
        cleanup,
        signal: abort.signal,
        drain: drain.signal,
        helm: helmOnFirstUse,
        releases: new HelmReleases(helmOnFirstUse),
        secrets: createSecretsReader(process.env),
        now: () => new Date(),
        sleep,
        random: Math.random,
        repositories: new S3ChartRepositories(process.env, join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'chartctl'), () => new Date()),
        registries: new HttpOciRegistries({
          env: process.env,
          signal: abort.signal,
          verbose: (m) => reporter.verbose(m),
          fallbackCredential: ecrCredentialFallback(new AwsEcrTokens({ env: process.env, now: () => new Date(), signal: abort.signal, verbose: (m) => reporter.verbose(m) })),
        }),
        git: new GitCli(process.env),
        releaseStorage: (kubeContext) => new KubeReleaseStorage(resolveClusterAccess(process.env, kubeContext), abort.signal),
        routers: new KubeTrafficRouters(process.env),
        canaryTraffic: new KubeCanaryTraffic(process.env),
        canaryRecords: new KubeCanaryRecords(process.env),
        checks: new CheckRunner({ env: process.env, cwd: globals.cwd, timeoutMs: CHECK_TIMEOUT_MS }),
        // Not tied to the abort signal: an interrupted job still frees its lock.
        locks: new KubeReleaseLocks(process.env),
        host: { name: hostname(), pid: process.pid },
      };
      const code = await body(deps, createOutput(globals.output === 'json' ? 'json' : 'text', globals.color), globals);
      process.exitCode = typeof code === 'number' ? code : ExitCode.ok;
    },
  };
  for (const register of commands) register(program, ctx);
  // helm's -n: accepted on every command that takes an environment, only to explain where the namespace comes from.
  for (const c of program.commands) {
    if (/^env/.test(c.registeredArguments[0]?.name() ?? '')) c.addOption(new Option('-n, --namespace <namespace>').hideHelp());
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are successes; usage errors were already printed on stderr by commander.
      const success = err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.help';
      if (!success && jsonErrors) process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message: masker.mask(err.message.replace(/^error: /, '')), hint: 'Run with --help for usage.' } }, null, 2)}\n`);
      process.exitCode = success ? 0 : ExitCode.failure;
    } else {
      process.exitCode = printError(err, masker, jsonErrors, interruptedBy);
    }
  } finally {
    cleanup.runAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (interruptedBy) process.exit(signalExitCode(interruptedBy));
}

function printError(err: unknown, masker: SecretMasker, json: boolean, signal: StopSignal | undefined): number {
  if (signal) {
    // The bare reason main aborted with says nothing the first line does not.
    const detail = err instanceof Interrupted && (err.during !== undefined || err.hint !== undefined) ? err : undefined;
    const message = masker.mask(detail?.message ?? `Interrupted by ${signal}.`);
    const hint = detail?.hint ? masker.mask(detail.hint) : undefined;
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'INTERRUPTED', message, hint } }, null, 2)}\n`);
    process.stderr.write(`chartctl: interrupted by ${signal}; cleaned up.\n${detail ? `error: ${message}\n` : ''}${hint ? `hint: ${hint}\n` : ''}`);
    return signalExitCode(signal);
  }
  if (err instanceof KubeconformRefusal) {
    process.stderr.write(`${masker.mask(err.message)}\n`);
    return err.exitCode;
  }
  if (isChartctlError(err)) {
    const report = errorReport(err, (t) => masker.mask(t));
    if (json) process.stdout.write(`${JSON.stringify(report.json, null, 2)}\n`);
    process.stderr.write(report.stderr);
    return err.exitCode;
  }
  // A bug, not bad input: show enough to report it, still masked.
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`chartctl: unexpected internal error (please report it):\n${masker.mask(text)}\n`);
  return ExitCode.failure;
}
