import type { DeployOutcome, DeployPlanSummary } from '../../actions/deploy/deploy.js';
import { KUBE_CONTEXT_HELP, VALUES_FLAGS_HELP, addValuesOptions, commandLineValues, type RegisterCommand, type ValuesFlags } from '../context.js';
import type { Output } from '../output.js';
import { askYesNo, canPrompt } from '../prompt.js';
import { addLockOptions, LOCK_HELP, lockFlags } from '../release-lock-flags.js';

export const registerDeploy: RegisterCommand = (program, ctx) => {
  addLockOptions(addValuesOptions(program.command('deploy')))
    .argument('<env>', 'environment name')
    .description('diff, then helm upgrade --install --wait, helm test, and roll back by itself on failure')
    .option('--version <version>', "version from the environment's repository (default: the newest it accepts)")
    .option('--local', "deploy the working tree's chart instead of a repository tarball")
    .option('-y, --yes', 'do not ask for confirmation (CD jobs; with requireApproval in CI also set CHARTCTL_ACTOR); canary: also approves approve steps')
    .option('--dry-run', 'resolve, verify, validate and show the diff only')
    .option('--no-tests', 'skip helm test after the upgrade')
    .option('--kube-context <name>', KUBE_CONTEXT_HELP)
    .option('--timeout <duration>', "helm --timeout (default: the environment's deploy.timeout)")
    .option('--override-freeze', 'deploy inside a freeze window (needs --reason; recorded in provenance)')
    .option('--reason <text>', 'why the freeze is overridden')
    .option('--resume', 'canary: continue the recorded run (with --yes: approve its approve step)')
    .option('--abort', 'canary: remove the recorded canary; all traffic back to the stable release')
    .addHelpText(
      'after',
      `
Steps: pull the exact tarball from the environment's repository and check its sha256 against
the index (refusing a prerelease where the environment forbids it); take the release lock; a
pending-* release is refused: in progress (another job, or a helm run younger than the deploy
timeout) or stuck (its job died: "chartctl rollback", or deploy.recoverStuck: true rolls it back
first); validate the rendered manifests; show the diff and the drift (fields changed outside
helm, which the upgrade puts back); confirm (terminal) or --yes; the live revision is this exact
version (same digest), no manifest changes and no drift -> stop with 0 (any other version becomes
a new revision even with identical manifests, as helm upgrade does); helm upgrade --install --wait with helm's own rollback on failure
(--rollback-on-failure on helm 4, --atomic on helm 3); check that the revision it created is the
live one (otherwise say what is live, exit 1); helm test; if tests fail, roll back to the previous
good revision. Provenance (version, digest, source, commit, actor) is recorded in
the revision's description (chartctl history shows it).
Blue/green environments (deploy.strategy.blueGreen): the steps above run against the idle slot's
release (<release>-<slot>), then every check of the strategy runs against it, and only then the
router Service switches to it in one write; a failure leaves the router and the live slot
untouched (exit 1). With router.ingress, chartctl creates that Ingress once in front of the
router Service (never changed by a switch). --dry-run names the idle slot and the switch.
Canary environments (deploy.strategy.canary): the candidate is installed as <release>-canary
beside the stable release and walks the steps (weight -> pause -> checks), recorded after each in
the ConfigMap chartctl-canary-<release>; the first failed check removes the canary (exit 1, stable
untouched). --yes approves approve steps too; without it an approve step asks at a terminal, and a
job without one (CI) exits 0 leaving it waiting; "deploy <env> --resume --yes" (any later job)
approves and continues; "--abort" removes it. Then the stable release is upgraded to the canary's
exact artifact (same digest) and the canary removed. A walk holds its run's lock to the end
(<release>-canary-run): a killed run resumes with --resume once the dead job's lock expires.
${VALUES_FLAGS_HELP} On deploy they go to the render (diff,
validation) and to helm upgrade, so they must be flags both helm template and helm upgrade accept.

${LOCK_HELP}

While helm waits, stderr gets a line every 5 s (CHARTCTL_HEARTBEAT_INTERVAL) naming the workloads
not ready yet (Deployment/shop-web 0/2), and one when the wait ends; JSON lines with --output json;
--quiet hides them.

Exit: 0 deployed or nothing to do; 1 failed (rolled back, or not: the recovery commands are printed);
130/143 on SIGINT/SIGTERM: the signal is forwarded to helm, chartctl waits for it (up to the timeout
+ 60s), then prints the release's real state and how to recover; a second signal exits at once.

Examples:
  chartctl deploy dev --yes
  chartctl deploy prod --version 1.4.0
  chartctl deploy staging --dry-run
  chartctl deploy dev -y --set api.replicaCount=3 -f hotfix.yaml
  chartctl deploy prod --kube-context prod-admin -- --post-renderer ./kustomize.sh`,
    )
    .action(
      async (
        env: string,
        opts: {
          version?: string;
          local?: boolean;
          yes?: boolean;
          dryRun?: boolean;
          tests: boolean;
          timeout?: string;
          overrideFreeze?: boolean;
          reason?: string;
          lockTimeout?: string;
          waitLock?: boolean;
          resume?: boolean;
          abort?: boolean;
        } & ValuesFlags,
        command,
      ) =>
        ctx.run(command, async (deps, out, globals) => {
          const { deploy, DEPLOY_EXIT } = await import('../../actions/deploy/deploy.js');
          const { renderReleaseDiff } = await import('../diff-report.js');
          let shown = false;
          const confirm = canPrompt()
            ? async (plan: DeployPlanSummary) => {
                if (out.format === 'text') out.write(renderReleaseDiff(plan.diff, out, heading(plan)) + planNotes(plan));
                shown = true;
                return askYesNo(`Deploy ${plan.version} to ${plan.env}?`);
              }
            : undefined;
          const result = await deploy(deps, {
            env,
            version: opts.version,
            local: opts.local,
            yes: opts.yes,
            dryRun: opts.dryRun,
            noTests: !opts.tests,
            timeout: opts.timeout,
            overrideFreeze: opts.overrideFreeze,
            reason: opts.reason,
            ...lockFlags(opts),
            ...commandLineValues(opts, globals),
            confirm,
            resume: opts.resume,
            abort: opts.abort,
            approveStep: canPrompt() ? (question: string) => askYesNo(question) : undefined,
          });
          if (out.format === 'json') out.json(result);
          else {
            if (!shown) out.write(renderReleaseDiff(result.outcome.plan.diff, out, heading(result.outcome.plan)) + planNotes(result.outcome.plan));
            out.write(renderOutcome(result.outcome, out));
          }
          return DEPLOY_EXIT[result.outcome.kind];
        }),
    );
};

function heading(plan: DeployPlanSummary): string {
  const from = plan.fromRevision === null ? 'not installed' : `revision ${plan.fromRevision} (${plan.fromVersion})`;
  return `${plan.release} in ${plan.namespace}: ${from} → ${plan.version}${plan.digest ? ` (${plan.digest.slice(0, 19)}…)` : ''} from ${plan.source}`;
}

/** What the diff alone does not say: drift the upgrade repairs, a new version with identical manifests. */
export function planNotes(plan: DeployPlanSummary): string {
  const notes: string[] = [];
  if (plan.drift.length > 0) notes.push(`Drift: ${plan.drift.length} resource(s) changed outside helm (${plan.drift.join(', ')}); the upgrade puts them back as the chart has them.`);
  if (plan.reasons.includes('new-version') && !plan.reasons.includes('manifest-changes')) notes.push(`The manifests are the same; ${plan.version} still becomes a new revision, as helm upgrade makes one.`);
  if (plan.reasons.includes('not-live') && !plan.reasons.includes('manifest-changes')) notes.push(`The newest revision (${plan.fromRevision}) is not the live one; the upgrade makes ${plan.version} live.`);
  return notes.map((n) => `${n}\n`).join('');
}

export function renderOutcome(o: DeployOutcome, out: Output): string {
  const { paint } = out;
  const bg = o.plan.blueGreen;
  switch (o.kind) {
    case 'unchanged':
      return `${paint.green('Nothing to deploy')}: ${o.plan.env} already runs this exactly${bg ? ` (live slot ${bg.live})` : ''}.\n${bg?.ingress?.create ? `Router Ingress ${bg.ingress.name} created in front of router Service ${bg.router}.\n` : ''}`;
    case 'planned':
      if (o.plan.canary) return `Plan: install ${o.plan.version} as canary release ${o.plan.canary.release} beside ${o.plan.canary.stable}, then:\n${o.plan.canary.walk.map((w) => `  ${w}\n`).join('')}Dry run: nothing was changed.\n`;
      if (bg && bg.slot === bg.live) return `Plan: slot ${bg.slot} already runs this; create router Ingress ${bg.ingress?.name} in front of router Service ${bg.router} (hosts and paths from slot ${bg.slot}'s own Ingress).\nDry run: nothing was changed.\n`;
      return `${bg ? `Plan: deploy into idle slot ${bg.slot} (${o.plan.release}), run helm test and the checks there, then switch router Service ${bg.router} ${bg.live ? `from ${bg.live} ` : ''}to ${bg.slot}.\n${bg.ingress?.create ? `Router Ingress ${bg.ingress.name} does not exist: it is created in front of router Service ${bg.router} (hosts and paths from slot ${bg.slot}'s own Ingress) just before the switch.\n` : ''}` : ''}Dry run: nothing was changed. Deploy with: chartctl deploy ${o.plan.env} --version ${o.plan.version}\n`;
    case 'switched':
      return [
        `${paint.green('Deployed')} ${o.plan.version} to slot ${o.slot} (${o.plan.release} revision ${o.revision}; tests ${o.tests}${o.checks.length ? `; checks passed: ${o.checks.map((c) => c.name).join(', ')}` : ''}).`,
        `Router Service ${bg?.router} switched${o.from ? ` from ${o.from}` : ''} to ${o.slot}: ${o.slot} is live.${o.from ? ` ${o.from} stays up; chartctl rollback ${o.plan.env} switches back.` : ''}`,
        ...(bg?.ingress?.create ? [`Router Ingress ${bg.ingress.name} created in front of router Service ${bg.router}; switches never change it.`] : []),
        '',
      ].join('\n');
    case 'notSwitched':
      return [
        `${paint.red('Deploy failed')} in idle slot ${o.slot}: ${o.reason}.`,
        `Router Service ${bg?.router} was not touched: ${o.live ? `${o.live} is still live` : 'no slot is live'}.`,
        ...o.failures.map((f) => `  ${f}`),
        '',
      ].join('\n');
    case 'canaryPromoted':
      return `${paint.green('Promoted')} ${o.plan.version}: stable release ${o.plan.canary?.stable} is revision ${o.revision} (the canary's artifact, ${o.plan.digest?.slice(0, 19)}…); canary ${o.plan.canary?.release} removed.\n`;
    case 'canaryAborted':
      return [
        `${paint.red('Canary aborted')}: ${o.reason}.`,
        `Canary ${o.plan.canary?.release} removed; all traffic is on the stable release ${o.plan.canary?.stable}, which was not touched.`,
        '',
      ].join('\n');
    case 'canaryRemoved':
      return `Canary ${o.plan.canary?.release} (${o.plan.version}) removed as asked; all traffic is on the stable release ${o.plan.canary?.stable}, which was not touched.\n`;
    case 'canaryWaiting':
      return [
        `Canary of ${o.plan.version} waits for approval at step ${o.step + 1} (weight ${o.weight}%${o.checks.length ? `; last checks: ${o.checks.map((c) => `${c.name} ${c.passed ? 'passed' : 'FAILED'} (${c.detail})`).join(', ')}` : ''}).`,
        `Approve and continue: chartctl deploy ${o.plan.env} --resume --yes; remove it: chartctl deploy ${o.plan.env} --abort`,
        '',
      ].join('\n');
    case 'canaryStopped':
      return `Canary of ${o.plan.version} stopped at ${o.next} (weight ${o.weight}%); continue it: chartctl deploy ${o.plan.env} --resume\n`;
    case 'deployed':
      return `${paint.green('Deployed')} ${o.plan.version} to ${o.plan.env} as revision ${o.revision}; tests ${o.tests}.\n`;
    case 'rolledBack':
      return [
        `${paint.red('Deploy failed')} and was rolled back: ${o.reason}.`,
        `Failed revision: ${o.failedRevision ?? '-'}; live now: revision ${o.liveRevision ?? '-'}.`,
        ...o.failures.map((f) => `  ${f}`),
        '',
      ].join('\n');
    case 'failed':
      return [
        `${paint.red('Deploy failed')} and could NOT be rolled back: ${o.reason}.`,
        `State: ${o.state}.`,
        ...o.failures.map((f) => `  ${f}`),
        'To recover:',
        ...o.recovery.map((c) => `  ${c}`),
        '',
      ].join('\n');
  }
}
