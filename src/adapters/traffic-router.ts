import type { ExistingIngress } from '../core/strategy/router-ingress.js';

/** Where a router lives: the environment's namespace on its cluster. */
export interface RouterTarget {
  namespace: string;
  kubeContext?: string;
}

/** The router Service chartctl owns for a blue/green environment, as chartctl's annotations describe it. */
export interface RouterService {
  name: string;
  selector: Record<string, string>;
  ports: Array<Record<string, unknown>>;
  /** The slot it selects, from chartctl's annotation. */
  liveSlot?: string;
  /** The slot revision that served before the last switch. */
  previous?: { slot: string; revision: number };
  resourceVersion: string;
}

/** An Ingress of the router Ingress's name, as far as deploy and status need it. */
export interface RouterIngress extends ExistingIngress {
  name: string;
  hosts: string[];
}

export interface RouterWrite {
  selector: Record<string, string>;
  ports: Array<Record<string, unknown>>;
  liveSlot: string;
  previous?: { slot: string; revision: number };
}

/**
 * The Service that is the stable entry point of a blue/green environment.
 * A switch is ONE write (create, or replace with the resourceVersion read
 * before), so traffic moves from one slot to the other at once.
 */
export interface TrafficRouters {
  readService(target: RouterTarget, name: string): Promise<RouterService | undefined>;
  /** `conflict`: someone else changed (or created) it since `resourceVersion`; read again. */
  writeService(target: RouterTarget, name: string, write: RouterWrite, resourceVersion?: string): Promise<{ kind: 'written' } | { kind: 'conflict' }>;
  /**
   * Each slot release's newest revision and status, read from helm's own
   * release storage labels (owner=helm, name, version, status) in one list call
   * per release, without starting helm: what a switch back needs, in milliseconds.
   */
  slotHeads(target: RouterTarget, releases: string[]): Promise<Record<string, { revision: number; status: string } | undefined>>;
  readIngress(target: RouterTarget, name: string): Promise<RouterIngress | undefined>;
  /** Create only (never replace): `conflict` when an Ingress of that name appeared meanwhile. */
  createIngress(target: RouterTarget, ingress: Record<string, any>): Promise<{ kind: 'created' } | { kind: 'conflict' }>;
}

export const LIVE_SLOT_ANNOTATION = 'chartctl.dev/live-slot';
export const PREVIOUS_SLOT_ANNOTATION = 'chartctl.dev/previous-slot';

/** `blue@3` ⇄ {slot: 'blue', revision: 3}. */
export function formatSlotRevision(p: { slot: string; revision: number }): string {
  return `${p.slot}@${p.revision}`;
}

export function parseSlotRevision(text: string | undefined): { slot: string; revision: number } | undefined {
  const m = /^([a-z0-9-]+)@(\d+)$/.exec(text ?? '');
  return m ? { slot: m[1]!, revision: Number(m[2]) } : undefined;
}
