import { cancelled, ChartctlError } from '../../core/errors.js';
import type { Environment } from '../../core/environment.js';
import { decideApproval } from '../../core/deploy-gates.js';
import { declaredActor } from '../../core/actor.js';
import type { Deps } from '../deps.js';

export interface ConfirmFlags<P> {
  yes?: boolean;
  /** Asks a person at a terminal; absent in CI. */
  confirm?: (plan: P) => Promise<boolean>;
}

/**
 * The confirmation every change to a release needs (deploy, rollback): --yes,
 * or a person at the prompt; requireApproval adds the CI actor rule.
 * `change` names it ("Deploy to prod"), `review` is the command that shows it.
 */
export async function confirmReleaseChange<P>(deps: Deps, env: Environment, options: ConfirmFlags<P>, plan: P, words: { change: string; review: string }): Promise<void> {
  const decision = decideApproval({
    required: true,
    yes: Boolean(options.yes),
    interactive: Boolean(options.confirm),
    actor: declaredActor(deps.env),
    ci: env.promotion.requireApproval && Boolean(deps.env.CI),
    asking: env.promotion.requireApproval ? 'approval' : 'confirmation',
  });
  if (decision.kind === 'approved') return;
  if (decision.kind === 'ask' && options.confirm) {
    if (await options.confirm(plan)) return;
    throw cancelled(`${words.change} cancelled; nothing was changed.`);
  }
  throw new ChartctlError(`${words.change} not confirmed: ${decision.kind === 'refused' ? decision.reason : 'there is no terminal to ask'}.`, {
    code: 'NOT_CONFIRMED',
    hint: `Review "${words.review}", then run again with --yes${env.promotion.requireApproval ? ' (and CHARTCTL_ACTOR in CI)' : ''}.`,
  });
}
