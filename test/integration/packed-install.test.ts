import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { execa } from 'execa';
import { copyExampleApp, helmBinaries, projectRoot } from '../support/project.js';
import { installOffline, packChartctl } from '../support/packed-install.js';

const ownVersion = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;

test('npm pack → npm install -g --offline into an empty prefix → version, sandbox up, lint, publish dev, deploy dev, sandbox down with the installed chartctl', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'chartctl-packed-'));
  const app = copyExampleApp();
  const prefix = join(work, 'prefix');
  const sandbox = join(work, 'sandbox');
  // helm from PATH, as a user's machine has it; the installed package has no development copy.
  let env: Record<string, string> = {
    PATH: `${dirname(helmBinaries.helm4)}${delimiter}${dirname(process.execPath)}${delimiter}/usr/bin${delimiter}/bin`,
    HOME: join(work, 'home'),
    XDG_CACHE_HOME: join(work, 'cache'),
    NO_COLOR: '1',
    CHARTCTL_ACTOR: 'packed-install-test',
    SOPS_AGE_KEY_FILE: join(app.dir, 'examples', 'demo-age-key.txt'),
  };
  mkdirSync(env.HOME!, { recursive: true });
  const installed = join(prefix, 'bin', 'chartctl');
  const chartctl = (args: string[], cwd = app.dir) => execa(installed, args, { cwd, env, extendEnv: false, reject: false, timeout: 120_000 });
  let sandboxStarted = false;
  try {
    const packed = await packChartctl(join(work, 'pack'));
    // Only what runs: no sources, tests, example application, scripts or development helm copies.
    const strays = packed.files.filter((f) => /^(src|test|examples|charts|environments|scripts|bench|docs|\.tools|dist\/src|dist\/test|node_modules)\//.test(f));
    assert.deepEqual(strays, [], `${strays.length} files that do not run are packed, e.g. ${strays.slice(0, 10).join(', ')}`);
    assert.ok(packed.files.includes('bin/chartctl.js') && packed.files.includes('dist/bundle/main.cjs') && packed.files.includes('dist/bundle/main.cjs.json') && packed.files.includes('dist/bundle/sandbox-background.js'), packed.files.join('\n'));

    const install = await installOffline(packed.file, prefix, join(work, 'npm-cache'));
    t.diagnostic(`offline install of ${packed.file.split('/').pop()}: ${install.seconds.toFixed(1)} s`);
    assert.doesNotMatch(install.output, /install-scripts|prepare/, 'the installed package has no scripts for npm to run or warn about');
    const manifest = JSON.parse(readFileSync(join(prefix, 'lib', 'node_modules', 'chartctl', 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.dependencies, undefined, 'nothing to fetch: every dependency is bundled');
    assert.equal(manifest.scripts, undefined);

    const version = await chartctl(['--version']);
    assert.equal(version.exitCode, 0, version.stderr);
    assert.match(version.stdout, new RegExp(`^chartctl ${ownVersion.replaceAll('.', '\\.')}\\nhelm v4\\.\\d+\\.\\d+ \\(${helmBinaries.helm4.replaceAll('.', '\\.')}\\)\\nnode ${process.version}$`));

    const up = await chartctl(['sandbox', 'up', '--dir', sandbox, '--readiness-delay', '50', '--output', 'json']);
    assert.equal(up.exitCode, 0, up.stderr);
    sandboxStarted = true;
    const { envFile } = JSON.parse(up.stdout) as { envFile: string };
    for (const line of readFileSync(envFile, 'utf8').split('\n')) {
      const m = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) env = { ...env, [m[1]!]: m[2]!.replace(/^['"]|['"]$/g, '') };
    }

    // From a subdirectory of the application repository, as a user in charts/shop would.
    const lint = await chartctl(['lint', '--output', 'json'], join(app.dir, 'charts', 'shop'));
    assert.equal(lint.exitCode, 0, `${lint.stderr}\n${lint.stdout}`);
    assert.deepEqual((JSON.parse(lint.stdout) as { environments: Array<{ env: string }> }).environments.map((e) => e.env), ['dev', 'prod', 'staging']);

    const publish = await chartctl(['publish', 'dev', '--output', 'json']);
    assert.equal(publish.exitCode, 0, `${publish.stderr}\n${publish.stdout}`);
    const published = JSON.parse(publish.stdout) as { version: string; outcome: string };
    assert.equal(published.outcome, 'published');

    const deploy = await chartctl(['deploy', 'dev', '--yes', '--output', 'json']);
    assert.equal(deploy.exitCode, 0, `${deploy.stderr}\n${deploy.stdout}`);
    const deployed = JSON.parse(deploy.stdout) as { outcome: { revision: number; plan: { version: string } } };
    assert.equal(deployed.outcome.plan.version, published.version);
    assert.equal(deployed.outcome.revision, 1);
  } finally {
    if (sandboxStarted) {
      const down = await chartctl(['sandbox', 'down', '--dir', sandbox]);
      assert.equal(down.exitCode, 0, down.stderr);
    }
    app.remove();
    rmSync(work, { recursive: true, force: true });
  }
});
