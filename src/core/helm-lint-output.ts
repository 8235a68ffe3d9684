import type { Finding } from './findings.js';

/**
 * Reads `helm lint` output (`[ERROR] templates/x.yaml: message`) into findings.
 * INFO lines (e.g. "icon is recommended") are kept as info so they never fail a build.
 */
export function parseHelmLintOutput(output: string, env?: string): Finding[] {
  const findings: Finding[] = [];
  for (const line of output.split('\n')) {
    const m = /^\[(ERROR|WARNING|INFO)\]\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const severity = m[1] === 'ERROR' ? 'error' : m[1] === 'WARNING' ? 'warning' : 'info';
    const rest = m[2]!;
    const sourceMatch = /^([^\s:]+(?:\/[^\s:]*)?):\s+(.*)$/.exec(rest);
    findings.push({
      severity,
      check: 'helm-lint',
      env,
      source: sourceMatch?.[1],
      message: sourceMatch ? sourceMatch[2]! : rest,
    });
  }
  return findings;
}
