import type { Deps } from './deps.js';

export interface EnvironmentSummary {
  name: string;
  release: string;
  namespace: string;
  kubeContext: string | null;
  kubeVersion: string;
  repository: string;
  promotesFrom: string | null;
  chart: string;
}

/** Lists every environment of the repository (validating each file). */
export async function envs(deps: Deps): Promise<EnvironmentSummary[]> {
  const all = await deps.repo.loadEnvironments([]);
  return all.map((e) => ({
    name: e.name,
    release: e.release,
    namespace: e.namespace,
    kubeContext: e.kubeContext ?? null,
    kubeVersion: e.kubeVersion,
    repository: e.repository.url,
    promotesFrom: e.promotion.from ?? null,
    chart: e.chart,
  }));
}

/** One CI job per environment: flat string fields, the names a workflow refers to as matrix.env etc. */
export interface MatrixEntry {
  env: string;
  release: string;
  namespace: string;
  kubeContext: string;
  repository: string;
}

export function matrixEntries(list: EnvironmentSummary[]): MatrixEntry[] {
  return list.map((e) => ({ env: e.name, release: e.release, namespace: e.namespace, kubeContext: e.kubeContext ?? '', repository: e.repository }));
}
