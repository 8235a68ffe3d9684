/**
 * Variables CI systems set to the person who triggered (or approved) the job, in the
 * order they are tried. Read only when CHARTCTL_ACTOR is unset.
 */
export const CI_ACTOR_VARIABLES = [
  'GITHUB_ACTOR', // GitHub Actions: who triggered the run (or approved the environment's review)
  'GITLAB_USER_LOGIN', // GitLab CI: who started the pipeline or played the manual job
  'BITBUCKET_STEP_TRIGGERER_UUID', // Bitbucket Pipelines
  'CIRCLE_USERNAME', // CircleCI
  'BUILD_REQUESTEDFOR', // Azure Pipelines
  'BUILDKITE_BUILD_CREATOR', // Buildkite
] as const;

/**
 * Who is acting, as recorded in provenance and approvals: CHARTCTL_ACTOR as given;
 * else a CI system's user variable, recorded with its name (`octocat (GITHUB_ACTOR)`)
 * so a reader knows the CI system vouched for it, not the user.
 */
export function declaredActor(env: NodeJS.ProcessEnv): string | undefined {
  if (env.CHARTCTL_ACTOR) return env.CHARTCTL_ACTOR;
  for (const name of CI_ACTOR_VARIABLES) {
    const value = env[name]?.trim();
    if (value) return `${value} (${name})`;
  }
  return undefined;
}
