import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmGoGc, helmGoMaxProcs } from '../../src/core/helm-go-procs.js';
import { HelmCli } from '../../src/adapters/helm.js';
import { MemoryReporter } from '../../src/adapters/reporter.js';

test('helmGoMaxProcs: a share of the cores per helm in flight, at least one; helm default when alone or set by the user', () => {
  const cases: [cores: number, inFlight: number, userSet: boolean, expected: string | undefined][] = [
    [2, 1, false, undefined],
    [2, 2, false, '1'],
    [2, 24, false, '1'],
    [8, 2, false, '4'],
    [8, 3, false, '2'],
    [8, 9, false, '1'],
    [1, 3, false, '1'],
    [8, 1, true, undefined],
    [2, 24, true, undefined],
  ];
  for (const [cores, inFlight, userSet, expected] of cases) {
    assert.equal(helmGoMaxProcs({ cores, inFlight, userSet }), expected, JSON.stringify({ cores, inFlight, userSet }));
  }
});

test('HelmCli: helm calls started together each get GOMAXPROCS for their share of the cores; a lone call and a user-set GOMAXPROCS are left alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-fake-helm-'));
  try {
    const helm = join(dir, 'helm');
    writeFileSync(helm, `#!/bin/sh\nif [ "$1" = version ]; then echo v4.1.0; exit 0; fi\necho "\${GOMAXPROCS-unset}"\n`);
    chmodSync(helm, 0o755);
    const { GOMAXPROCS: _, ...env } = process.env;
    const cli = new HelmCli(helm, { reporter: new MemoryReporter(), mask: (t) => t, env });
    const procs = async (calls: number) => {
      const results = await Promise.all(Array.from({ length: calls }, () => cli.run(['template'])));
      return results.map((r) => r.stdout.trim());
    };
    const cores = availableParallelism();
    const share = (n: number) => String(Math.max(1, Math.floor(cores / n)));
    assert.deepEqual(await procs(1), ['unset']);
    assert.deepEqual(await procs(3), ['unset', share(2), share(3)]);
    // All finished: the next lone call runs as helm would alone.
    assert.deepEqual(await procs(1), ['unset']);
    const userSet = new HelmCli(helm, { reporter: new MemoryReporter(), mask: (t) => t, env: { ...env, GOMAXPROCS: '3' } });
    assert.deepEqual((await Promise.all([userSet.run(['template']), userSet.run(['template'])])).map((r) => r.stdout.trim()), ['3', '3']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('helmGoGc: helm calls among others collect garbage less often; a lone call, or GOGC or GOMEMLIMIT set by the user, keep helm\'s default', async () => {
  assert.equal(helmGoGc({ inFlight: 1, userSet: false }), undefined);
  assert.equal(helmGoGc({ inFlight: 2, userSet: false }), '200');
  assert.equal(helmGoGc({ inFlight: 24, userSet: true }), undefined);
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-fake-helm-'));
  try {
    const helm = join(dir, 'helm');
    writeFileSync(helm, `#!/bin/sh\nif [ "$1" = version ]; then echo v4.1.0; exit 0; fi\necho "\${GOGC-unset}"\n`);
    chmodSync(helm, 0o755);
    const { GOGC: _, GOMEMLIMIT: __, ...env } = process.env;
    const gcOf = async (given: NodeJS.ProcessEnv) => {
      const cli = new HelmCli(helm, { reporter: new MemoryReporter(), mask: (t) => t, env: given });
      return (await Promise.all([cli.run(['template']), cli.run(['template'])])).map((r) => r.stdout.trim());
    };
    assert.deepEqual(await gcOf(env), ['unset', '200']);
    assert.deepEqual(await gcOf({ ...env, GOGC: '50' }), ['50', '50']);
    assert.deepEqual(await gcOf({ ...env, GOMEMLIMIT: '1GiB' }), ['unset', 'unset']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
