// `chartctl sandbox up|fault|status|down` as a user runs them: a real background
// process, the real helm talking to it across invocations, the local S3 over HTTP.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CreateBucketCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { copyExampleApp, helmBinaries, runCli } from '../support/project.js';
import { isConnectionRefused } from '../support/network-errors.js';

let app: { dir: string; remove: () => void };
let home: string;
let up: Record<string, any>;
const sandboxDir = () => join(app.dir, '.chartctl', 'sandbox');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); // a zombie has exited
  } catch {
    return true;
  }
}

function envFileValues(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
}

before(async () => {
  app = copyExampleApp();
  home = mkdtempSync(join(tmpdir(), 'chartctl-sandbox-home-'));
  const r = await runCli(['--cwd', app.dir, 'sandbox', 'up', '--readiness-delay', '50', '--output', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  up = JSON.parse(r.stdout);
});

after(async () => {
  // Never leave a background process behind, even when a test failed half-way.
  if (up?.pid && isAlive(up.pid)) await runCli(['--cwd', app.dir, 'sandbox', 'down']);
  app?.remove();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('sandbox up writes kubeconfig (context sandbox) and env.sh, and both servers answer', async () => {
  assert.equal(up.dir, sandboxDir());
  assert.equal(up.context, 'sandbox');
  assert.ok(isAlive(up.pid), 'the background process runs after the CLI returned');
  const kubeconfig = readFileSync(join(sandboxDir(), 'kubeconfig'), 'utf8');
  assert.match(kubeconfig, /current-context: sandbox/);
  assert.match(kubeconfig, new RegExp(`server: ${up.apiServer}`));
  assert.deepEqual(up.contextAliases, ['dev', 'prod', 'staging'], "the environments' kubeContexts point at the sandbox too");
  const env = envFileValues(readFileSync(join(sandboxDir(), 'env.sh'), 'utf8'));
  assert.equal(env.KUBECONFIG, join(sandboxDir(), 'kubeconfig'));
  assert.equal(env.AWS_ENDPOINT_URL, up.s3Endpoint);
  assert.ok(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && env.AWS_REGION);

  const version = (await (await fetch(`${up.apiServer}/version`)).json()) as { gitVersion: string };
  assert.match(version.gitVersion, /^v1\.33\./);

  const s3 = new S3Client({ endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION, forcePathStyle: true, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! } });
  try {
    const buckets = await s3.send(new ListBucketsCommand({}));
    assert.ok(buckets.Buckets?.some((b) => b.Name === 'acme-charts'), 'the bucket the environments name exists');
    await s3.send(new CreateBucketCommand({ Bucket: 'sandbox-check' }));
    await s3.send(new PutObjectCommand({ Bucket: 'sandbox-check', Key: 'index.yaml', Body: 'a', IfNoneMatch: '*' }));
    await assert.rejects(s3.send(new PutObjectCommand({ Bucket: 'sandbox-check', Key: 'index.yaml', Body: 'b', IfNoneMatch: '*' })), (err: { $metadata?: { httpStatusCode?: number } }) => err.$metadata?.httpStatusCode === 412);
  } finally {
    s3.destroy();
  }
});

test('state persists across separate helm invocations until down', async () => {
  const chart = join(home, 'tiny');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: tiny\nversion: 0.1.0\n');
  writeFileSync(join(chart, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tiny\ndata:\n  a: "1"\n');
  const env = { HOME: home, KUBECONFIG: join(sandboxDir(), 'kubeconfig') };
  const install = await execa(helmBinaries.helm4, ['install', 'tiny', chart, '-n', 'demo', '--create-namespace', '--wait'], { env, extendEnv: false, reject: false });
  assert.equal(install.exitCode, 0, String(install.stderr));
  const list = await execa(helmBinaries.helm3, ['list', '-n', 'demo', '-o', 'json'], { env, extendEnv: false, reject: false });
  assert.equal(list.exitCode, 0, String(list.stderr));
  assert.deepEqual(
    (JSON.parse(String(list.stdout)) as Array<{ name: string; revision: string }>).map((r) => [r.name, r.revision]),
    [['tiny', '1']],
  );
});

test('sandbox fault injects and clears a fault; bad input is refused', async () => {
  const set = await runCli(['--cwd', app.dir, 'sandbox', 'fault', 'shop-dev/Deployment/shop-api', 'never-ready', '--output', 'json']);
  assert.equal(set.exitCode, 0, set.stderr);
  const faults = (await (await fetch(`${up.apiServer}/__sandbox/faults`)).json()) as { workloads: Array<{ target: string; fault: string }> };
  assert.deepEqual(faults.workloads, [{ target: 'shop-dev/Deployment/shop-api', fault: 'never-ready' }]);

  const cleared = await runCli(['--cwd', app.dir, 'sandbox', 'fault', 'shop-dev/Deployment/shop-api', 'clear']);
  assert.equal(cleared.exitCode, 0, cleared.stderr);
  const after = (await (await fetch(`${up.apiServer}/__sandbox/faults`)).json()) as { workloads: unknown[] };
  assert.deepEqual(after.workloads, []);

  const bad = await runCli(['--cwd', app.dir, 'sandbox', 'fault', 'shop-api', 'never-ready']);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /namespace\/Kind\/name/);
  const unknown = await runCli(['--cwd', app.dir, 'sandbox', 'fault', 'a/Pod/b', 'explode']);
  assert.equal(unknown.exitCode, 1);
  assert.match(unknown.stderr, /never-ready, fail, clear/);
});

test('sandbox down stops both servers, removes the state and leaves nothing running', async () => {
  const status = await runCli(['--cwd', app.dir, 'sandbox', 'status', '--output', 'json']);
  assert.equal(JSON.parse(status.stdout).running, true);

  const down = await runCli(['--cwd', app.dir, 'sandbox', 'down', '--output', 'json']);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.equal(JSON.parse(down.stdout).stopped, true);
  assert.equal(isAlive(up.pid), false, 'the background process is gone');
  assert.equal(existsSync(sandboxDir()), false, 'the sandbox directory is removed');
  await assert.rejects(fetch(`${up.apiServer}/version`), isConnectionRefused, 'the API port no longer answers');
  await assert.rejects(fetch(up.s3Endpoint), isConnectionRefused, 'the S3 port no longer answers');

  const again = await runCli(['--cwd', app.dir, 'sandbox', 'down', '--output', 'json']);
  assert.equal(again.exitCode, 0);
  assert.equal(JSON.parse(again.stdout).stopped, false);
  const fault = await runCli(['--cwd', app.dir, 'sandbox', 'fault', 'a/Pod/b', 'fail']);
  assert.equal(fault.exitCode, 1);
  assert.match(fault.stderr, /No sandbox is running/);
});
