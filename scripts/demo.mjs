// The README's main command (`npm run demo`): the whole lifecycle of the bundled example
// application, against a LOCAL sandbox (Kubernetes API simulator + S3 server) that the demo
// starts and stops itself. It works on a copy of the example under .chartctl/demo/, so the
// repository's own files are never edited. Steps that neither need each other's result nor touch
// the same files run at once (the sandbox starts while lint runs; the summary reads every
// environment at once). `--timings` prints each chartctl process's start and wall time at the
// end; `--timings-json=FILE` writes them as JSON (bench/demo.ts reads it).
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
const startedAt = performance.now();
const timingsJson = process.argv.find((a) => a.startsWith('--timings-json='))?.slice('--timings-json='.length);
/** Every chartctl process the demo ran: its arguments, start (ms after the demo started) and wall time. */
const timings = [];
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
let env = { ...process.env, SOPS_AGE_KEY_FILE: join(app, 'examples', 'demo-age-key.txt'), CHARTCTL_ACTOR: 'demo', NO_COLOR: '1' };
delete env.CI;

/** Runs chartctl; resolves with parsed JSON (with json: true) or stdout. Exits the demo on an unexpected status. */
function chartctl(args, { json = false, expect = 0 } = {}) {
  const argv = [cli, '--cwd', app, ...args, '--quiet', ...(json ? ['--output', 'json'] : [])];
  const start = performance.now();
  const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = [];
  const err = [];
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => err.push(d));
  return new Promise((resolve) => {
    child.once('close', (status) => {
      const end = performance.now();
      timings.push({ args: args.join(' '), startMs: start - startedAt, ms: end - start });
      const stdout = Buffer.concat(out).toString('utf8');
      if (status !== expect) {
        process.stderr.write(`\ndemo: "chartctl ${args.join(' ')}" exited ${status} (expected ${expect})\n${Buffer.concat(err).toString('utf8')}${stdout}`);
        finish(1);
      }
      resolve(json ? JSON.parse(stdout) : stdout);
    });
  });
}

function step(title, detail) {
  const secs = ((performance.now() - startedAt) / 1000).toFixed(1).padStart(5);
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

/** Starts the local registry on `port` and resolves once it answers /v2/. */
async function startRegistry(port) {
  const dir = join(work, 'registry');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'storage')}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const log = openSync(join(dir, 'registry.log'), 'a');
  registry = spawn(REGISTRY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', log, log] });
  for (let i = 0; ; i++) {
    const answered = await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok, () => false);
    if (answered) return;
    if (i > 200 || registry.exitCode !== null) {
      process.stderr.write(`demo: the registry did not start (see ${join(dir, 'registry.log')})\n`);
      finish(1);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

let registryUp = Promise.resolve();
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
  for (const name of ['dev', 'staging', 'prod']) {
    const file = join(app, 'environments', `${name}.yaml`);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/repository:\n(  .*\n)+/, `repository:\n  url: oci://127.0.0.1:${port}/${name}\n  plainHttp: true\n`));
  }
  git('commit', '-qam', 'repositories on a local OCI registry');
  registryUp = startRegistry(port);
}

process.stdout.write(`chartctl demo — the bundled example app through dev, staging and prod${oci ? ' (OCI repositories)' : ''}\n`);
process.stdout.write(paint(33, `Everything runs against a LOCAL sandbox: a Kubernetes API simulator and an ${oci ? 'OCI registry' : 'S3 server'} on 127.0.0.1, started and stopped by this demo.\n\n`));

// lint reads only the working tree and helm: it runs while the sandbox (and registry) start.
const lintRun = chartctl(['lint'], { json: true });
const up = await chartctl(['sandbox', 'up', '--dir', sandbox, '--readiness-delay', '50'], { json: true });
sandboxUp = true;
for (const line of readFileSync(up.envFile, 'utf8').split('\n')) {
  const m = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
  if (m) env[m[1]] = m[2].replace(/^['"]|['"]$/g, '');
}
await registryUp;
step('sandbox up', `simulator ${up.apiServer}, S3 ${up.s3Endpoint} (local)`);

const lint = await lintRun;
step('lint every environment', lint.environments.map((e) => `${e.env}: ${e.counts.error} errors, ${e.counts.warning} warnings`).join('; '));

const pkg = await chartctl(['package', '--version', 'prerelease', '--destination', join(work, 'dist')], { json: true });
step(`package ${pkg.chart} ${pkg.version}`, `sha256 ${short(pkg.digest)} (reproducible)`);

const p1 = await chartctl(['publish', 'dev', '--package', pkg.file], { json: true });
step(`publish dev ${p1.version}`, `${p1.outcome} → ${p1.repository}`);

let d = await chartctl(['deploy', 'dev', '--yes'], { json: true });
step(`deploy dev ${d.outcome.plan.version}`, `revision ${d.outcome.revision}, tests ${d.outcome.tests}`);

const img = await chartctl(['set-image', 'api', '1.2.0'], { json: true });
git('commit', '-qam', 'ci: api 1.2.0');
const b = await chartctl(['bump', 'minor'], { json: true });
git('commit', '-qam', `release ${b.to}`);
step(`set-image api 1.2.0 (every environment) + bump ${b.from} → ${b.to}`, `${img.changedFiles.join(', ')}; Chart.yaml`);

const p2 = await chartctl(['publish', 'dev', '--version', b.to], { json: true });
step(`publish dev ${p2.version}`, `sha256 ${short(p2.digest)}`);
d = await chartctl(['deploy', 'dev', '--yes'], { json: true });
step(`deploy dev ${d.outcome.plan.version}`, `revision ${d.outcome.revision}, tests ${d.outcome.tests}`);

const toStaging = await chartctl(['promote', 'dev', 'staging'], { json: true });
step(`promote dev → staging ${toStaging.version}`, `${toStaging.transfer}, same sha256 ${short(toStaging.digest)}`);
d = await chartctl(['deploy', 'staging', '--yes'], { json: true });
step(`deploy staging ${d.outcome.plan.version}`, `revision ${d.outcome.revision}, tests ${d.outcome.tests}`);

const toProd = await chartctl(['promote', 'staging', 'prod', '--yes'], { json: true });
step(`promote staging → prod ${toProd.version} (approval: --yes by demo)`, `sha256 ${short(toProd.digest)}`);

const diff = await chartctl(['diff', 'prod'], { json: true });
step('diff prod', `${diff.diff.counts.added} resources to add (not installed yet), Secret values masked`);
d = await chartctl(['deploy', 'prod', '--yes'], { json: true });
step(`deploy prod ${d.outcome.plan.version}`, `revision ${d.outcome.revision}, tests ${d.outcome.tests}`);

// A broken version: its tests fail in prod, and chartctl rolls it back by itself. The fault
// (on the test Pod, which only `helm test` creates) is set while the version travels to prod.
const faultSet = chartctl(['sandbox', 'fault', '--dir', sandbox, 'shop-prod/Pod/shop-test-connection', 'fail']);
await chartctl(['bump', 'patch'], { json: true });
git('commit', '-qam', 'release broken');
const p3 = await chartctl(['publish', 'dev'], { json: true });
await chartctl(['promote', 'dev', 'staging'], { json: true });
await chartctl(['promote', 'staging', 'prod', '--yes'], { json: true });
await faultSet;
step(`publish ${p3.version} and promote it to prod`, 'its tests will fail in prod');
d = await chartctl(['deploy', 'prod', '--yes'], { json: true, expect: 1 });
step(`deploy prod ${p3.version} → ${d.outcome.kind}`, `${d.outcome.reason}; live revision ${d.outcome.liveRevision}`);

// Nothing creates a test Pod from here on: the fault is cleared while the rest runs.
const faultCleared = chartctl(['sandbox', 'fault', '--dir', sandbox, 'shop-prod/Pod/shop-test-connection', 'clear']);
const rb = await chartctl(['rollback', 'prod', '--yes'], { json: true });
if (rb.kind === 'unchanged') {
  // chartctl already rolled back: what runs equals the last good revision, so no new revision is made.
  step(`rollback prod (by hand) → nothing to roll back`, `revision ${rb.plan.from.revision} already runs what revision ${rb.plan.to.revision} ran; no new revision`);
} else {
  step(`rollback prod (by hand) to revision ${rb.plan.to.revision}, the last good one`, `now revision ${rb.head.revision} (${rb.head.chartVersion}); the diff it showed first: ${rb.plan.diff.hasChanges ? `${rb.plan.diff.counts.changed} changed` : 'no changes'}`);
}

// History and the summary only read: every environment's status and repository at once.
const names = ['dev', 'staging', 'prod'];
const [history, statuses, listings] = await Promise.all([
  chartctl(['history', 'prod']),
  Promise.all(names.map((name) => chartctl(['status', name], { json: true }))),
  Promise.all(names.map((name) => chartctl(['repo', 'list', name], { json: true }))),
  faultCleared,
]);
process.stdout.write(`\n${history}`);

// Summary: what each environment runs, and that the bytes are the same everywhere.
process.stdout.write('\nSummary (build once, deploy many: one tarball, one digest, the images it carries)\n');
const rows = names.map((name, i) => {
  const s = statuses[i];
  const entry = listings[i].entries.find((e) => e.version === s.live?.chartVersion);
  // The image tags the live version carries for this environment, and whether one is the environment's own.
  const shown = (s.images ?? []).filter((i) => i.tag !== null).map((i) => `${i.service} ${i.tag}${i.override ? ' (own override)' : ''}`).join(', ');
  return [name, s.live?.chartVersion ?? '-', `rev ${s.live?.revision ?? '-'}`, s.health, entry?.digest ? `sha256:${short(entry.digest)}` : '-', shown || '-'];
});
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) process.stdout.write(`  ${r.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
const released = listings.map((listing) => listing.entries.find((e) => e.version === b.to)?.digest);
const same = released.every((x) => x && x === released[0]);
process.stdout.write(`  ${b.to} has sha256:${short(released[0])} in ${same ? 'all three repositories (identical bytes)' : 'DIFFERENT digests: this should never happen'}\n`);
const doneMs = performance.now() - startedAt;
if (process.argv.includes('--timings')) printTimings();
process.stdout.write(`\ndemo: done in ${(doneMs / 1000).toFixed(1)}s; sandbox stopped, nothing left running.\n`);
if (timingsJson) writeFileSync(timingsJson, `${JSON.stringify({ doneMs, processes: timings }, null, 2)}\n`);
finish(same ? 0 : 1);

/** Each chartctl process in start order: when it started, how long it ran, and what it was. */
function printTimings() {
  process.stdout.write('\nTimings (start, wall time of each chartctl process; processes that overlap ran at once)\n');
  for (const t of [...timings].sort((x, y) => x.startMs - y.startMs)) {
    process.stdout.write(`  ${(t.startMs / 1000).toFixed(2).padStart(6)}s  ${t.ms.toFixed(0).padStart(5)} ms  chartctl ${t.args}\n`);
  }
  const sum = timings.reduce((total, t) => total + t.ms, 0);
  process.stdout.write(`  ${timings.length} chartctl processes, ${(sum / 1000).toFixed(1)} s of process wall time in ${(doneMs / 1000).toFixed(1)} s\n`);
}
