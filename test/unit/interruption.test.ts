import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeInterruptedRelease, Interrupted, signalExitCode } from '../../src/core/interruption.js';
import type { RevisionInfo } from '../../src/core/release-history.js';
import { describeHelmCall, HelmCli } from '../../src/adapters/helm.js';
import { MemoryReporter } from '../../src/adapters/reporter.js';
import { runProcess } from '../../src/adapters/process-runner.js';
import { RunningProcesses } from '../../src/adapters/running-processes.js';

const rev = (revision: number, status: string, chartVersion = '1.0.0', description = 'Upgrade complete'): RevisionInfo => ({
  revision,
  status,
  chartVersion,
  chartName: 'shop',
  appVersion: '1',
  updated: '',
  description,
});
const target = { env: 'dev', release: 'shop', namespace: 'shop-dev', retry: 'chartctl deploy dev' };
const during = { signal: 'SIGTERM' as const, during: 'helm upgrade shop -n shop-dev', started: true, stillRunning: undefined };

test('interrupted: a release left pending-upgrade is reported as such, with rollback as the recovery', () => {
  const d = describeInterruptedRelease(during, { ...target, before: rev(2, 'deployed'), history: [rev(1, 'superseded'), rev(2, 'deployed'), rev(3, 'pending-upgrade', '1.1.0')] });
  assert.equal(d.message, 'Interrupted by SIGTERM during helm upgrade shop -n shop-dev: helm stopped; release shop in shop-dev is at revision 3 (pending-upgrade, chart 1.1.0); revision 2 (1.0.0) is the one deployed.');
  assert.match(d.hint, /^Recover with "chartctl rollback dev"/);
});

test("interrupted: what helm did is said in order: the revision that failed, the one it rolled back to, the one it is at now", () => {
  const d = describeInterruptedRelease(during, { ...target, before: rev(7, 'deployed'), history: [rev(7, 'superseded'), rev(8, 'failed', '1.1.0'), rev(9, 'deployed', '1.0.0', 'Rollback to 7')] });
  assert.equal(
    d.message,
    'Interrupted by SIGTERM during helm upgrade shop -n shop-dev: helm stopped it (revision 8 failed) and rolled back to revision 7; now release shop in shop-dev is at revision 9 (deployed, chart 1.0.0), which runs what revision 7 ran.',
  );
  assert.match(d.hint, /^Nothing to recover; deploy again with "chartctl deploy dev"/);
});

test('interrupted: an upgrade that completed anyway, a failed one, an unchanged release, an unreadable one', () => {
  const completed = describeInterruptedRelease(during, { ...target, before: rev(2, 'deployed'), history: [rev(2, 'superseded'), rev(3, 'deployed', '1.1.0')] });
  assert.match(completed.hint, /^Check revision 3 \(its tests may not have run\) with "chartctl status dev"/);
  const failed = describeInterruptedRelease(during, { ...target, before: rev(2, 'deployed'), history: [rev(2, 'deployed'), rev(3, 'failed', '1.1.0')] });
  assert.match(failed.hint, /^Recover with "chartctl rollback dev"/);
  const unchanged = describeInterruptedRelease({ ...during, during: 'helm test shop -n shop-dev', started: false }, { ...target, before: rev(2, 'deployed'), history: [rev(2, 'deployed')] });
  assert.match(unchanged.message, /^Interrupted by SIGTERM before helm test shop -n shop-dev started; .* Nothing was changed\.$/);
  assert.equal(unchanged.hint, 'Run "chartctl deploy dev" again when ready.');
  const unknown = describeInterruptedRelease(during, { ...target, before: undefined, history: undefined });
  assert.match(unknown.message, /the state of release shop in shop-dev could not be read/);
  assert.match(unknown.hint, /chartctl status dev/);
});

test('interrupted: a helm that did not stop is named with its pid, and the hint says to wait for it', () => {
  const d = describeInterruptedRelease({ ...during, stillRunning: { pid: 4242, description: 'helm upgrade shop -n shop-dev' } }, { ...target, before: rev(2, 'deployed'), history: [rev(2, 'deployed'), rev(3, 'pending-upgrade')] });
  assert.match(d.message, /helm \(pid 4242\) had not stopped and is still running; release shop in shop-dev is at revision 3 \(pending-upgrade/);
  assert.match(d.hint, /^Wait for helm \(pid 4242\) to end \(see "chartctl status dev"\)\. Recover with "chartctl rollback dev"/);
});

test('signal exit codes and helm call descriptions (no values, no secrets)', () => {
  assert.equal(signalExitCode('SIGINT'), 130);
  assert.equal(signalExitCode('SIGTERM'), 143);
  assert.equal(new Interrupted('SIGINT').exitCode, 130);
  assert.equal(describeHelmCall(['upgrade', 'shop', '/tmp/x/shop.tgz', '--install', '--namespace', 'shop-dev', '--values', '-', '--set', 'password=hunter2']), 'helm upgrade shop -n shop-dev');
  assert.equal(describeHelmCall(['template', 'shop', '/tmp/chart']), 'helm template');
});

test('runProcess forwards the interrupting signal to the child and waits for it to exit', async () => {
  const abort = new AbortController();
  const running = new RunningProcesses();
  // The child acknowledges SIGINT on stdout, then exits by itself as helm does after cleaning up.
  const pending = runProcess('sh', ['-c', 'trap "echo got-INT; exit 7" INT; echo ready; while :; do sleep 0.05; done'], {
    env: process.env,
    signal: abort.signal,
    stopGraceMs: 30_000,
    onSpawn: (child) => {
      running.add(child, 'sh');
      child.stdout!.once('data', () => abort.abort(new Interrupted('SIGINT')));
    },
  });
  const outcome = await pending;
  assert.equal(outcome.cancelled, true);
  assert.equal(outcome.exitCode, 7);
  assert.match(outcome.stdout, /got-INT/);
  assert.equal(outcome.abandoned, undefined);
  assert.equal(running.size, 0);
});

test('runProcess stops waiting stopGraceMs after the signal and reports the child as still running', async () => {
  const abort = new AbortController();
  const running = new RunningProcesses();
  const outcome = await runProcess('sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done'], {
    env: process.env,
    signal: abort.signal,
    stopGraceMs: 100,
    onSpawn: (child) => {
      running.add(child, 'stubborn');
      child.stdout!.once('data', () => abort.abort(new Interrupted('SIGTERM')));
    },
  });
  try {
    assert.equal(outcome.cancelled, true);
    assert.ok(outcome.abandoned, 'abandoned');
    assert.deepEqual(running.list(), [{ pid: outcome.abandoned.pid, description: 'stubborn' }]);
  } finally {
    running.signalAll('SIGKILL');
  }
});

test('HelmCli starts no new helm call once interrupted, except read-only queries marked afterInterrupt', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-fake-helm-'));
  try {
    const calls = join(dir, 'calls');
    const helm = join(dir, 'helm');
    writeFileSync(helm, `#!/bin/sh\necho "$1" >> "${calls}"\nif [ "$1" = version ]; then echo v4.1.0; fi\nexit 0\n`);
    chmodSync(helm, 0o755);
    const abort = new AbortController();
    abort.abort(new Interrupted('SIGTERM'));
    const cli = new HelmCli(helm, { reporter: new MemoryReporter(), mask: (t) => t, signal: abort.signal, env: process.env });
    await assert.rejects(cli.run(['upgrade', 'shop', '/tmp/c', '--namespace', 'shop-dev']), (err: unknown) => {
      assert.ok(err instanceof Interrupted);
      assert.equal(err.code, 'INTERRUPTED');
      assert.equal(err.started, false);
      assert.equal(err.message, 'Interrupted by SIGTERM before helm upgrade shop -n shop-dev started.');
      return true;
    });
    await cli.run(['history', 'shop', '--namespace', 'shop-dev'], { afterInterrupt: true });
    assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n'), ['version', 'history']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runProcess with outlivesParent: output goes through unlinked files, read back in full, nothing left by name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-outlives-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    // 200 KB on stdout: more than a pipe buffer, so a short read would show.
    const outcome = await runProcess('sh', ['-c', 'ls "$TMPDIR" >&2; head -c 200000 /dev/zero | tr "\\0" x; echo; echo err >&2; exit 3'], { env: process.env, outlivesParent: true });
    assert.equal(outcome.exitCode, 3);
    assert.equal(outcome.stdout.trim().length, 200_000);
    assert.equal(outcome.stderr, 'err\n', 'the child saw no file by name in TMPDIR');
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  }
});
