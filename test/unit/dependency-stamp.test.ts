import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppRepo } from '../../src/adapters/app-repo.js';
import type { Helm } from '../../src/adapters/helm.js';
import { ensureDependencies } from '../../src/actions/steps/render.js';
import { fakeDeps } from '../support/fake-deps.js';
import { copyExampleApp } from '../support/project.js';

/**
 * The fingerprint of a chart's file:// dependencies is kept in a stamp under .chartctl/deps/ between runs: stamps
 * written by earlier chartctl versions (which listed each dependency with fs.promises.readdir's recursive walk)
 * must still match, or every chart's dependencies would be rebuilt once after an upgrade.
 */
test("the dependency stamp lists a file:// dependency's files in fs.promises.readdir's recursive order, as stamps already written do", async () => {
  const app = copyExampleApp();
  try {
    // Two subdirectories with files, one nested: a breadth-first walk (readdirSync's recursive order) lists them differently.
    const api = join(app.dir, 'charts', 'api');
    for (const dir of ['files/nested', 'extra']) mkdirSync(join(api, dir), { recursive: true });
    writeFileSync(join(api, 'files', 'a.txt'), 'a');
    writeFileSync(join(api, 'files', 'nested', 'b.txt'), 'b');
    writeFileSync(join(api, 'extra', 'c.txt'), 'c');
    const builds: string[][] = [];
    const helm = { run: async (args: string[]) => (builds.push(args), { stdout: '', stderr: '', exitCode: 0 }) } as unknown as Helm;
    const deps = fakeDeps({ repo: new AppRepo(app.dir), helm: () => helm });
    const chartDir = join(app.dir, 'charts', 'shop');
    assert.equal(await ensureDependencies(deps, chartDir), true, 'the copied app has no dependency archives: helm builds them');
    assert.equal(builds.length, 1);

    const expected = createHash('sha256');
    for (const f of ['Chart.yaml', 'Chart.lock']) {
      if (readdirSync(chartDir).includes(f)) expected.update(readFileSync(join(chartDir, f)));
    }
    for (const dep of ['api', 'web']) {
      const dir = resolve(chartDir, '..', dep);
      for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const p = join(entry.parentPath, entry.name);
        const st = statSync(p);
        expected.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
      }
    }
    const stamps = join(app.dir, '.chartctl', 'deps');
    const [stamp] = readdirSync(stamps);
    assert.equal(readFileSync(join(stamps, stamp!), 'utf8'), expected.digest('hex'));
  } finally {
    app.remove();
  }
});
