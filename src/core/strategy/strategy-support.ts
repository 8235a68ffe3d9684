import { ChartctlError } from '../errors.js';
import type { Environment } from '../environment.js';

/**
 * Refuses a command on an environment whose strategy it does not carry out yet,
 * rather than running a rolling upgrade the environment file did not ask for.
 */
export function requireSupportedStrategy(env: Pick<Environment, 'name' | 'file' | 'deploy'>, command: string, supported: readonly string[]): void {
  const kind = env.deploy.strategy.kind;
  if (supported.includes(kind)) return;
  throw new ChartctlError(`chartctl ${command} does not carry out the ${kind} strategy of environment "${env.name}" yet (${env.file}: deploy.strategy).`, {
    code: 'STRATEGY_UNSUPPORTED',
    hint: `Use "strategy: rolling" for this environment, or a chartctl release whose README lists ${kind} under "Progressive delivery".`,
  });
}
