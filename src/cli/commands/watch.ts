import type { WatchEvent } from '../../actions/watch.js';
import { KUBE_CONTEXT_HELP, type RegisterCommand } from '../context.js';
import { addLockOptions, lockFlags } from '../release-lock-flags.js';

export const registerWatch: RegisterCommand = (program, ctx) => {
  addLockOptions(program.command('watch'))
    .argument('<env>', 'environment to keep up to date')
    .option('--kube-context <name>', KUBE_CONTEXT_HELP)
    .description("poll the environment's repository and deploy each newer version it accepts (automatic rollback; blue/green and canary through their own path)")
    .option('--interval <duration>', 'time between polls (e.g. 30s, 2m)', '30s')
    .option('--once', 'poll once and exit (cron/CI)')
    .option('-y, --yes', 'required for environments with requireApproval: the watcher is the approval (of a deploy, never of a canary approve step)')
    .addHelpText(
      'after',
      `
Each poll sends the last index ETag (If-None-Match), so an unchanged repository costs one small
request. A newer version the environment accepts (prereleases only where allowPrerelease) is
deployed with "deploy --yes": diff, upgrade, tests, automatic rollback. One deploy at a time; a
version that failed or was refused is not retried until a newer one appears. S3 and cluster
errors are retried with backoff. SIGTERM/SIGINT: the deploy in flight finishes (or rolls back),
then the watcher stops; a second signal stops at once. Each deploy takes the release lock as
"chartctl deploy" does (--lock-timeout, --no-wait-lock); a deploy refused because another job
holds it is retried at the next poll. One line per event on stdout (JSON lines
with --output json).

Blue/green: each version goes through the idle slot and the switch; the live slot's version is
what counts as deployed. Canary: each version starts the canary walk "deploy" runs; the stable
release's version (a promoted canary) is what counts as deployed, and a canary that failed a check
(removed, stable untouched) is not retried. Approve steps are never approved by the watcher: the run
is left awaiting approval and reported once ("canary-waiting", with the deploy --resume --yes and
--abort commands to run). A recorded run (waiting, walked by another job, or left by a stopped or
killed one) is never started over or aborted by the watcher: newer versions wait for it, and once a
person resumes it to promotion (or aborts it, which drops its version) the watcher goes on. One
exception: a run a watcher started whose job died mid-walk (not stopped on purpose, no live job
holding its lock, same values) is continued from where it was recorded ("canary-continued"). On
SIGTERM a canary walk stops after the action in flight, recorded as stopped for "deploy --resume".

Examples:
  chartctl watch dev --interval 15s
  chartctl watch dev --once --output json     # from cron`,
    )
    .action(async (env: string, opts: { interval: string; once?: boolean; yes?: boolean; lockTimeout?: string; waitLock?: boolean }, command) =>
      ctx.run(
        command,
        async (deps, out) => {
          const { watch } = await import('../../actions/watch.js');
          const { durationMs } = await import('../../core/duration.js');
          const print = (e: WatchEvent) => {
            const at = deps.now().toISOString();
            if (out.format === 'json') out.write(`${JSON.stringify({ at, ...e })}\n`);
            else out.write(`${at} ${describeWatchEvent(e)}\n`);
          };
          const result = await watch(deps, { env, intervalMs: durationMs(opts.interval), once: opts.once, yes: opts.yes, onEvent: print, ...lockFlags(opts) });
          return result.failures > 0 && opts.once ? 1 : 0;
        },
        { graceful: true },
      ),
    );
};

/** One line of text output per event (`--output json` prints the event itself). */
export function describeWatchEvent(e: WatchEvent): string {
  switch (e.event) {
    case 'started':
      return `watching ${e.repository} for ${e.env} every ${Math.round(e.intervalMs / 1000)}s`;
    case 'unchanged':
      return `${e.env}: index unchanged`;
    case 'up-to-date':
      return `${e.env}: up to date (deployed ${e.deployed ?? 'nothing'}, newest accepted ${e.newest ?? 'none'})`;
    case 'deploying':
      return `${e.env}: deploying ${e.version} (was ${e.from ?? 'not installed'})`;
    case 'deployed':
      return `${e.env}: deployed ${e.version} as revision ${e.revision}`;
    case 'rolled-back':
      return `${e.env}: ${e.version} failed and was rolled back (${e.reason}); live revision ${e.live ?? '-'}`;
    case 'deploy-failed':
      // The reason says what became of it: not rolled back, router not switched, or canary removed.
      return `${e.env}: ${e.version} failed: ${e.reason}`;
    case 'refused':
      return `${e.env}: ${e.version} refused: ${e.reason}`;
    case 'error':
      return `${e.env}: ${e.message} (retrying in ${Math.round(e.retryInMs / 1000)}s)`;
    case 'stopped':
      return `${e.env}: stopped after ${e.deploys} deploy(s)`;
    case 'canary-waiting': {
      const run = e.state === 'awaiting-approval' ? `waits for approval at ${e.weight}%` : `is recorded as running at ${e.weight}% (another job walks it, or its job was stopped or killed)`;
      return `${e.env}: the canary of ${e.version} ${run}${e.newer ? `; ${e.newer} waits for it` : ''}; the watcher leaves it to a person: ${e.resume} continues it${e.state === 'running' ? ' once no job walks it' : ''}, ${e.abort} removes it`;
    }
    case 'canary-continued':
      return `${e.env}: continuing the canary of ${e.version} at ${e.next} (weight ${e.weight}%): a watcher started it and its job is gone (no job holds its lock)`;
    case 'canary-stopped':
      return `${e.env}: the canary of ${e.version} stopped at ${e.next} (weight ${e.weight}%); ${e.resume} continues it`;
    case 'waiting':
      return `${e.env}: ${e.version} waits: ${e.reason}`;
  }
}
