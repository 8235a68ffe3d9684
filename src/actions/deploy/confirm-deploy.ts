import type { Environment } from '../../core/environment.js';
import type { Deps } from '../deps.js';
import { confirmReleaseChange, type ConfirmFlags } from '../steps/confirm-release-change.js';
import type { DeployPlanSummary } from './outcome.js';

/** Every deploy is confirmed (rolling, and a canary walk without an approve step). */
export function confirmDeploy(deps: Deps, env: Environment, options: ConfirmFlags<DeployPlanSummary>, plan: DeployPlanSummary): Promise<void> {
  return confirmReleaseChange(deps, env, options, plan, { change: `Deploy to ${env.name}`, review: `chartctl diff ${env.name}` });
}
