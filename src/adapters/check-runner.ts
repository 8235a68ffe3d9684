import { commandVerdict, httpVerdict, prometheusVerdict, type CheckResult } from '../core/strategy/check-verdict.js';
import type { CheckSpec, CommandCheck, HttpCheck, PrometheusCheck } from '../core/strategy/strategy-config.js';
import type { Checks, CheckTarget } from './checks.js';
import { runProcess } from './process-runner.js';

/** Real checks: Prometheus' HTTP API, HTTP probes, and commands run from the repository root. */
export class CheckRunner implements Checks {
  constructor(
    private readonly options: {
      env: NodeJS.ProcessEnv;
      /** The application repository: commands run there, with relative paths from it. */
      cwd: string;
      /** How long a command or a Prometheus query may take. */
      timeoutMs: number;
    },
  ) {}

  async run(name: string, check: CheckSpec, target: CheckTarget, signal: AbortSignal): Promise<CheckResult> {
    const verdict = check.kind === 'prometheus' ? await this.prometheus(check, signal) : check.kind === 'http' ? await this.http(check, signal) : await this.command(check, target, signal);
    return { name, kind: check.kind, ...verdict };
  }

  private async prometheus(check: PrometheusCheck, signal: AbortSignal) {
    const url = `${check.url.replace(/\/+$/, '')}/api/v1/query`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: check.query }).toString(),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return { passed: false, detail: `${url} answered ${res.status} with a body that is not Prometheus' JSON` };
      }
      return prometheusVerdict(check, body);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      return { passed: false, detail: `${url} could not be queried: ${(err as Error).message}` };
    }
  }

  private async http(check: HttpCheck, signal: AbortSignal) {
    try {
      const res = await fetch(check.url, { redirect: 'manual', signal: AbortSignal.any([signal, AbortSignal.timeout(check.timeoutMs)]) });
      await res.body?.cancel();
      return httpVerdict(check, { status: res.status });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return httpVerdict(check, { error: cause ?? (err as Error).message });
    }
  }

  private async command(check: CommandCheck, target: CheckTarget, signal: AbortSignal) {
    const [file, ...args] = check.argv;
    const outcome = await runProcess(file!, args, {
      cwd: this.options.cwd,
      signal,
      timeoutMs: this.options.timeoutMs,
      env: {
        ...this.options.env,
        CHARTCTL_ENV: target.env,
        CHARTCTL_NAMESPACE: target.namespace,
        CHARTCTL_RELEASE: target.release,
        CHARTCTL_TRACK: target.track,
        ...(target.kubeContext ? { CHARTCTL_KUBE_CONTEXT: target.kubeContext } : {}),
      },
    });
    if (outcome.cancelled) throw signal.reason;
    return commandVerdict(check.argv, { exitCode: outcome.exitCode, timedOut: outcome.timedOut, spawnError: outcome.spawnError?.code, stderrTail: outcome.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 300) });
  }
}
