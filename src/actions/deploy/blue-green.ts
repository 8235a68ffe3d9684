import { ChartctlError } from '../../core/errors.js';
import type { Environment } from '../../core/environment.js';
import type { KubeObject } from '../../core/manifests.js';
import { findBackendService } from '../../core/strategy/backend-service.js';
import { appliedObjects } from '../steps/deployed-release.js';
import { newestRevision } from '../../core/release-history.js';
import { decideBlueGreenSwitch, liveSlot as liveSlotOf, planBlueGreenDeploy, type BlueGreenState, type SlotState } from '../../core/strategy/blue-green-plan.js';
import type { CheckResult } from '../../core/strategy/check-verdict.js';
import { planRouterIngress, type RouterIngressPlan } from '../../core/strategy/router-ingress.js';
import type { BlueGreenStrategy } from '../../core/strategy/strategy-config.js';
import type { RouterIngress } from '../../adapters/traffic-router.js';
import type { Deps } from '../deps.js';
import type { DeployOutcome } from './outcome.js';
import { resolveCandidate } from '../steps/candidate.js';
import { createRouterIngress } from './router-ingress.js';

/** The rolling deploy of one release (deploy.ts), run here against the idle slot's release. */
export type DeployOneRelease<O, R extends { outcome: DeployOutcome }> = (deps: Deps, env: Environment, options: O) => Promise<R>;

/** The release of one slot: `<release>-<slot>` in the environment's namespace. */
export const slotRelease = (env: Pick<Environment, 'release'>, slot: string) => `${env.release}-${slot}`;

/** The router Ingress (router.ingress), as it is on the cluster and what deploy does with it. */
export interface RouterIngressState {
  name: string;
  existing?: RouterIngress;
  plan: RouterIngressPlan;
}

/** Both slots' heads and the router (Service, and Ingress when there is one), read from the cluster. */
export async function readBlueGreenState(deps: Deps, env: Environment, strategy: BlueGreenStrategy): Promise<BlueGreenState & { resourceVersion?: string; ingress?: RouterIngressState }> {
  const target = { namespace: env.namespace, kubeContext: env.kubeContext };
  const ingressName = strategy.router.ingress;
  const [router, ingress, ...slots] = await Promise.all([
    deps.routers.readService(target, strategy.router.service),
    ingressName ? deps.routers.readIngress(target, ingressName) : undefined,
    ...strategy.slots.map(async (slot): Promise<SlotState> => {
      const release = slotRelease(env, slot);
      const head = newestRevision(await deps.releases.history({ release, namespace: env.namespace, kubeContext: env.kubeContext }));
      return head
        ? { slot, release, status: head.status, revision: head.revision, version: head.chartVersion, digest: head.provenance?.digest, healthy: head.status === 'deployed' }
        : { slot, release };
    }),
  ]);
  return {
    slots: slots as [SlotState, SlotState],
    router: router ? { exists: true, liveSlot: router.liveSlot, previous: router.previous } : { exists: false },
    resourceVersion: router?.resourceVersion,
    ...(ingressName ? { ingress: { name: ingressName, ...(ingress ? { existing: ingress } : {}), plan: planRouterIngress(ingress, { ingress: ingressName, service: strategy.router.service }) } } : {}),
  };
}

/** What plans and diffs say of the router: its Service, and its Ingress with whether deploy creates it. */
function routerSummary(strategy: BlueGreenStrategy, ingress: RouterIngressState | undefined): { router: string; ingress?: { name: string; create: boolean } } {
  return { router: strategy.router.service, ...(ingress ? { ingress: { name: ingress.name, create: ingress.plan.kind === 'create' } } : {}) };
}

/** Before any slot is touched: an Ingress of the router's name that chartctl does not own stops the deploy. */
function refuseForeignIngress(env: Environment, ingress: RouterIngressState | undefined): void {
  if (ingress?.plan.kind !== 'refused') return;
  throw new ChartctlError(`Blue/green deploy to ${env.name} refused: ${ingress.plan.reason}; chartctl neither takes over nor deletes it.`, {
    code: 'ROUTER_INGRESS_NOT_OWNED',
    hint: 'Name another Ingress in deploy.strategy.blueGreen.router.ingress, or remove that one yourself: chartctl then creates its own at the next switch.',
  });
}

/**
 * Blue/green: the candidate goes into the idle slot with the rolling deploy
 * (wait, helm test, its own rollback on failure there), the checks run
 * against that slot, and only then the router Service switches in one write.
 * The live slot's release is never touched; a failing candidate never gets traffic.
 */
export async function deployBlueGreen<O extends { version?: string; local?: boolean; dryRun?: boolean; noTests?: boolean }, R extends { outcome: DeployOutcome }>(
  deps: Deps,
  env: Environment,
  strategy: BlueGreenStrategy,
  options: O,
  deployOne: DeployOneRelease<O, R>,
): Promise<R> {
  deps.reporter.progress(`Reading slots ${strategy.slots.map((s) => slotRelease(env, s)).join(', ')} and router Service ${strategy.router.service} in ${env.namespace}`);
  const state = await readBlueGreenState(deps, env, strategy);
  refuseForeignIngress(env, state.ingress);
  const candidate = await resolveCandidate(deps, env, { version: options.version, local: options.local });
  await candidate.release();
  const first = planBlueGreenDeploy(state, { digest: candidate.digest ?? '' });
  if (first.kind === 'refused') throw new ChartctlError(`Blue/green deploy to ${env.name} refused: ${first.reason}.`, { code: 'RELEASE_PENDING', hint: `chartctl status ${env.name} shows both slots.` });
  const live = first.kind === 'deploy' ? first.live : first.live;
  if (first.kind === 'unchanged') {
    // The live slot runs this artifact: unchanged unless the command line changes its values (then it goes to the idle slot).
    const same = await deployOne(deps, { ...env, release: first.live.release }, { ...options, dryRun: true });
    if (same.outcome.kind === 'unchanged') {
      const plan = { ...same.outcome.plan, blueGreen: { slot: first.live.slot, live: first.live.slot, ...routerSummary(strategy, state.ingress) } };
      if (state.ingress?.plan.kind !== 'create') return { ...same, outcome: { ...same.outcome, plan } };
      // router.ingress is new (or its Ingress was deleted) and the live slot is in place: create it now, not at the next version.
      if (options.dryRun) return { ...same, outcome: { kind: 'planned', plan } };
      const objects = await appliedObjects(deps.releases, { release: first.live.release, namespace: env.namespace, kubeContext: env.kubeContext });
      await createRouterIngress(deps, env, strategy, state.ingress.name, objects, first.live, slotService(objects, first.live, strategy.router.backend).name);
      return { ...same, outcome: { ...same.outcome, plan } };
    }
  }
  const idle = first.kind === 'deploy' ? first.idle : state.slots.find((s) => s.slot !== first.live.slot)!;
  const blueGreen = { slot: idle.slot, live: live?.slot ?? null, ...routerSummary(strategy, state.ingress) };
  deps.reporter.progress(`Slot ${idle.slot} (${idle.release}) is idle${live ? `; ${live.slot} is live` : '; nothing is live yet'}: deploying there`);
  const result = await deployOne(deps, { ...env, release: idle.release }, options);
  const outcome = result.outcome;
  const plan = { ...outcome.plan, blueGreen };
  const checks: CheckResult[] = [];
  const withOutcome = (o: DeployOutcome): R => ({ ...result, outcome: o });

  if (outcome.kind === 'planned') return withOutcome({ ...outcome, plan });
  if (outcome.kind === 'failed') return withOutcome({ ...outcome, plan });
  if (outcome.kind === 'rolledBack') return withOutcome({ kind: 'notSwitched', plan, slot: idle.slot, live: live?.slot ?? null, reason: outcome.reason, failures: outcome.failures, checks });
  // unchanged here: the idle slot already holds the candidate (an earlier attempt); it is still checked before it gets traffic.
  if (options.dryRun) return withOutcome({ kind: 'planned', plan });

  const slotHead = newestRevision(await deps.releases.history({ release: idle.release, namespace: env.namespace, kubeContext: env.kubeContext }));
  const revision = outcome.kind === 'deployed' ? outcome.revision : (slotHead?.revision ?? 0);
  const tests = outcome.kind === 'deployed' ? outcome.tests : 'skipped';
  for (const [name, check] of Object.entries(strategy.checks)) {
    deps.reporter.progress(`Check ${name} against slot ${idle.slot}`);
    const r = await deps.checks.run(name, check, { env: env.name, namespace: env.namespace, kubeContext: env.kubeContext, release: idle.release, track: idle.slot }, deps.signal);
    checks.push(r);
    deps.reporter.progress(`  ${r.passed ? 'passed' : 'FAILED'}: ${r.detail}`);
    if (!r.passed) break;
  }
  const decision = decideBlueGreenSwitch({ kind: 'deploy', idle, ...(live ? { live } : {}) }, { upgraded: true, testsPassed: tests === 'passed' ? true : undefined, checks });
  if (decision.kind === 'keep') return withOutcome({ kind: 'notSwitched', plan, slot: idle.slot, live: live?.slot ?? null, reason: decision.reason, failures: [], checks });

  const objects = await appliedObjects(deps.releases, { release: idle.release, namespace: env.namespace, kubeContext: env.kubeContext });
  const service = slotService(objects, idle, strategy.router.backend);
  if (state.ingress?.plan.kind === 'create') await createRouterIngress(deps, env, strategy, state.ingress.name, objects, idle, service.name);
  await switchRouter(deps, env, strategy, { to: idle, toRevision: revision, from: live, resourceVersion: state.resourceVersion, service });
  return withOutcome({ kind: 'switched', plan, slot: idle.slot, from: live?.slot ?? null, revision, tests, checks });
}

/** Points the router Service at a slot's Pods in one write; the slot it leaves is recorded for a switch back. */
export async function switchRouter(
  deps: Deps,
  env: Environment,
  strategy: BlueGreenStrategy,
  move: {
    to: SlotState;
    toRevision: number;
    from?: SlotState;
    resourceVersion?: string;
    current?: { selector: Record<string, string>; ports: Array<Record<string, unknown>> };
    /** The slot's Service, when the caller has read it already. */
    service?: { selector: Record<string, string>; ports: Array<Record<string, unknown>> };
  },
): Promise<void> {
  const service =
    move.service ?? ((move.current && move.from && swappedSelector(move.current, move.from.release, move.to.release)) || slotService(await appliedObjects(deps.releases, { release: move.to.release, namespace: env.namespace, kubeContext: env.kubeContext }), move.to, strategy.router.backend));
  const target = { namespace: env.namespace, kubeContext: env.kubeContext };
  const previous = move.from?.revision !== undefined ? { slot: move.from.slot, revision: move.from.revision } : undefined;
  deps.reporter.progress(`Switching router Service ${strategy.router.service} to slot ${move.to.slot}`);
  const written = await deps.routers.writeService(target, strategy.router.service, { selector: service.selector, ports: service.ports, liveSlot: move.to.slot, ...(previous ? { previous } : {}) }, move.resourceVersion);
  if (written.kind === 'conflict') {
    throw new ChartctlError(`Router Service ${strategy.router.service} in ${env.namespace} changed while chartctl was switching it; traffic was not moved.`, {
      code: 'ROUTER_CONFLICT',
      hint: `Someone else changed it. chartctl status ${env.name} shows where it points; run the command again.`,
    });
  }
}


/** The selector and ports of the slot release's own Service: the router copies them, so it selects exactly that slot's Pods. */
function slotService(objects: KubeObject[], slot: SlotState, backend: string | undefined): { name: string; selector: Record<string, string>; ports: Array<Record<string, unknown>> } {
  const found = findBackendService(objects, slot.release, backend);
  if (found.kind === 'ambiguous') {
    throw new ChartctlError(`Release ${slot.release} has ${found.names.length} Services (${found.names.join(', ')}): say which one the router fronts.`, {
      code: 'BLUE_GREEN_NO_SERVICE',
      hint: `Set deploy.strategy.blueGreen.router.backend to the part after "${slot.release}-" (e.g. ${found.names[0]!.slice(slot.release.length + 1)}).`,
    });
  }
  if (found.kind === 'missing') {
    throw new ChartctlError(`Release ${slot.release} has no Service${backend ? ` named ${slot.release}-${backend}` : ''} with a selector: the router has nothing to copy its selector and ports from.`, {
      code: 'BLUE_GREEN_NO_SERVICE',
      hint: 'The chart must render a Service selecting its Pods with the release name in the selector (app.kubernetes.io/instance).',
    });
  }
  return { name: found.name, selector: found.selector, ports: found.ports };
}

/**
 * The router's selector for the other slot, when the current one names the
 * live slot's release (slots differ only by release name): no helm call needed.
 */
function swappedSelector(current: { selector: Record<string, string>; ports: Array<Record<string, unknown>> }, from: string, to: string) {
  if (!Object.values(current.selector).includes(from)) return undefined;
  return { selector: Object.fromEntries(Object.entries(current.selector).map(([k, v]) => [k, v === from ? to : v])), ports: current.ports };
}

/** The idle slot as the environment a deploy would change (its release), with where traffic is now: what diff compares. */
export async function idleSlotEnvironment(
  deps: Deps,
  env: Environment,
  strategy: BlueGreenStrategy,
): Promise<{ env: Environment; blueGreen: { slot: string; live: string | null; router: string; ingress?: { name: string; create: boolean; refused?: string } } }> {
  const state = await readBlueGreenState(deps, env, strategy);
  const live = liveSlotOf(state);
  const idle = live ? state.slots.find((s) => s.slot !== live.slot)! : state.slots[0];
  const summary: { router: string; ingress?: { name: string; create: boolean; refused?: string } } = routerSummary(strategy, state.ingress);
  // deploy would stop there: diff says why.
  if (summary.ingress && state.ingress?.plan.kind === 'refused') summary.ingress = { ...summary.ingress, refused: state.ingress.plan.reason };
  return { env: { ...env, release: idle.release }, blueGreen: { slot: idle.slot, live: live?.slot ?? null, ...summary } };
}
