import type { Command } from 'commander';
import type { RegisterCommand } from '../context.js';
import { collect } from '../context.js';

const HELP = `
A LOCAL stand-in for a cluster and a bucket: a Kubernetes API simulator that the
real helm (3.x and 4.x) and kubectl talk to, plus a local S3 server with
conditional writes. Nothing runs in it; workloads report ready after a short
delay. For trying chartctl, the README demo, and rehearsing deploys and
rollbacks in CI. State lives until \`chartctl sandbox down\`.

Examples:
  chartctl sandbox up                       start; writes .chartctl/sandbox/kubeconfig and env.sh
  . .chartctl/sandbox/env.sh                point helm, kubectl and the AWS SDK at it
  chartctl sandbox fault shop-dev/Deployment/shop-api never-ready
  chartctl sandbox fault shop-dev/Pod/shop-test-connection fail
  chartctl sandbox down                     stop both servers and remove their state`;

export const registerSandbox: RegisterCommand = (program, ctx) => {
  const sandbox = program
    .command('sandbox')
    .description('run a LOCAL Kubernetes API simulator and S3 server to try deploys without a cluster')
    .addHelpText('after', HELP);

  sandbox
    .command('up')
    .description('start the simulator and the local S3 server in the background; write kubeconfig and env.sh')
    .option('--dir <dir>', 'where the sandbox keeps its files (default: .chartctl/sandbox in the repository)')
    .option('--readiness-delay <ms>', 'how long workloads take to become ready after a change', '300')
    .option('--kube-version <version>', 'Kubernetes version the simulator reports', '1.33')
    .option('--bucket <name>', 'create this bucket (repeatable; default: the buckets environments/*.yaml name)', collect)
    .option('--log-requests', 'log every API request to <dir>/sandbox.log')
    .action(async (opts: { dir?: string; readinessDelay: string; kubeVersion: string; bucket?: string[]; logRequests?: boolean }, command: Command) =>
      ctx.run(command, async (deps, out) => {
        const { sandboxUp } = await import('../../actions/sandbox.js');
        const result = await sandboxUp(deps, {
          dir: opts.dir,
          readinessDelayMs: Number(opts.readinessDelay),
          kubeVersion: opts.kubeVersion,
          buckets: opts.bucket,
          logRequests: opts.logRequests,
        });
        if (out.format === 'json') return out.json(result);
        out.write(
          [
            `${result.alreadyRunning ? 'Sandbox already running' : 'Sandbox started'} (LOCAL simulator, not a real cluster; pid ${result.pid}).`,
            `  Kubernetes API  ${result.apiServer}   (kubeconfig ${result.kubeconfig}, context sandbox${result.contextAliases.length ? `; also ${result.contextAliases.join(', ')}` : ''})`,
            `  S3              ${result.s3Endpoint}${result.buckets.length ? `   (buckets: ${result.buckets.join(', ')})` : ''}`,
            '',
            'Use it from this shell:',
            `  . ${result.envFile}`,
            '  helm list -A          # chartctl deploy <env> reaches it through the kubeContext aliases',
            'Stop it and remove its state:',
            `  chartctl sandbox down${opts.dir ? ` --dir ${opts.dir}` : ''}`,
            '',
          ].join('\n'),
        );
      }),
    );

  sandbox
    .command('down')
    .description('stop the simulator and the S3 server and remove their state')
    .option('--dir <dir>', 'the sandbox directory (default: .chartctl/sandbox in the repository)')
    .action(async (opts: { dir?: string }, command: Command) =>
      ctx.run(command, async (deps, out) => {
        const { sandboxDown } = await import('../../actions/sandbox.js');
        const result = await sandboxDown(deps, { dir: opts.dir });
        if (out.format === 'json') return out.json(result);
        out.write(result.stopped ? `Sandbox stopped (pid ${result.pid}); removed ${result.removed.length} path(s) in ${result.dir}.\n` : `No sandbox was running in ${result.dir}; removed ${result.removed.length} leftover path(s).\n`);
      }),
    );

  sandbox
    .command('fault')
    .usage('[--dir D] <namespace>/<Kind>/<name> never-ready|fail|clear')
    .argument('<target>', 'namespace/Kind/name, e.g. shop-dev/Deployment/shop-api, or namespace/release/NAME for every workload of a helm release')
    .argument('<fault>', 'never-ready (rollouts started from now on never become ready), fail (a Pod/Job fails, a Deployment exceeds its deadline), clear')
    .description('make a workload never become ready or fail, or clear that')
    .option('--dir <dir>', 'the sandbox directory (default: .chartctl/sandbox in the repository)')
    .action(async (target: string, fault: string, opts: { dir?: string }, command: Command) =>
      ctx.run(command, async (deps, out) => {
        const { sandboxFault } = await import('../../actions/sandbox.js');
        const result = await sandboxFault(deps, { dir: opts.dir, target, fault });
        if (out.format === 'json') return out.json(result);
        out.write(result.fault === 'clear' ? `Cleared faults on ${result.target}.\n` : `${result.target} will ${result.fault === 'fail' ? 'fail' : 'never become ready'} (sandbox fault).\n`);
      }),
    );

  sandbox
    .command('status')
    .description('show whether a sandbox is running and where')
    .option('--dir <dir>', 'the sandbox directory (default: .chartctl/sandbox in the repository)')
    .action(async (opts: { dir?: string }, command: Command) =>
      ctx.run(command, async (deps, out) => {
        const { sandboxStatus } = await import('../../actions/sandbox.js');
        const result = await sandboxStatus(deps, { dir: opts.dir });
        if (out.format === 'json') return out.json(result);
        out.write(result.running ? `Sandbox running in ${result.dir} (pid ${result.pid}): API ${result.apiServer}, S3 ${result.s3Endpoint}, ${result.objects} objects.\n` : `No sandbox running in ${result.dir}.\n`);
        return result.running ? 0 : 3;
      }),
    );
};
