import { durationMs } from '../duration.js';

/** How `deploy` moves an environment to a new version (`deploy.strategy`). */
export type DeployStrategy = { kind: 'rolling' } | BlueGreenStrategy | CanaryStrategy;

/**
 * Two helm releases, `<release>-<slot>`, side by side in the environment's
 * namespace; the router Service (and Ingress) chartctl owns selects one of them.
 */
export interface BlueGreenStrategy {
  kind: 'blueGreen';
  slots: [string, string];
  /** backend: which of the slot's Services the router copies (`<release>-<slot>-<backend>`); default the only one. */
  router: { service: string; ingress?: string; backend?: string };
  /** The previous slot stays installed for an instant switch back. */
  keepPrevious: boolean;
  /** Run, all of them, against the idle slot before the switch. */
  checks: Record<string, CheckSpec>;
}

export type CanaryTraffic = 'replicas' | 'ingress-nginx' | 'gateway';

export interface CanaryStrategy {
  kind: 'canary';
  traffic: CanaryTraffic;
  steps: CanaryStep[];
  checks: Record<string, CheckSpec>;
  /** replicas: the Service chartctl owns selecting both tracks' Pods (default: named as the release); backend: which of the release's Services it copies. */
  router?: { service: string; backend?: string };
  /** replicas: the values key of the canary's replica count (e.g. api.replicaCount), set per weight. */
  replicasValue?: string;
  /** ingress-nginx: the stable Ingress the canary Ingress shadows. */
  ingress?: string;
  /** gateway: the HTTPRoute whose backendRefs are weighted. */
  httpRoute?: string;
}

export type CanaryStep = { kind: 'weight'; weight: number; pauseMs: number; checks: string[] } | { kind: 'approve' };

export type CheckSpec = PrometheusCheck | HttpCheck | CommandCheck;

export interface PrometheusCheck {
  kind: 'prometheus';
  url: string;
  query: string;
  max?: number;
  min?: number;
  /** An empty result passes instead of failing. */
  allowNoData: boolean;
}

export interface HttpCheck {
  kind: 'http';
  url: string;
  expect: number;
  /** Probe again at this interval while a step pauses; undefined: once. */
  everyMs?: number;
  timeoutMs: number;
}

export interface CommandCheck {
  kind: 'command';
  argv: string[];
}

export const DEFAULT_SLOTS: [string, string] = ['blue', 'green'];

/** A problem the schema cannot express, at a path inside the environment file. */
export interface StrategyProblem {
  path: (string | number)[];
  message: string;
}

type Raw = Record<string, any>;
const STRATEGY = ['deploy', 'strategy'];

/** Checks past the schema, on a `deploy.strategy` the schema accepted. */
export function strategyProblems(raw: unknown): StrategyProblem[] {
  if (raw === undefined || typeof raw === 'string') return [];
  const { blueGreen, canary } = raw as Raw;
  if (blueGreen) return checkProblems(blueGreen.checks ?? {}, [...STRATEGY, 'blueGreen', 'checks']);
  const problems = checkProblems(canary.checks ?? {}, [...STRATEGY, 'canary', 'checks']);
  const traffic = canary.traffic ?? 'replicas';
  const needs: Record<string, [string, string]> = { 'ingress-nginx': ['ingress', 'the name of the stable Ingress'], gateway: ['httpRoute', 'the name of the HTTPRoute'] };
  const [key, what] = needs[traffic] ?? [];
  if (key && canary[key] === undefined) problems.push({ path: [...STRATEGY, 'canary'], message: `traffic: ${traffic} needs "${key}" (${what})` });
  (canary.steps as Raw[]).forEach((step, index) => {
    const path = [...STRATEGY, 'canary', 'steps', index];
    const isApproval = step.approve === true;
    if (isApproval && Object.keys(step).length > 1) {
      problems.push({ path, message: 'an approve step has no other keys (put weight, pause and checks in a step of their own)' });
    } else if (!isApproval && step.weight === undefined) {
      problems.push({ path, message: 'a step needs "weight" (1-100), or is {approve: true}' });
    }
    ((step.checks ?? []) as string[]).forEach((name, at) => {
      if (!(canary.checks ?? {})[name]) {
        const known = Object.keys(canary.checks ?? {});
        problems.push({ path: [...path, 'checks', at], message: `no check named "${name}" in deploy.strategy.canary.checks${known.length ? ` (defined: ${known.join(', ')})` : ''}` });
      }
    });
  });
  return problems;
}

function checkProblems(checks: Raw, path: (string | number)[]): StrategyProblem[] {
  return Object.entries(checks).flatMap(([name, check]) => {
    const p = check.prometheus;
    return p && p.max === undefined && p.min === undefined ? [{ path: [...path, name, 'prometheus'], message: 'a prometheus check needs "max", "min" or both' }] : [];
  });
}

/** The typed strategy, with defaults, of a `deploy.strategy` that passed the schema and strategyProblems. */
export function toStrategy(raw: unknown): DeployStrategy {
  if (raw === undefined || raw === 'rolling') return { kind: 'rolling' };
  const { blueGreen, canary } = raw as Raw;
  if (blueGreen) {
    return {
      kind: 'blueGreen',
      slots: (blueGreen.slots as [string, string] | undefined) ?? DEFAULT_SLOTS,
      router: { service: blueGreen.router.service, ingress: blueGreen.router.ingress, ...(blueGreen.router.backend ? { backend: blueGreen.router.backend } : {}) },
      keepPrevious: blueGreen.keepPrevious ?? true,
      checks: toChecks(blueGreen.checks),
    };
  }
  return {
    kind: 'canary',
    traffic: canary.traffic ?? 'replicas',
    steps: (canary.steps as Raw[]).map((s): CanaryStep => (s.approve === true ? { kind: 'approve' } : { kind: 'weight', weight: s.weight, pauseMs: s.pause ? durationMs(s.pause) : 0, checks: s.checks ?? [] })),
    checks: toChecks(canary.checks),
    ...(canary.router ? { router: { service: canary.router.service, ...(canary.router.backend ? { backend: canary.router.backend } : {}) } } : {}),
    ...(canary.replicasValue ? { replicasValue: canary.replicasValue } : {}),
    ...(canary.ingress ? { ingress: canary.ingress } : {}),
    ...(canary.httpRoute ? { httpRoute: canary.httpRoute } : {}),
  };
}

function toChecks(raw: Raw | undefined): Record<string, CheckSpec> {
  return Object.fromEntries(Object.entries(raw ?? {}).map(([name, c]) => [name, toCheck(c)]));
}

function toCheck(c: Raw): CheckSpec {
  if (c.prometheus) return { kind: 'prometheus', url: c.prometheus.url, query: c.prometheus.query, max: c.prometheus.max, min: c.prometheus.min, allowNoData: c.prometheus.allowNoData ?? false };
  if (c.http) return { kind: 'http', url: c.http.url, expect: c.http.expect ?? 200, everyMs: c.http.every ? durationMs(c.http.every) : undefined, timeoutMs: c.http.timeout ? durationMs(c.http.timeout) : 5000 };
  return { kind: 'command', argv: c.command };
}
