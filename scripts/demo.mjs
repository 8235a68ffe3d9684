// The README's main command (`npm run demo`): the whole lifecycle of the bundled example
// application, against a LOCAL sandbox (Kubernetes API simulator + S3 server) that the demo
// starts and stops itself. It works on a copy of the example under .chartctl/demo/, so the
// repository's own files are never edited.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'chartctl.js');
const work = join(root, '.chartctl', process.argv.includes('--oci') ? 'demo-oci' : 'demo');
const app = join(work, 'app');
const sandbox = join(work, 'sandbox');
const started = Date.now();
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
let env = { ...process.env, SOPS_AGE_KEY_FILE: join(app, 'examples', 'demo-age-key.txt'), CHARTCTL_ACTOR: 'demo', NO_COLOR: '1' };
delete env.CI;

/** Runs chartctl; returns parsed JSON (with json: true) or stdout. Exits the demo on an unexpected status. */
function chartctl(args, { json = false, expect = 0 } = {}) {
  const argv = [cli, '--cwd', app, ...args, '--quiet', ...(json ? ['--output', 'json'] : [])];
  const r = spawnSync(process.execPath, argv, { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== expect) {
    process.stderr.write(`\ndemo: "chartctl ${args.join(' ')}" exited ${r.status} (expected ${expect})\n${r.stderr}${r.stdout}`);
    finish(1);
  }
  return json ? JSON.parse(r.stdout) : r.stdout;
}

function step(title, detail) {
  const secs = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  process.stdout.write(`${paint(2, `${secs}s`)}  ${paint(32, '✔')} ${title}${detail ? `  ${paint(2, detail)}` : ''}\n`);
}

// --oci: the environments' repositories are OCI repositories on a local CNCF distribution registry.
const oci = process.argv.includes('--oci');
const REGISTRY = process.env.CHARTCTL_TEST_REGISTRY ?? '/usr/bin/docker-registry';
let registry;

let sandboxUp = false;
function finish(code) {
  registry?.kill('SIGTERM');
  if (sandboxUp) spawnSync(process.execPath, [cli, '--cwd', app, 'sandbox', 'down', '--dir', sandbox, '--quiet'], { env, stdio: 'ignore' });
  process.exit(code);
}
process.on('SIGINT', () => finish(130));
process.on('SIGTERM', () => finish(143));

const short = (digest) => (digest ? digest.replace(/^sha256:/, '').slice(0, 12) : '-');

// A private copy of the example app, as its own git repository (provenance records the commit).
rmSync(work, { recursive: true, force: true });
mkdirSync(app, { recursive: true });
for (const entry of ['charts', 'environments', 'examples', '.sops.yaml', '.gitignore']) {
  cpSync(join(root, entry), join(app, entry), { recursive: true, filter: (src) => !/\/charts\/[^/]+\/charts\/[^/]+\.tgz$/.test(src) });
}
const git = (...args) => spawnSync('git', args, { cwd: app, stdio: 'ignore', env: { ...env, GIT_AUTHOR_NAME: 'demo', GIT_AUTHOR_EMAIL: 'demo@example.invalid', GIT_COMMITTER_NAME: 'demo', GIT_COMMITTER_EMAIL: 'demo@example.invalid' } });
// One api tag for every environment, in common.yaml: set-image writes it there, and each
// published version carries it to staging and prod (web keeps per-environment tags: overrides).
for (const name of ['dev', 'staging', 'prod']) {
  const file = join(app, 'environments', 'values', `${name}.yaml`);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^( {2}image:\n {4}tag: "[^"]*"\n)/m, ''));
}
const common = join(app, 'environments', 'values', 'common.yaml');
writeFileSync(common, readFileSync(common, 'utf8').replace(/^api:\n/m, 'api:\n  image:\n    tag: "1.1.0"\n'));
git('init', '-q');
git('add', '-A');
git('commit', '-qm', 'example application');

if (oci) {
  if (!existsSync(REGISTRY)) {
    process.stderr.write(`demo --oci needs the CNCF distribution registry (${REGISTRY}): apt-get install docker-registry (see docs/oci.md).\n`);
    process.exit(1);
  }
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const dir = join(work, 'registry');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'storage')}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const log = openSync(join(dir, 'registry.log'), 'a');
  registry = spawn(REGISTRY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', log, log] });
  for (let i = 0; ; i++) {
    const answered = await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok, () => false);
    if (answered) break;
    if (i > 200 || registry.exitCode !== null) {
      process.stderr.write(`demo: the registry did not start (see ${join(dir, 'registry.log')})\n`);
      finish(1);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const name of ['dev', 'staging', 'prod']) {
    const file = join(app, 'environments', `${name}.yaml`);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/repository:\n(  .*\n)+/, `repository:\n  url: oci://127.0.0.1:${port}/${name}\n  plainHttp: true\n`));
  }
  git('commit', '-qam', 'repositories on a local OCI registry');
}

process.stdout.write(`chartctl demo — the bundled example app through dev, staging and prod${oci ? ' (OCI repositories)' : ''}\n`);
process.stdout.write(paint(33, `Everything runs against a LOCAL sandbox: a Kubernetes API simulator and an ${oci ? 'OCI registry' : 'S3 server'} on 127.0.0.1, started and stopped by this demo.\n\n`));

const up = chartctl(['sandbox', 'up', '--dir', sandbox, '--readiness-delay', '50'], { json: true });
sandboxUp = true;
for (const line of readFileSync(up.envFile, 'utf8').split('\n')) {
  const m = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
  if (m) env[m[1]] = m[2].replace(/^['"]|['"]$/g, '');
}
step('sandbox up', `simulator ${up.apiServer}, S3 ${up.s3Endpoint} (local)`);

const lint = chartctl(['lint'], { json: true });
step('lint every environment', lint.environments.map((e) => `${e.env}: ${e.counts.error} errors, ${e.counts.warning} warnings`).join('; '));

const pkg = chartctl(['package', '--version', 'prerelease', '--destination', join(work, 'dist')], { json: true });
step(`package ${pkg.chart} ${pkg.version}`, `sha256 ${short(pkg.digest)} (reproducible)`);

const p1 = chartctl(['publish', 'dev', '--package', pkg.file], { json: true });
step(`publish dev ${p1.version}`, `${p1.outcome} → ${p1.repository}`);

let d = chartctl(['deploy', 'dev', '--yes'], { json: true });
step(`deploy dev ${d.outcome.plan.version}`, `revision ${d.outcome.revision}, tests ${d.outcome.tests}`);

const img = chartctl(['set-image', 'api', '1.2.0'], { json: true });
git('commit', '-qam', 'ci: api 1.2.0');
const b = chartctl(['bump', 'minor'], { json: true });
git('commit', '-qam', `release ${b.to}`);
step(`set-image api 1.2.0 (every environment) + bump ${b.from} → ${b.to}`, `${img.changedFiles.join(', ')}; Chart.yaml`);

const p2 = chartctl(['publish', 'dev', '--version', b.to], { json: true });
step(`publish dev ${p2.version}`, `sha256 ${short(p2.digest)}`);
d = chartctl(['deploy', 'dev', '--yes'], { json: true });
step(`deploy dev ${d.outcome.plan.version}`, `revision ${d.outcome.revision}, tests ${d.outcome.tests}`);

const toStaging = chartctl(['promote', 'dev', 'staging'], { json: true });
step(`promote dev → staging ${toStaging.version}`, `${toStaging.transfer}, same sha256 ${short(toStaging.digest)}`);
d = chartctl(['deploy', 'staging', '--yes'], { json: true });
step(`deploy staging ${d.outcome.plan.version}`, `revision ${d.outcome.revision}, tests ${d.outcome.tests}`);

const toProd = chartctl(['promote', 'staging', 'prod', '--yes'], { json: true });
step(`promote staging → prod ${toProd.version} (approval: --yes by demo)`, `sha256 ${short(toProd.digest)}`);

const diff = chartctl(['diff', 'prod'], { json: true });
step('diff prod', `${diff.diff.counts.added} resources to add (not installed yet), Secret values masked`);
d = chartctl(['deploy', 'prod', '--yes'], { json: true });
step(`deploy prod ${d.outcome.plan.version}`, `revision ${d.outcome.revision}, tests ${d.outcome.tests}`);

// A broken version: its tests fail in prod, and chartctl rolls it back by itself.
chartctl(['bump', 'patch'], { json: true });
git('commit', '-qam', 'release broken');
const p3 = chartctl(['publish', 'dev'], { json: true });
chartctl(['promote', 'dev', 'staging'], { json: true });
chartctl(['promote', 'staging', 'prod', '--yes'], { json: true });
step(`publish ${p3.version} and promote it to prod`, 'its tests will fail in prod');
chartctl(['sandbox', 'fault', '--dir', sandbox, 'shop-prod/Pod/shop-test-connection', 'fail']);
d = chartctl(['deploy', 'prod', '--yes'], { json: true, expect: 1 });
step(`deploy prod ${p3.version} → ${d.outcome.kind}`, `${d.outcome.reason}; live revision ${d.outcome.liveRevision}`);
chartctl(['sandbox', 'fault', '--dir', sandbox, 'shop-prod/Pod/shop-test-connection', 'clear']);

const rb = chartctl(['rollback', 'prod', '--yes'], { json: true });
if (rb.kind === 'unchanged') {
  // chartctl already rolled back: what runs equals the last good revision, so no new revision is made.
  step(`rollback prod (by hand) → nothing to roll back`, `revision ${rb.plan.from.revision} already runs what revision ${rb.plan.to.revision} ran; no new revision`);
} else {
  step(`rollback prod (by hand) to revision ${rb.plan.to.revision}, the last good one`, `now revision ${rb.head.revision} (${rb.head.chartVersion}); the diff it showed first: ${rb.plan.diff.hasChanges ? `${rb.plan.diff.counts.changed} changed` : 'no changes'}`);
}

process.stdout.write(`\n${chartctl(['history', 'prod'])}`);

// Summary: what each environment runs, and that the bytes are the same everywhere.
process.stdout.write('\nSummary (build once, deploy many: one tarball, one digest, the images it carries)\n');
const rows = [];
for (const name of ['dev', 'staging', 'prod']) {
  const s = chartctl(['status', name], { json: true });
  const entry = chartctl(['repo', 'list', name], { json: true }).entries.find((e) => e.version === s.live?.chartVersion);
  // The image tags the live version carries for this environment, and whether one is the environment's own.
  const shown = (s.images ?? []).filter((i) => i.tag !== null).map((i) => `${i.service} ${i.tag}${i.override ? ' (own override)' : ''}`).join(', ');
  rows.push([name, s.live?.chartVersion ?? '-', `rev ${s.live?.revision ?? '-'}`, s.health, entry?.digest ? `sha256:${short(entry.digest)}` : '-', shown || '-']);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) process.stdout.write(`  ${r.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
const v110 = ['dev', 'staging', 'prod'].map((name) => {
  return chartctl(['repo', 'list', name], { json: true }).entries.find((e) => e.version === b.to)?.digest;
});
const same = v110.every((x) => x && x === v110[0]);
process.stdout.write(`  ${b.to} has sha256:${short(v110[0])} in ${same ? 'all three repositories (identical bytes)' : 'DIFFERENT digests: this should never happen'}\n`);
process.stdout.write(`\ndemo: done in ${((Date.now() - started) / 1000).toFixed(1)}s; sandbox stopped, nothing left running.\n`);
finish(same ? 0 : 1);
