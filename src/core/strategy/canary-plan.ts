import type { CheckResult } from './check-verdict.js';
import type { CanaryStrategy } from './strategy-config.js';

/** One thing a canary run does, in order; the run's progress is an index into this walk. */
export type CanaryAction =
  | { kind: 'weight'; step: number; weight: number }
  | { kind: 'pause'; step: number; ms: number }
  | { kind: 'checks'; step: number; names: string[] }
  | { kind: 'approve'; step: number }
  | { kind: 'promote' };

/** The steps flattened into weight → pause → checks, approvals, then promotion. */
export function canaryWalk(strategy: Pick<CanaryStrategy, 'steps'>): CanaryAction[] {
  const walk: CanaryAction[] = strategy.steps.flatMap((s, step): CanaryAction[] =>
    s.kind === 'approve'
      ? [{ kind: 'approve', step }]
      : [{ kind: 'weight', step, weight: s.weight }, ...(s.pauseMs > 0 ? [{ kind: 'pause' as const, step, ms: s.pauseMs }] : []), ...(s.checks.length ? [{ kind: 'checks' as const, step, names: s.checks }] : [])],
  );
  return [...walk, { kind: 'promote' }];
}

/** What is recorded after every action, so another process can see, resume or abort the run. */
export interface CanaryRecord {
  version: string;
  digest: string;
  /** Index in the walk of the next action to run. */
  next: number;
  state: 'running' | 'awaiting-approval';
  weight: number;
  lastChecks: CheckResult[];
  startedAt: string;
  updatedAt: string;
  /** Fingerprint of the command line's values the run started with (canary-inputs.ts); absent in records written before it. */
  inputs?: string;
  /** Who started the run: a watcher continues only its kind's runs whose job died; absent (older chartctl): a person's. */
  startedBy?: 'deploy' | 'watch';
  /** Set when a signal stopped the walk on purpose (watch's SIGTERM, deploy's Ctrl-C); cleared when it is resumed. */
  stoppedAt?: string;
}

export interface CanaryCommand {
  mode: 'deploy' | 'resume' | 'abort';
  candidate?: { version: string; digest: string };
  /** --yes, or a person said yes at the prompt. */
  approved: boolean;
  /** Resume: false when this command's -f/--set* differ from those the recorded run started with. */
  sameInputs?: boolean;
}

export type CanaryDecision =
  | { kind: 'start'; version: string; digest: string }
  | { kind: 'continue'; from: number }
  | { kind: 'abort'; reason: string }
  | { kind: 'refused'; reason: string; hint: string };

/** What a command does given the recorded run (if any). */
export function decideCanaryCommand(record: CanaryRecord | undefined, command: CanaryCommand): CanaryDecision {
  if (command.mode === 'abort') {
    return record ? { kind: 'abort', reason: 'aborted by deploy --abort' } : { kind: 'refused', reason: 'there is no canary to abort', hint: 'chartctl status <env> shows the releases.' };
  }
  if (command.mode === 'resume') {
    if (!record) return { kind: 'refused', reason: 'there is no canary to resume', hint: 'Start one with chartctl deploy <env>.' };
    if (command.sameInputs === false) {
      return {
        kind: 'refused',
        reason: `the run of ${record.version} started with other command-line values (-f, --set, --set-string, --set-json, --set-file, args after --) than this command gives: the canary and the promotion use them, so stable would not get what the canary ran`,
        hint: 'Resume with exactly the values flags the run started with, or remove it with chartctl deploy <env> --abort.',
      };
    }
    return { kind: 'continue', from: record.next };
  }
  const candidate = command.candidate!;
  if (!record) return { kind: 'start', ...candidate };
  const where = `a canary of ${record.version} is ${record.state === 'awaiting-approval' ? 'waiting for approval' : 'in progress'} (weight ${record.weight}%)`;
  if (record.digest !== candidate.digest) return { kind: 'refused', reason: `${where}; ${candidate.version} cannot start beside it`, hint: 'Finish it with chartctl deploy <env> --resume, or remove it with chartctl deploy <env> --abort.' };
  return { kind: 'refused', reason: where, hint: 'Continue it with chartctl deploy <env> --resume (add --yes to approve), or remove it with --abort.' };
}

export type CanaryStepDecision =
  | { kind: 'run'; action: CanaryAction; index: number }
  | { kind: 'await-approval'; index: number }
  | { kind: 'abort'; reason: string; failed: CheckResult }
  | { kind: 'promote' };

/**
 * The next thing to do from walk index `next`: checks that failed abort the run
 * (the first failure is the reason); an approval step waits unless approved.
 */
export function decideCanaryStep(walk: CanaryAction[], next: number, facts: { approved: boolean; checks?: CheckResult[] }): CanaryStepDecision {
  const failed = facts.checks?.find((c) => !c.passed);
  if (failed) return { kind: 'abort', reason: `check ${failed.name} failed: ${failed.detail}`, failed };
  const action = walk[next];
  if (!action || action.kind === 'promote') return { kind: 'promote' };
  if (action.kind === 'approve' && !facts.approved) return { kind: 'await-approval', index: next };
  return { kind: 'run', action, index: next };
}

/**
 * `traffic: replicas`: canary Pods share the stable Service, so the canary's
 * share is its fraction of the endpoints. Returns the replica count closest to
 * `weight` (at least one) and the share it really gives.
 */
export function canaryReplicas(stableReplicas: number, weight: number): { replicas: number; share: number } {
  if (weight >= 100) return { replicas: stableReplicas, share: 50 };
  const replicas = Math.max(1, Math.round((stableReplicas * weight) / (100 - weight)));
  return { replicas, share: Math.round((100 * replicas) / (stableReplicas + replicas)) };
}

export type CanaryRollbackDecision =
  | { kind: 'abort-canary'; version: string; weight: number; reason: string }
  /** No run is recorded: the stable release is a normal release, rolled back like any other. */
  | { kind: 'rollback-stable' };

/** `rollback` of a canary environment: a recorded run (running, waiting or killed) is what changed last, so it is what goes back. */
export function decideCanaryRollback(record: CanaryRecord | undefined): CanaryRollbackDecision {
  if (!record) return { kind: 'rollback-stable' };
  const where = record.state === 'awaiting-approval' ? 'waiting for approval' : 'in progress';
  return { kind: 'abort-canary', version: record.version, weight: record.weight, reason: `rollback: the canary of ${record.version} was ${where} at ${record.weight}%` };
}

/**
 * The probes during a step's pause: each check with an interval (`http` with
 * `every`) at every multiple of it inside the pause, in time order (checks at
 * the same instant in the step's order). The step's checks action still runs
 * them all once after the pause.
 */
export function pauseProbes(pauseMs: number, repeating: Array<{ name: string; everyMs: number }>): Array<{ atMs: number; name: string }> {
  const probes = repeating.filter((r) => r.everyMs > 0).flatMap((r) => Array.from({ length: Math.ceil(pauseMs / r.everyMs) - 1 }, (_, i) => ({ atMs: (i + 1) * r.everyMs, name: r.name })));
  return probes.sort((a, b) => a.atMs - b.atMs);
}

/**
 * Where a person confirms a canary: at its approve step (a CI job may start the
 * walk and leave it waiting there), or, for a walk without one, before it
 * starts, like any deploy: otherwise it would reach stable unconfirmed.
 */
export function canaryConfirmation(walk: CanaryAction[]): 'at-approve-step' | 'before-start' {
  return walk.some((a) => a.kind === 'approve') ? 'at-approve-step' : 'before-start';
}

/** One action of the walk in words, for plans (deploy --dry-run, diff). */
export function describeCanaryAction(a: CanaryAction): string {
  switch (a.kind) {
    case 'weight':
      return `step ${a.step + 1}: weight ${a.weight}%`;
    case 'pause':
      return `step ${a.step + 1}: pause ${a.ms / 1000}s`;
    case 'checks':
      return `step ${a.step + 1}: checks ${a.names.join(', ')}`;
    case 'approve':
      return `step ${a.step + 1}: wait for approval`;
    case 'promote':
      return 'promote: upgrade the stable release to this artifact, remove the canary';
  }
}
