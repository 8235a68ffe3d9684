// The README's main command (`npm run demo`): runs chartctl on the bundled example
// application. For now: lint every environment, then render prod.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'chartctl.js');

function step(title, args) {
  process.stdout.write(`\n\u25b6 ${title}\n  $ chartctl ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`demo: "chartctl ${args.join(' ')}" exited with ${r.status}\n`);
    process.exit(r.status ?? 1);
  }
}

step('List the environments of the example application', ['envs']);
step('Lint every environment in parallel (helm lint, render, duplicates, values schema, policies)', ['lint']);
step('Render prod with its values (Secret values masked)', ['template', 'prod', '--output-dir', join(root, '.chartctl', 'demo', 'prod')]);
process.stdout.write('\ndemo: done. Rendered prod manifests are in .chartctl/demo/prod/\n');
