import { ChartctlError, ExitCode } from '../core/errors.js';
import type { Environment } from '../core/environment.js';
import { activeFreeze, decideApproval } from '../core/deploy-gates.js';
import type { Finding } from '../core/findings.js';
import { parseManifestStream } from '../core/manifests.js';
import { diffReleases, type ReleaseDiff } from '../core/release-diff.js';
import { chooseRollbackTarget, encodeProvenance, liveRevision, pendingRevision, type Provenance, type RevisionInfo } from '../core/release-history.js';
import { HelmError } from '../adapters/helm.js';
import { HelmReleases } from '../adapters/helm-releases.js';
import type { Deps } from './deps.js';
import { historyAndManifest, releaseTarget } from './steps/deployed-release.js';
import { resolveCandidate } from './steps/candidate.js';
import { requireDeployedIn } from './steps/deployed-in.js';
import { validateRenderedManifests } from './steps/manifest-validation.js';
import { renderEnvironment } from './steps/render.js';
import { resolveActor } from './steps/repository-index.js';
import { durationMs } from '../core/duration.js';
import { unreadyWorkloads } from '../core/workload-readiness.js';
import { summarizeHelmFailure } from '../core/helm-failure.js';

export interface DeployOptions {
  env: string;
  version?: string;
  local?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  noTests?: boolean;
  /** Overrides the environment's deploy.timeout (helm duration, e.g. 90s). */
  timeout?: string;
  overrideFreeze?: boolean;
  reason?: string;
  /** Asks a person to go ahead after seeing the plan (a TTY); absent in CI. */
  confirm?: (plan: DeployPlanSummary) => Promise<boolean>;
}

export interface DeployPlanSummary {
  env: string;
  release: string;
  namespace: string;
  version: string;
  digest: string | null;
  source: string;
  fromRevision: number | null;
  fromVersion: string | null;
  diff: ReleaseDiff;
}

export type DeployOutcome =
  | { kind: 'unchanged'; plan: DeployPlanSummary }
  | { kind: 'planned'; plan: DeployPlanSummary }
  | { kind: 'deployed'; plan: DeployPlanSummary; revision: number; tests: 'passed' | 'skipped' }
  | { kind: 'rolledBack'; plan: DeployPlanSummary; failedRevision: number | null; liveRevision: number | null; reason: string; failures: string[] }
  | { kind: 'failed'; plan: DeployPlanSummary; state: string; reason: string; failures: string[]; recovery: string[] };

export interface DeployResult {
  outcome: DeployOutcome;
  warnings: Finding[];
}

/**
 * Diff-then-upgrade: resolve and verify the exact tarball, refuse a stuck
 * release, validate, show the diff, confirm, `helm upgrade --install --wait`
 * with helm's own rollback on failure, `helm test`, and roll back by itself
 * when the tests fail. Outcomes are values; only unexpected failures throw.
 */
export async function deploy(deps: Deps, options: DeployOptions): Promise<DeployResult> {
  const env = await deps.repo.loadEnvironment(options.env);
  const releases = new HelmReleases(deps.helm());
  const target = releaseTarget(env);
  checkFreeze(deps, env, options);

  const candidate = await resolveCandidate(deps, env, { version: options.version, local: options.local });
  try {
    deps.reporter.progress(`Reading release ${env.release} in ${env.namespace}`);
    // History and the deployed manifest in one round, as diff does.
    const { history, manifest: deployedText } = await historyAndManifest(releases, env);
    const stuck = pendingRevision(history);
    if (stuck) {
      throw new ChartctlError(`Release ${env.release} in ${env.namespace} is stuck in ${stuck.status} at revision ${stuck.revision} (a helm run was interrupted); deploying over it could make things worse.`, {
        code: 'RELEASE_PENDING',
        hint: `Recover with "chartctl rollback ${env.name}" (it rolls back to the last good revision), then deploy again.`,
      });
    }
    if (env.promotion.requireDeployedIn && !options.local) await requireDeployedIn(deps, env, candidate);

    const current = [...history].sort((a, b) => b.revision - a.revision)[0];
    const rendered = await renderEnvironment(deps, env, { chartOverride: candidate.chartPath, isUpgrade: Boolean(current), includeCrds: true });
    const docs = parseManifestStream(rendered.manifest);
    const findings = await validateRenderedManifests(deps, env, docs);
    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      throw new ChartctlError(
        `${candidate.chartName} ${candidate.version} renders ${errors.length} invalid resource(s) for ${env.name}; nothing was deployed:\n${errors
          .slice(0, 20)
          .map((f) => `  ${[f.resource, f.source && `[${f.source}]`].filter(Boolean).join(' ')}: ${f.message}`)
          .join('\n')}`,
        { code: 'MANIFESTS_INVALID', hint: `See chartctl validate ${env.name} for every finding.` },
      );
    }
    const plan: DeployPlanSummary = {
      env: env.name,
      release: env.release,
      namespace: env.namespace,
      version: candidate.version,
      digest: candidate.digest ?? null,
      source: candidate.source,
      fromRevision: current?.revision ?? null,
      fromVersion: current?.chartVersion ?? null,
      diff: diffReleases(deployedText, rendered.manifest, { namespace: env.namespace }),
    };
    const warnings = findings.filter((f) => f.severity !== 'error');
    const live = liveRevision(history);
    if (!plan.diff.hasChanges && live && live.revision === current?.revision) return { outcome: { kind: 'unchanged', plan }, warnings };
    if (options.dryRun) return { outcome: { kind: 'planned', plan }, warnings };
    await approve(deps, env, options, plan);

    const actor = await resolveActor(deps);
    const revision = await deps.git.revision(deps.repo.root, [env.chart]).catch(() => undefined);
    const provenance: Provenance = {
      version: candidate.version,
      digest: candidate.digest,
      source: candidate.source,
      commit: revision ? `${revision.commit.slice(0, 12)}${revision.dirty ? '-dirty' : ''}` : undefined,
      actor,
      freezeOverride: options.overrideFreeze ? options.reason : undefined,
    };
    const timeout = options.timeout ?? env.deploy.timeout;
    const timeoutMs = durationMs(timeout) * 3 + 60_000;
    deps.reporter.progress(`Deploying ${candidate.chartName} ${candidate.version} to ${env.name} (helm upgrade --install, wait ${timeout})`);
    try {
      await releases.upgrade(
        {
          ...target,
          chart: candidate.chartPath,
          wait: env.deploy.wait,
          timeout,
          historyMax: env.deploy.historyMax,
          rollbackOnFailure: env.deploy.rollbackOnFailure,
          description: encodeProvenance(provenance),
          setArgs: rendered.values.setArgs,
          createNamespace: !current,
        },
        rendered.values.stdin,
        timeoutMs,
      );
    } catch (err) {
      if (!(err instanceof HelmError)) throw err;
      return { outcome: await afterFailedUpgrade(deps, releases, env, plan, err, current), warnings };
    }
    const after = await releases.history(target);
    const newRevision = liveRevision(after)?.revision ?? 0;
    if (options.noTests || !env.deploy.tests) return { outcome: { kind: 'deployed', plan, revision: newRevision, tests: 'skipped' }, warnings };

    deps.reporter.progress(`Running helm test for ${env.release} (revision ${newRevision})`);
    const tests = await releases.test(target, timeout, timeoutMs);
    if (tests.ok) return { outcome: { kind: 'deployed', plan, revision: newRevision, tests: 'passed' }, warnings };
    const failures = failedTestLines(tests.output);
    return { outcome: await rollBackAfterTests(deps, releases, env, plan, newRevision, failures, timeout, timeoutMs), warnings };
  } finally {
    await candidate.release();
  }
}

function checkFreeze(deps: Deps, env: Environment, options: DeployOptions): void {
  const freeze = activeFreeze(env.freeze, deps.now());
  if (!freeze) return;
  if (options.overrideFreeze) {
    if (!options.reason?.trim()) {
      throw new ChartctlError(`--override-freeze needs --reason "…" (it is recorded in the release's provenance).`, { code: 'FREEZE_REASON_MISSING', hint: 'Example: --override-freeze --reason "hotfix for INC-1234"' });
    }
    deps.reporter.warn(`${env.name} is frozen until ${freeze.to}${freeze.reason ? ` (${freeze.reason})` : ''}; overriding: ${options.reason}`);
    return;
  }
  throw new ChartctlError(`${env.name} is frozen from ${freeze.from} to ${freeze.to}${freeze.reason ? ` (${freeze.reason})` : ''}: deploys are refused.`, {
    code: 'FROZEN',
    hint: 'Wait for the window to end, or pass --override-freeze --reason "…" (recorded in provenance) for an emergency change.',
  });
}

async function approve(deps: Deps, env: Environment, options: DeployOptions, plan: DeployPlanSummary): Promise<void> {
  const decision = decideApproval({
    // Every deploy is confirmed; requireApproval adds the CI actor rule.
    required: true,
    yes: Boolean(options.yes),
    interactive: Boolean(options.confirm),
    actor: deps.env.CHARTCTL_ACTOR,
    ci: env.promotion.requireApproval && Boolean(deps.env.CI),
  });
  if (decision.kind === 'approved') return;
  if (decision.kind === 'ask' && options.confirm && (await options.confirm(plan))) return;
  throw new ChartctlError(
    decision.kind === 'refused' ? `Deploy to ${env.name} not confirmed: ${decision.reason}.` : `Deploy to ${env.name} cancelled; nothing was changed.`,
    { code: 'NOT_CONFIRMED', hint: `Review "chartctl diff ${env.name}", then run again with --yes${env.promotion.requireApproval ? ' (and CHARTCTL_ACTOR in CI)' : ''}.` },
  );
}

function failedTestLines(output: string): string[] {
  // helm test prints each test's phase; keep the failing ones and helm's error.
  return output
    .split('\n')
    .filter((l) => /failed|error|Phase:\s+Failed/i.test(l))
    .map((l) => l.trim())
    .slice(0, 20);
}

/** helm ran its own rollback (or could not); say which state the release is in now. */
async function afterFailedUpgrade(deps: Deps, releases: HelmReleases, env: Environment, plan: DeployPlanSummary, err: HelmError, before: RevisionInfo | undefined): Promise<DeployOutcome> {
  const failures = summarizeHelmFailure(err.stderr);
  if (!failures.some((f) => /not ready/.test(f))) {
    // Name the workloads that are still not ready when helm's message does not.
    const unready = await releases.resources(releaseTarget(env)).then(
      (r) => unreadyWorkloads(r, env.namespace),
      () => [],
    );
    failures.push(...unready.map((u) => `not ready: ${u}`));
  }
  const history = await releases.history(releaseTarget(env)).catch(() => [] as RevisionInfo[]);
  const live = liveRevision(history);
  const newest = [...history].sort((a, b) => b.revision - a.revision)[0];
  const failedRevision = history.filter((h) => h.status === 'failed').sort((a, b) => b.revision - a.revision)[0]?.revision ?? null;
  if (live && before && live.revision !== before.revision && newest?.status === 'deployed' && /roll(ed)? ?back/i.test(err.stderr)) {
    return { kind: 'rolledBack', plan, failedRevision, liveRevision: live.revision, reason: 'the upgrade failed and helm rolled it back', failures };
  }
  if (live && newest?.revision === live.revision && before && live.revision === before.revision) {
    // Failed before anything was stored (e.g. a rejected manifest): the old revision is still live.
    return { kind: 'rolledBack', plan, failedRevision, liveRevision: live.revision, reason: 'the upgrade failed before changing the release', failures };
  }
  return failedState(env, plan, newest, env.deploy.rollbackOnFailure ? 'the upgrade failed and the release could not be brought back automatically' : 'the upgrade failed (deploy.rollbackOnFailure is off)', failures, history, await releases.major());
}

async function rollBackAfterTests(
  deps: Deps,
  releases: HelmReleases,
  env: Environment,
  plan: DeployPlanSummary,
  failedRevision: number,
  failures: string[],
  timeout: string,
  timeoutMs: number,
): Promise<DeployOutcome> {
  const history = await releases.history(releaseTarget(env));
  const targetRevision = chooseRollbackTarget(history.filter((h) => h.revision !== failedRevision).concat(history.filter((h) => h.revision === failedRevision)));
  if (!targetRevision || !env.deploy.rollbackOnFailure) {
    const newest = [...history].sort((a, b) => b.revision - a.revision)[0];
    return failedState(env, plan, newest, !targetRevision ? 'helm test failed and there is no earlier good revision to roll back to' : 'helm test failed (deploy.rollbackOnFailure is off)', failures, history, await releases.major());
  }
  deps.reporter.progress(`helm test failed; rolling back ${env.release} to revision ${targetRevision.revision}`);
  try {
    await releases.rollback({ ...releaseTarget(env), revision: targetRevision.revision, wait: env.deploy.wait, timeout, historyMax: env.deploy.historyMax }, timeoutMs);
  } catch (err) {
    if (!(err instanceof HelmError)) throw err;
    const after = await releases.history(releaseTarget(env)).catch(() => history);
    const newest = [...after].sort((a, b) => b.revision - a.revision)[0];
    return failedState(env, plan, newest, `helm test failed and the rollback to revision ${targetRevision.revision} failed too: ${err.stderr.split('\n')[0]}`, failures, after, await releases.major());
  }
  const live = liveRevision(await releases.history(releaseTarget(env)));
  return { kind: 'rolledBack', plan, failedRevision, liveRevision: live?.revision ?? null, reason: `helm test failed; rolled back to revision ${targetRevision.revision}`, failures };
}

function failedState(env: Environment, plan: DeployPlanSummary, newest: RevisionInfo | undefined, reason: string, failures: string[], history: RevisionInfo[], helmMajor: number): DeployOutcome {
  const ctx = env.kubeContext ? ` --kube-context ${env.kubeContext}` : '';
  const good = history.some((h) => h.revision !== newest?.revision && (h.status === 'superseded' || h.status === 'deployed'));
  return {
    kind: 'failed',
    plan,
    state: newest ? `revision ${newest.revision} is ${newest.status}` : 'the release has no revisions',
    reason,
    failures,
    recovery: [
      `helm status ${env.release} -n ${env.namespace}${ctx}${helmMajor < 4 ? ' --show-resources' : ''}   # what is not ready`,
      good
        ? `chartctl rollback ${env.name}            # back to the last good revision`
        : `chartctl deploy ${env.name} --yes        # after fixing the cause: there is no good revision to roll back to`,
      ...(good ? [] : [`helm uninstall ${env.release} -n ${env.namespace}${ctx}   # or start over`]),
    ],
  };
}

export const DEPLOY_EXIT: Record<DeployOutcome['kind'], number> = {
  unchanged: ExitCode.ok,
  planned: ExitCode.ok,
  deployed: ExitCode.ok,
  rolledBack: ExitCode.failure,
  failed: ExitCode.failure,
};
