import { declaredActor } from '../../core/actor.js';
import type { Deps } from '../deps.js';

/** Who is publishing/promoting/deploying: CHARTCTL_ACTOR, else a CI user variable, else the git user, else the OS user. */
export async function resolveActor(deps: Deps): Promise<string | undefined> {
  const declared = declaredActor(deps.env);
  if (declared) return declared;
  const fromGit = await deps.git.actor(deps.repo.root);
  return fromGit ?? deps.env.USER ?? undefined;
}

/**
 * resolveActor, begun on the event loop's next turn (setImmediate), once the requests the
 * caller has just made are written: starting git blocks this thread for milliseconds (a
 * fork), which before them would hold them back; after them, git runs while they travel
 * (and while a connection still being opened completes, time this thread would idle anyway).
 */
export function resolveActorAfterSending(deps: Deps): Promise<string | undefined> {
  const actor = new Promise<string | undefined>((resolve, reject) => setImmediate(() => resolveActor(deps).then(resolve, reject)));
  actor.catch(() => undefined);
  return actor;
}
