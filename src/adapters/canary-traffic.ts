import type { RouterTarget } from './traffic-router.js';

/** How a canary's share of requests is set when its Pods do not simply share the stable Service (`traffic: replicas`). */
export type WeightedCanaryTraffic = 'ingress-nginx' | 'gateway';

/** The objects one canary's traffic is split across, in the environment's namespace. */
export interface CanaryRoute extends RouterTarget {
  /** The stable entry point: the Ingress (ingress-nginx) or HTTPRoute (gateway) the environment names. */
  route: string;
  /** The stable release's Service and the canary release's Service it is split between. */
  stableService: string;
  canaryService: string;
  /** The Service port requests go to; the stable backend's port when not given. */
  port?: number;
}

/**
 * Sets a canary's share of requests at the edge: ingress-nginx canary
 * annotations on a second Ingress chartctl owns, or HTTPRoute backendRefs
 * weights. Every call is one write and idempotent, so a resumed or aborted run
 * can repeat it.
 */
export interface CanaryTrafficSplitter {
  /** Sends `weight` percent (0-100) of the route's requests to the canary Service. */
  setWeight(traffic: WeightedCanaryTraffic, route: CanaryRoute, weight: number): Promise<void>;
  /** The canary's share now in effect, undefined when chartctl has not split this route. */
  readWeight(traffic: WeightedCanaryTraffic, route: CanaryRoute): Promise<number | undefined>;
  /** All requests back to the stable Service and chartctl's additions removed (abort, or after promotion). */
  reset(traffic: WeightedCanaryTraffic, route: CanaryRoute): Promise<void>;
}
