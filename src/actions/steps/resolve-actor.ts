import { declaredActor } from '../../core/actor.js';
import type { Deps } from '../deps.js';

/** Who is publishing/promoting/deploying: CHARTCTL_ACTOR, else a CI user variable, else the git user, else the OS user. */
export async function resolveActor(deps: Deps): Promise<string | undefined> {
  const declared = declaredActor(deps.env);
  if (declared) return declared;
  const fromGit = await deps.git.actor(deps.repo.root);
  return fromGit ?? deps.env.USER ?? undefined;
}
