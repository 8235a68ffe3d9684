import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls until `check` holds: tests wait on state they can observe, not on a guess at
 * how long it takes. Fails after `timeoutMs` (a bound for a hung run, not a timing claim).
 */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}
