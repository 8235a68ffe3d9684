import type { Finding } from './findings.js';

/**
 * Reads `helm lint` output (`[ERROR] templates/x.yaml: message`) into findings.
 * INFO lines (e.g. "icon is recommended") are kept as info so they never fail a build.
 *
 * helm 4 writes a template error over several lines, the later ones indented:
 *   [ERROR] templates/: platform/templates/cm.yaml:7:17
 *     executing "platform/templates/cm.yaml" at <.Values.a.deep>:
 *       nil pointer evaluating interface {}.deep
 * Those lines belong to the finding they follow (helm 3 writes it on one line).
 *
 * `helm lint` does not fail on a `required` value that is missing: it only logs it
 * (helm 4: `level=WARN msg="missing required value" message="…"`, helm 3:
 * `engine.go:NNN: [INFO] Missing required value: …`), while `helm template` and
 * `helm install` fail on it. Each becomes a render error.
 */
export function parseHelmLintOutput(output: string, env?: string): Finding[] {
  const findings: Finding[] = [];
  let last: Finding | undefined;
  for (const line of output.split('\n')) {
    const required = missingRequiredValue(line);
    if (required !== undefined) {
      findings.push({ severity: 'error', check: 'render', env, message: `missing required value: ${required} (helm lint only logs it; helm template and helm install fail)` });
      last = undefined;
      continue;
    }
    const m = /^\[(ERROR|WARNING|INFO)\]\s+(.*)$/.exec(line.trim());
    if (!m) {
      // An indented line right after a finding continues it; anything else ends it.
      if (last && /^\s+\S/.test(line)) last.message = `${last.message}${/[:\s]$/.test(last.message) ? ' ' : ': '}${line.trim()}`;
      else last = undefined;
      continue;
    }
    const severity = m[1] === 'ERROR' ? 'error' : m[1] === 'WARNING' ? 'warning' : 'info';
    const rest = m[2]!;
    const sourceMatch = /^([^\s:]+(?:\/[^\s:]*)?):\s+(.*)$/.exec(rest);
    last = {
      severity,
      check: 'helm-lint',
      env,
      source: sourceMatch?.[1],
      message: sourceMatch ? sourceMatch[2]! : rest,
    };
    findings.push(last);
  }
  return findings;
}

/** The message of a missing `required` value that helm lint logged, or undefined. */
function missingRequiredValue(line: string): string | undefined {
  const helm3 = /^\S+\.go:\d+: \[INFO\] Missing required value: (.*)$/.exec(line.trim());
  if (helm3) return helm3[1]!;
  // helm 4 logs with Go's slog text handler: values with spaces are Go-quoted strings.
  if (!/^level=\w+ msg="missing required value" /.test(line.trim())) return undefined;
  const quoted = /message=("(?:[^"\\]|\\.)*")/.exec(line);
  if (quoted) {
    try {
      return JSON.parse(quoted[1]!) as string;
    } catch {
      return quoted[1]!.slice(1, -1);
    }
  }
  return /message=(\S+)/.exec(line)?.[1] ?? '';
}
