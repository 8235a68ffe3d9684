import type { Unchecked } from './unchecked-resources.js';

export type Severity = 'error' | 'warning' | 'info';

/** One problem found by lint or validate, with enough context to fix it. */
export interface Finding {
  severity: Severity;
  /** Which check produced it: helm-lint, yaml, duplicate, values-schema, schema, or a policy id. */
  check: string;
  message: string;
  env?: string;
  /** `apiVersion/Kind namespace/name` */
  resource?: string;
  /** Template path from helm's `# Source:` comment, or a file:line:col. */
  source?: string;
  /** Schema warnings only: why and how many of the environment's resources were not schema-checked. */
  unchecked?: Unchecked;
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
