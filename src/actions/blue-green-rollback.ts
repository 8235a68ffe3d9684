import { cancelled, ChartctlError } from '../core/errors.js';
import type { Environment } from '../core/environment.js';
import { diffReleases } from '../core/release-diff.js';
import { planBlueGreenRollback } from '../core/strategy/blue-green-plan.js';
import type { BlueGreenStrategy } from '../core/strategy/strategy-config.js';
import type { Deps } from './deps.js';
import { slotRelease, switchRouter } from './deploy/blue-green.js';
import type { BlueGreenState, SlotState } from '../core/strategy/blue-green-plan.js';
import type { RollbackOptions, RollbackOutcome, RollbackPlan } from './rollback-outcome.js';

/**
 * Rollback of a blue/green environment: the router Service switches back to
 * the slot that served before, in one write. Nothing is rendered and no helm
 * rollback runs: that slot's Pods are still up (keepPrevious).
 */
export async function rollbackBlueGreen(deps: Deps, env: Environment, strategy: BlueGreenStrategy, options: RollbackOptions): Promise<RollbackOutcome> {
  if (options.revision !== undefined) {
    throw new ChartctlError(`${env.name} is blue/green: rollback switches the router back to the previous slot and takes no revision.`, {
      code: 'USAGE',
      hint: `Run chartctl rollback ${env.name} without a revision.`,
    });
  }
  const started = performance.now();
  const state = await readSwitchBackState(deps, env, strategy);
  const decision = planBlueGreenRollback(state);
  if (decision.kind === 'refused') {
    throw new ChartctlError(`Cannot switch ${env.name} back: ${decision.reason}.`, { code: 'NOTHING_TO_SWITCH_BACK', hint: `chartctl status ${env.name} shows both slots.` });
  }
  const { to, from } = decision;
  const plan: RollbackPlan = {
    env: env.name,
    release: strategy.router.service,
    namespace: env.namespace,
    from: { revision: from.revision ?? 0, status: from.status ?? '', version: from.version ?? '' },
    to: { revision: to.revision ?? 0, status: to.status ?? '', version: to.version ?? '' },
    recoveringPending: false,
    diff: diffReleases('', '', { namespace: env.namespace }),
    blueGreen: { router: strategy.router.service, from: from.slot, to: to.slot },
  };
  if (options.dryRun) return { kind: 'planned', plan };
  if (!options.yes) {
    if (!options.confirm) throw new ChartctlError(`Switch ${env.name} back to slot ${to.slot} not confirmed: there is no terminal to ask.`, { code: 'NOT_CONFIRMED', hint: 'Run again with --yes.' });
    if (!(await options.confirm(plan))) throw cancelled(`Rollback of ${env.name} cancelled; nothing was changed.`);
  }
  await switchRouter(deps, env, strategy, { to, toRevision: to.revision ?? 0, from, resourceVersion: state.resourceVersion, current: state.current });
  return { kind: 'switchedBack', plan, slot: to.slot, from: from.slot, seconds: (performance.now() - started) / 1000 };
}

/** Router and slot heads from two kinds of API read (no helm process): a switch back is meant to take seconds at most. */
async function readSwitchBackState(deps: Deps, env: Environment, strategy: BlueGreenStrategy): Promise<BlueGreenState & { resourceVersion?: string; current?: { selector: Record<string, string>; ports: Array<Record<string, unknown>> } }> {
  const target = { namespace: env.namespace, kubeContext: env.kubeContext };
  const releases = strategy.slots.map((s) => slotRelease(env, s));
  const [router, heads] = await Promise.all([deps.routers.readService(target, strategy.router.service), deps.routers.slotHeads(target, releases)]);
  const slots = strategy.slots.map((slot, i): SlotState => {
    const head = heads[releases[i]!];
    return head ? { slot, release: releases[i]!, revision: head.revision, status: head.status, healthy: head.status === 'deployed' } : { slot, release: releases[i]! };
  });
  return {
    slots: slots as [SlotState, SlotState],
    router: router ? { exists: true, liveSlot: router.liveSlot, previous: router.previous } : { exists: false },
    resourceVersion: router?.resourceVersion,
    current: router && { selector: router.selector, ports: router.ports },
  };
}
