import { ingressHosts } from '../core/strategy/router-ingress.js';
import type { RouterIngress, RouterService, RouterTarget, RouterWrite, TrafficRouters } from './traffic-router.js';

/** Router Services kept in memory, for unit tests; `writes` counts the switches. */
export class MemoryTrafficRouters implements TrafficRouters {
  readonly services = new Map<string, RouterService>();
  writes = 0;
  /** release -> newest revision, as helm's storage labels would say. */
  readonly heads = new Map<string, { revision: number; status: string }>();
  /** namespace/name -> Ingress object; a test may put one chartctl does not own. */
  readonly ingresses = new Map<string, Record<string, any>>();
  private version = 0;

  async readIngress(target: RouterTarget, name: string): Promise<RouterIngress | undefined> {
    const i = this.ingresses.get(`${target.namespace}/${name}`);
    return i && { name, labels: i.metadata?.labels ?? {}, annotations: i.metadata?.annotations ?? {}, hosts: ingressHosts(i) };
  }

  async createIngress(target: RouterTarget, ingress: Record<string, any>): Promise<{ kind: 'created' } | { kind: 'conflict' }> {
    const key = `${target.namespace}/${ingress.metadata.name}`;
    if (this.ingresses.has(key)) return { kind: 'conflict' };
    this.ingresses.set(key, structuredClone(ingress));
    return { kind: 'created' };
  }

  async readService(target: RouterTarget, name: string): Promise<RouterService | undefined> {
    const s = this.services.get(`${target.namespace}/${name}`);
    return s && structuredClone(s);
  }

  async slotHeads(_target: RouterTarget, releases: string[]): Promise<Record<string, { revision: number; status: string } | undefined>> {
    return Object.fromEntries(releases.map((r) => [r, this.heads.get(r)]));
  }

  async writeService(target: RouterTarget, name: string, write: RouterWrite, resourceVersion?: string): Promise<{ kind: 'written' } | { kind: 'conflict' }> {
    const key = `${target.namespace}/${name}`;
    if ((this.services.get(key)?.resourceVersion ?? undefined) !== resourceVersion) return { kind: 'conflict' };
    this.writes++;
    this.services.set(key, { name, selector: write.selector, ports: write.ports, liveSlot: write.liveSlot, previous: write.previous, resourceVersion: String(++this.version) });
    return { kind: 'written' };
  }
}
