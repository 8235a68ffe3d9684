import { ChartctlError } from '../../core/errors.js';
import type { Environment } from '../../core/environment.js';
import type { KubeObject } from '../../core/manifests.js';
import { planRouterIngress, routerIngress } from '../../core/strategy/router-ingress.js';
import type { SlotState } from '../../core/strategy/blue-green-plan.js';
import type { BlueGreenStrategy } from '../../core/strategy/strategy-config.js';
import type { Deps } from '../deps.js';

/**
 * Creates the router Ingress once, from the slot's own Ingress (hosts and paths
 * of the Service the router copies, pointed at the router Service), before the
 * switch: traffic never moves while the entry point in front is missing.
 */
export async function createRouterIngress(deps: Deps, env: Environment, strategy: BlueGreenStrategy, name: string, objects: KubeObject[], slot: SlotState, slotServiceName: string): Promise<void> {
  const ingress = routerIngress(objects, { ingress: name, namespace: env.namespace, routerService: strategy.router.service, slotService: slotServiceName });
  if (!ingress) {
    throw new ChartctlError(`Release ${slot.release} has no Ingress with a path to Service ${slotServiceName}: chartctl has no hosts and paths to give router Ingress ${name}; traffic was not moved.`, {
      code: 'BLUE_GREEN_NO_INGRESS',
      hint: `Enable the chart's Ingress for that Service, or drop deploy.strategy.blueGreen.router.ingress and point your own Ingress at router Service ${strategy.router.service}.`,
    });
  }
  deps.reporter.progress(`Creating router Ingress ${name} in front of router Service ${strategy.router.service}`);
  const target = { namespace: env.namespace, kubeContext: env.kubeContext };
  if ((await deps.routers.createIngress(target, ingress)).kind === 'created') return;
  // Someone created one meanwhile: fine only when it is chartctl's own for this router.
  const now = planRouterIngress(await deps.routers.readIngress(target, name), { ingress: name, service: strategy.router.service });
  if (now.kind === 'refused') throw new ChartctlError(`Blue/green deploy to ${env.name} stopped before the switch: ${now.reason}; traffic was not moved.`, { code: 'ROUTER_INGRESS_NOT_OWNED', hint: 'Someone created it while chartctl was deploying.' });
}
