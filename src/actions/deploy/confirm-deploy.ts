import { cancelled, ChartctlError } from '../../core/errors.js';
import type { Environment } from '../../core/environment.js';
import { decideApproval } from '../../core/deploy-gates.js';
import { declaredActor } from '../../core/actor.js';
import type { Deps } from '../deps.js';
import type { DeployPlanSummary } from './outcome.js';

/** The confirmation every deploy needs (--yes, or a person at the prompt); requireApproval adds the CI actor rule. */
export async function confirmDeploy(deps: Deps, env: Environment, options: { yes?: boolean; confirm?: (plan: DeployPlanSummary) => Promise<boolean> }, plan: DeployPlanSummary): Promise<void> {
  const decision = decideApproval({
    // Every deploy is confirmed; requireApproval adds the CI actor rule.
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
    throw cancelled(`Deploy to ${env.name} cancelled; nothing was changed.`);
  }
  throw new ChartctlError(`Deploy to ${env.name} not confirmed: ${decision.kind === 'refused' ? decision.reason : 'there is no terminal to ask'}.`, {
    code: 'NOT_CONFIRMED',
    hint: `Review "chartctl diff ${env.name}", then run again with --yes${env.promotion.requireApproval ? ' (and CHARTCTL_ACTOR in CI)' : ''}.`,
  });
}
