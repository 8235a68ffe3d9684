/**
 * GOMAXPROCS for a helm process started while `inFlight` helm processes (this one included) run
 * on `cores`: each Go runtime otherwise sizes its scheduler and GC workers to every core, as if
 * alone, and N helm processes on the same cores spend CPU contending with each other's threads
 * (lint of 12 environments: ~10% more CPU than with one core each). A share of the cores each,
 * at least one. Undefined (helm's own default) when it runs alone or the user set GOMAXPROCS.
 */
export function helmGoMaxProcs(options: { cores: number; inFlight: number; userSet: boolean }): string | undefined {
  if (options.userSet || options.inFlight <= 1) return undefined;
  return String(Math.max(1, Math.floor(options.cores / options.inFlight)));
}

/**
 * GOGC for a helm process started while `inFlight` helm processes (this one included) run: a short-lived
 * helm's heap is mostly garbage, and Go's default pace (a collection each time the heap doubles) spends a
 * noticeable part of each call on it. 24 lint and template calls in parallel, one core each: 922 ms of
 * CPU at helm's default, 785 ms at 200 (~3 MB more per process). Undefined (helm's own default) when it
 * runs alone or the user set GOGC or GOMEMLIMIT.
 */
export function helmGoGc(options: { inFlight: number; userSet: boolean }): string | undefined {
  if (options.userSet || options.inFlight <= 1) return undefined;
  return '200';
}
