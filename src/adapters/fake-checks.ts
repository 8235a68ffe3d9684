import type { CheckResult } from '../core/strategy/check-verdict.js';
import type { CheckSpec } from '../core/strategy/strategy-config.js';
import type { Checks, CheckTarget } from './checks.js';

/** Checks whose results a test scripts per check name; every call is recorded. */
export class FakeChecks implements Checks {
  readonly calls: Array<{ name: string; target: CheckTarget }> = [];

  constructor(private readonly script: (name: string, call: number) => Pick<CheckResult, 'passed' | 'value' | 'detail'> = () => ({ passed: true, detail: 'fake: passed' })) {}

  async run(name: string, check: CheckSpec, target: CheckTarget): Promise<CheckResult> {
    this.calls.push({ name, target });
    const call = this.calls.filter((c) => c.name === name).length;
    return { name, kind: check.kind, ...this.script(name, call) };
  }
}
