import type { Finding } from './findings.js';
import { uncheckedCause, uncheckedMessage, type Unchecked } from './unchecked-resources.js';

/** One finding told once for every environment it applies to. */
export interface SharedFinding {
  severity: Finding['severity'];
  check: string;
  /** In the order the environments were given. */
  envs: string[];
  /** The environments' own message, with their counts added up. */
  message: string;
}

export interface EnvironmentFindings {
  env: string;
  findings: readonly Finding[];
}

/**
 * Splits what a report of many environments should say once: resources not schema-checked for the
 * same cause in two or more environments (offline, twelve environments: one line, not twelve).
 * `own` holds each environment's remaining findings, in the order given; a cause that only one
 * environment has stays in that environment's findings.
 */
export function shareFindings(environments: readonly EnvironmentFindings[]): { shared: SharedFinding[]; own: Finding[][] } {
  const groups = new Map<string, { severity: Finding['severity']; check: string; unchecked: Unchecked; envs: string[]; resources: number; members: Set<Finding> }>();
  for (const { env, findings } of environments) {
    for (const f of findings) {
      if (!f.unchecked) continue;
      const key = `${f.severity}\0${f.check}\0${uncheckedCause(f.unchecked)}`;
      const group = groups.get(key);
      if (!group) groups.set(key, { severity: f.severity, check: f.check, unchecked: f.unchecked, envs: [env], resources: f.unchecked.resources, members: new Set([f]) });
      else {
        if (!group.envs.includes(env)) group.envs.push(env);
        group.resources += f.unchecked.resources;
        group.members.add(f);
      }
    }
  }
  const sharedGroups = [...groups.values()].filter((g) => g.envs.length > 1);
  const told = new Set(sharedGroups.flatMap((g) => [...g.members]));
  return {
    shared: sharedGroups.map((g) => ({
      severity: g.severity,
      check: g.check,
      envs: g.envs,
      message: uncheckedMessage({ ...g.unchecked, resources: g.resources }, g.envs[0]!),
    })),
    own: environments.map((e) => e.findings.filter((f) => !told.has(f))),
  };
}

/** "all 12 environments" (or "both environments") when the finding applies to each one, else their names. */
export function sharedEnvironments(shared: SharedFinding, environmentCount: number): string {
  if (shared.envs.length < environmentCount) return shared.envs.join(', ');
  return environmentCount === 2 ? 'both environments' : `all ${environmentCount} environments`;
}
