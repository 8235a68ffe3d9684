/**
 * The lines of a failed helm run a person needs: which resources were not
 * ready (helm 3 says so only in its --debug wait log) and helm's error,
 * without debug timestamps, Go stack traces or repeats.
 */
export function summarizeHelmFailure(stderr: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (line: string) => {
    if (line && !seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  };
  const notReady = new Map<string, string>();
  for (const raw of stderr.split('\n')) {
    const line = raw.trim();
    const debug = /\[debug\] (.*)$/.exec(line);
    if (debug) {
      const m = /^(\w+) is not ready: ([^.\s]+)\.?\s*(.*)$/.exec(debug[1]!);
      // Keep the last word on each resource: that is its state when helm gave up.
      if (m) notReady.set(`${m[1]} ${m[2]}`, `${m[1]} ${m[2]} is not ready${m[3] ? `: ${m[3]}` : ''}`);
      continue;
    }
    if (/^[\w./-]+\.go:\d+/.test(line) || /^(runtime\.|goroutine |main\.|\S+\.\(\*|\t)/.test(raw) || /^\S+\/\S+\.go:\d+/.test(line)) continue;
    // Debug records that wrap onto a second line (`Name: "x", Namespace: "y"'`).
    if (/^level=(DEBUG|INFO)/.test(line) || /^Name: ".*", Namespace: ".*"'?$/.test(line)) continue;
    add(line);
  }
  return [...[...notReady.values()].map((l) => `not ready: ${l}`), ...out].slice(0, 20);
}
