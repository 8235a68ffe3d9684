/**
 * CI set-ups written by `chartctl init --ci github|gitlab`. Both follow one shape:
 * lint everywhere; on a pull/merge request, diff every environment into the job
 * summary; on main, publish to the first environment and deploy it; every later
 * environment is a promote + deploy behind that CI system's approval gate
 * (GitHub environments with required reviewers, GitLab protected environments with
 * a manual job). Deploys of one release queue on one lock per environment and are
 * never cancelled half-way (a cancelled helm upgrade leaves a pending release).
 */
export type CiSystem = 'github' | 'gitlab';

export const CI_SYSTEMS: readonly CiSystem[] = ['github', 'gitlab'];

export interface CiTemplate {
  release: string;
  /** In promotion order: the first receives publishes. */
  envs: string[];
}

/** The file each CI system reads. */
export const CI_FILE: Record<CiSystem, string> = {
  github: '.github/workflows/chartctl.yml',
  gitlab: '.gitlab-ci.yml',
};

/** The lock name a deploy of `release` to `env` holds: one at a time, queued, never cancelled. */
export const deployLock = (release: string, env: string) => `chartctl-${release}-${env}`;

export function ciFileText(system: CiSystem, t: CiTemplate): string {
  return system === 'github' ? githubWorkflow(t) : gitlabPipeline(t);
}

function githubWorkflow({ release, envs }: CiTemplate): string {
  const [first] = envs;
  const setup = `      - uses: actions/checkout@v4
        with: {fetch-depth: 0}
      - uses: actions/setup-node@v4
        with: {node-version: 20}
      - uses: azure/setup-helm@v4
      - run: npm install -g chartctl`;
  const deployJobs = envs.map((env, i) => {
    const previous = envs[i - 1];
    const steps = previous
      ? `      - run: chartctl promote ${previous} ${env} --yes
      - run: chartctl deploy ${env} --yes`
      : `      - run: chartctl deploy ${env} --yes`;
    return `  # ${previous ? `Promote the very tarball ${previous} runs, then deploy it. Require reviewers on the "${env}" environment (Settings > Environments) to gate it.` : `Deploy what was just published.`}
  deploy-${env}:
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    needs: [${previous ? `deploy-${previous}` : 'publish'}]
    runs-on: ubuntu-latest
    environment: ${env}
    concurrency:
      group: ${deployLock(release, env)}
      cancel-in-progress: false
    steps:
${setup}
${steps}
`;
  });
  return `# Written by chartctl init --ci github. Secrets to set (Settings > Secrets and variables > Actions):
#   SOPS_AGE_KEY           an age identity that can decrypt environments/secrets/* (a CI key added to .sops.yaml)
#   KUBECONFIG_DATA        a kubeconfig (base64) with the contexts the environment files name
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (or OIDC with aws-actions/configure-aws-credentials) for the chart repositories
# The actor recorded for promotions and deploys is GITHUB_ACTOR (who ran the job or approved the environment).
name: chartctl

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read

env:
  CI: "true"
  SOPS_AGE_KEY: \${{ secrets.SOPS_AGE_KEY }}
  AWS_ACCESS_KEY_ID: \${{ secrets.AWS_ACCESS_KEY_ID }}
  AWS_SECRET_ACCESS_KEY: \${{ secrets.AWS_SECRET_ACCESS_KEY }}
  KUBECONFIG_DATA: \${{ secrets.KUBECONFIG_DATA }}

jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
${setup}
      - run: chartctl secrets check
      - run: chartctl lint --output markdown >> "$GITHUB_STEP_SUMMARY"

  # What merging would change in each environment, in the pull request's job summary.
  diff:
    if: github.event_name == 'pull_request'
    needs: [lint]
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        env: [${envs.join(', ')}]
    steps:
${setup}
      - name: kubeconfig
        run: mkdir -p ~/.kube && echo "$KUBECONFIG_DATA" | base64 -d > ~/.kube/config
      - run: chartctl diff \${{ matrix.env }} --local --output markdown >> "$GITHUB_STEP_SUMMARY"

  # Build once: the tarball published here is the one every environment runs. The version is
  # Chart.yaml's: bump it in each pull request (chartctl bump patch); a version is published once,
  # and only release versions pass the later environments' allowPrerelease: false.
  publish:
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    needs: [lint]
    runs-on: ubuntu-latest
    concurrency:
      group: chartctl-${release}-publish
      cancel-in-progress: false
    steps:
${setup}
      - run: chartctl publish ${first}

${deployJobs.join('\n').replace(/      - run: chartctl deploy/g, `      - name: kubeconfig
        run: mkdir -p ~/.kube && echo "$KUBECONFIG_DATA" | base64 -d > ~/.kube/config
      - run: chartctl deploy`)}`;
}

function gitlabPipeline({ release, envs }: CiTemplate): string {
  const [first] = envs;
  const deployJobs = envs.map((env, i) => {
    const previous = envs[i - 1];
    const script = previous ? `    - chartctl promote ${previous} ${env} --yes\n    - chartctl deploy ${env} --yes` : `    - chartctl deploy ${env} --yes`;
    return `${previous ? `# Protect the "${env}" environment (Settings > CI/CD > Protected environments) so only approvers can play this job.\n` : ''}deploy-${env}:
  extends: .chartctl
  stage: deploy
  needs: [${previous ? `deploy-${previous}` : 'publish'}]
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
${previous ? '      when: manual\n  allow_failure: false\n' : ''}  environment:
    name: ${env}
  resource_group: ${deployLock(release, env)}
  script:
${script}
`;
  });
  return `# Written by chartctl init --ci gitlab. CI/CD variables to set (Settings > CI/CD > Variables, masked and protected):
#   SOPS_AGE_KEY           an age identity that can decrypt environments/secrets/* (a CI key added to .sops.yaml)
#   KUBECONFIG             a file variable with the contexts the environment files name
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY for the chart repositories
# The actor recorded for promotions and deploys is GITLAB_USER_LOGIN (who started the pipeline or played the job).
# The image needs helm on PATH (or CHARTCTL_HELM pointing at it) next to Node.js 20.
stages: [lint, diff, publish, deploy]

.chartctl:
  image: node:20
  before_script:
    - npm install -g chartctl

lint:
  extends: .chartctl
  stage: lint
  script:
    - chartctl secrets check
    - chartctl lint --output markdown > lint.md
  artifacts:
    when: always
    expose_as: lint
    paths: [lint.md]

# What merging would change in each environment, attached to the merge request.
diff:
  extends: .chartctl
  stage: diff
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  parallel:
    matrix:
      - ENV: [${envs.join(', ')}]
  script:
    - chartctl diff "$ENV" --local --output markdown > "diff-$ENV.md"
  artifacts:
    when: always
    paths: ["diff-$ENV.md"]

# Build once: the tarball published here is the one every environment runs. The version is
# Chart.yaml's: bump it in each merge request (chartctl bump patch); a version is published once,
# and only release versions pass the later environments' allowPrerelease: false.
publish:
  extends: .chartctl
  stage: publish
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  resource_group: chartctl-${release}-publish
  script:
    - chartctl publish ${first}

${deployJobs.join('\n')}`;
}
