import type { CanaryRoute, CanaryTrafficSplitter, WeightedCanaryTraffic } from './canary-traffic.js';

/** Canary weights in memory, for unit tests; `writes` lists every weight set, in order. */
export class MemoryCanaryTraffic implements CanaryTrafficSplitter {
  readonly weights = new Map<string, number>();
  readonly writes: Array<{ route: string; weight: number }> = [];

  async setWeight(traffic: WeightedCanaryTraffic, route: CanaryRoute, weight: number): Promise<void> {
    this.writes.push({ route: route.route, weight });
    this.weights.set(`${traffic}/${route.namespace}/${route.route}`, weight);
  }

  async readWeight(traffic: WeightedCanaryTraffic, route: CanaryRoute): Promise<number | undefined> {
    return this.weights.get(`${traffic}/${route.namespace}/${route.route}`);
  }

  async reset(traffic: WeightedCanaryTraffic, route: CanaryRoute): Promise<void> {
    this.writes.push({ route: route.route, weight: 0 });
    this.weights.delete(`${traffic}/${route.namespace}/${route.route}`);
  }
}
