import { KUBE_CONTEXT_HELP, type RegisterCommand } from '../context.js';

export const registerStatus: RegisterCommand = (program, ctx) => {
  program
    .command('status')
    .argument('<env>', 'environment name')
    .option('--kube-context <name>', KUBE_CONTEXT_HELP)
    .description("what is live in an environment, its health, and whether a newer version waits in its repository")
    .addHelpText('after', '\nExample:\n  chartctl status prod --output json')
    .action(async (env: string, _opts, command) =>
      ctx.run(command, async (deps, out) => {
        const { status } = await import('../../actions/status.js');
        const s = await status(deps, { env });
        if (out.format === 'json') return out.json(s);
        const { paint } = out;
        const health = { healthy: paint.green('healthy'), degraded: paint.yellow('degraded'), 'in-progress': paint.yellow('in progress'), stuck: paint.red('stuck'), failed: paint.red('failed'), 'not-installed': 'not installed' }[s.health];
        const lines = [`${paint.bold(s.env)}: ${s.release} in ${s.namespace} — ${health}`];
        if (s.live) {
          lines.push(`  live: revision ${s.live.revision}, ${s.live.chartName} ${s.live.chartVersion} (app ${s.live.appVersion}), deployed ${s.live.updated}`);
          if (s.live.provenance) lines.push(`  from: ${s.live.provenance.source}${s.live.provenance.digest ? ` ${s.live.provenance.digest}` : ''}${s.live.provenance.actor ? ` by ${s.live.provenance.actor}` : ''}`);
          lines.push(`  tests: ${s.live.tests ?? 'not run'}${s.failedTests.length ? ` (${s.failedTests.join(', ')})` : ''}`);
        }
        if (s.blueGreen) {
          lines.push(`  router: Service ${s.blueGreen.router} → ${s.blueGreen.liveSlot ? `slot ${s.blueGreen.liveSlot}` : 'no slot yet'}`);
          const ingress = s.blueGreen.ingress;
          if (ingress) {
            const what = !ingress.owned ? paint.red('exists but chartctl does not own it: deploy refuses') : ingress.hosts ? `${ingress.hosts.join(', ')} → Service ${s.blueGreen.router}` : 'not created yet (the next switch creates it)';
            lines.push(`  router: Ingress ${ingress.name}: ${what}`);
          }
          for (const slot of s.blueGreen.slots) {
            const what = slot.status ? `revision ${slot.revision}, ${slot.version}, ${slot.status}${slot.digest ? `, ${slot.digest.slice(0, 19)}…` : ''}` : 'not installed';
            lines.push(`  slot ${slot.slot} (${slot.release}): ${what}${slot.live ? ` — ${paint.green('live')}` : ''}`);
          }
        }
        if (s.canary) {
          const c = s.canary;
          lines.push(`  canary: ${c.release} ${c.version} (${c.digest.slice(0, 19)}…) at ${c.weight}%, ${c.state === 'awaiting-approval' ? 'waiting for approval' : 'running, or its job stopped'} since ${c.updatedAt}; next: ${c.next}`);
          for (const check of c.lastChecks) lines.push(`    check ${check.name}: ${check.passed ? 'passed' : 'FAILED'}${check.value !== undefined ? ` (value ${check.value})` : ''}: ${check.detail}`);
          lines.push(`    continue: chartctl deploy ${s.env} --resume [--yes]; remove: chartctl deploy ${s.env} --abort`);
        } else if (s.canary === null) lines.push('  canary: none in progress');
        if (s.pending && s.health === 'stuck') lines.push(`  revision ${s.pending.revision} is ${s.pending.status}: ${s.pending.reason}; recover with: chartctl rollback ${s.env}`);
        if (s.pending && s.health === 'in-progress') lines.push(`  revision ${s.pending.revision} is ${s.pending.status}: ${s.pending.reason}; wait for it to end`);
        for (const image of (s.images ?? []).filter((i) => i.override)) lines.push(`  override: ${image.tagPath} ${String(image.tag)} is ${s.env}'s own (${image.file}); promotion does not change it`);
        if (s.waiting) lines.push(`  waiting: ${s.waiting.version} in ${s.waiting.repository} (chartctl deploy ${s.env})`);
        else if (!s.repositoryError) lines.push('  repository: nothing newer');
        if (s.repositoryError) lines.push(`  repository: not checked (${s.repositoryError})`);
        out.write(`${lines.join('\n')}\n`);
      }),
    );
};
