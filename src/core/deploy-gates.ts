import type { FreezeWindow } from './environment.js';

/** The freeze window in force at `now`, if any (bounds inclusive of `from`, exclusive of `to`). */
export function activeFreeze(windows: FreezeWindow[], now: Date): FreezeWindow | undefined {
  const t = now.getTime();
  return windows.find((w) => {
    const from = Date.parse(w.from);
    const to = Date.parse(w.to);
    return Number.isFinite(from) && Number.isFinite(to) && from <= t && t < to;
  });
}

export interface ApprovalContext {
  required: boolean;
  /** --yes was given. */
  yes: boolean;
  /** stdin and stdout are a terminal, so a person can be asked. */
  interactive: boolean;
  /** CHARTCTL_ACTOR: who approves in CI. */
  actor?: string;
  /** Whether the environment is reached from CI (CI=true); then an actor is needed with --yes. */
  ci: boolean;
  /**
   * What is asked for, to say it right when it cannot be asked: `approval` (requireApproval)
   * or `confirmation` (every deploy, for an environment that does not require approval).
   */
  asking?: 'approval' | 'confirmation';
}

export type ApprovalDecision =
  | { kind: 'approved'; by?: string; how: 'not-required' | 'flag' | 'prompt' }
  | { kind: 'ask' }
  | { kind: 'refused'; reason: string };

/**
 * Approval for environments with `requireApproval`: a person at a terminal is
 * asked; a machine must pass --yes and, in CI, name who approved via CHARTCTL_ACTOR.
 */
export function decideApproval(c: ApprovalContext): ApprovalDecision {
  if (!c.required) return c.yes ? { kind: 'approved', how: 'flag', by: c.actor } : { kind: 'approved', how: 'not-required', by: c.actor };
  if (c.yes) {
    if (c.ci && !c.actor) return { kind: 'refused', reason: 'this environment requires approval: in CI, --yes must come with CHARTCTL_ACTOR (or a CI user variable: GITHUB_ACTOR, GITLAB_USER_LOGIN…) naming who approved' };
    return { kind: 'approved', how: 'flag', by: c.actor };
  }
  if (c.interactive) return { kind: 'ask' };
  if (c.asking === 'confirmation') return { kind: 'refused', reason: 'it needs a confirmation and there is no terminal to ask: pass --yes' };
  return { kind: 'refused', reason: 'this environment requires approval and there is no terminal to ask: pass --yes (with CHARTCTL_ACTOR in CI)' };
}
