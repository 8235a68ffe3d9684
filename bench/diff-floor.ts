// What a `chartctl diff staging` bench needs, for bench:large-diff and bench:diff: the example app
// deployed on the simulator from the project's S3 server, a newer version published, the helm
// calls one diff makes (recorded through a logging wrapper, replayed at once, as chartctl may run
// them) and the S3 round trips a repository candidate needs (index.yaml, then the tarball).
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { copyExampleApp, cliPath } from '../test/support/project.js';
import { startBenchSandbox } from './support.js';

export interface HelmCall {
  args: string[];
  input?: Buffer;
}

export interface DiffBench {
  /** Where chartctl runs (a copy of the example app). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** chartctl's arguments for the measured diff. */
  diffArgs: string[];
  /** The diff's JSON result (checked by the caller). */
  result: { diff: { changes: { change: string; name: string }[]; counts: { changed: number } } };
  calls: HelmCall[];
  /** Wall ms until every call has exited, started at once. */
  helmAtOnce: (calls: HelmCall[]) => Promise<number>;
  /** Wall ms of the index then the tarball, fetched in this process over a warm connection. */
  s3RoundTrips: () => Promise<number>;
  /**
   * Wall ms of a fresh Node process that makes the same two requests (signed as the SDK signs them)
   * with node:http and nothing else: Node's start-up, its HTTP client's first request and the
   * server's latency, the physical floor of any Node program that reads a chart from S3.
   */
  s3ClientProcess: () => Promise<number>;
  stop: () => void;
}

/** `templates` (file name → text) are written into the example chart before each of the two published versions (1.0.0 deployed, 1.0.1 the candidate). */
export async function prepareDiffBench(helm: string, templates: { before: Record<string, string>; after: Record<string, string> } = { before: {}, after: {} }): Promise<DiffBench> {
  const work = mkdtempSync(join(tmpdir(), 'chartctl-bench-diff-'));
  const app = copyExampleApp();
  const stops: (() => void)[] = [() => app.remove(), () => rmSync(work, { recursive: true, force: true })];
  const stop = () => {
    for (const s of stops.reverse()) s();
  };
  try {
    const { s3, env, chartctl } = await startBenchSandbox(work, stops, helm, app.dir);
    const writeTemplates = (files: Record<string, string>) => {
      for (const [name, text] of Object.entries(files)) writeFileSync(join(app.dir, 'charts', 'shop', 'templates', name), text);
    };
    writeTemplates(templates.before);
    chartctl(['publish', 'staging', '--version', '1.0.0']);
    chartctl(['deploy', 'staging', '--yes', '--no-tests']);
    writeTemplates(templates.after);
    chartctl(['publish', 'staging', '--version', '1.0.1']);
    const result = JSON.parse(chartctl(['diff', 'staging', '--output', 'json']));

    // helm reads the values files and the candidate's tarball itself (#15), and chartctl deletes them once the
    // diff is done: the wrapper copies every file an argument names, so the replay reads the same bytes.
    const log = join(work, 'helm-calls');
    mkdirSync(log, { mode: 0o700 });
    const wrapper = join(work, 'helm-logging.sh');
    writeFileSync(
      wrapper,
      `#!/bin/sh
f="${log}/$(date +%s%N).$$"
i=0
for a in "$@"; do
  case "$a" in /*) if [ -f "$a" ]; then i=$((i + 1)); cp "$a" "$f.file$i"; a="$f.file$i"; fi ;; esac
  printf '%s\\0' "$a" >> "$f.args"
done
case " $* " in *" - "*|*" --values - "*|*" -f - "*) tee "$f.stdin" | exec '${helm}' "$@" ;; *) exec '${helm}' "$@" < /dev/null ;; esac
`,
    );
    chmodSync(wrapper, 0o700);
    chartctl(['diff', 'staging'], { CHARTCTL_HELM: wrapper });
    const calls = readdirSync(log)
      .filter((f) => f.endsWith('.args'))
      .sort()
      .map((f) => {
        const base = join(log, f.slice(0, -'.args'.length));
        const args = readFileSync(`${base}.args`, 'utf8').split('\0').slice(0, -1); // NUL-separated: helm's --template holds newlines
        let input: Buffer | undefined;
        try {
          input = readFileSync(`${base}.stdin`);
        } catch {
          input = undefined;
        }
        return { args, input };
      })
      // The wrapper, a new binary, had its version asked; the real helm's is cached (XDG_CACHE_HOME) since the setup's runs.
      .filter((c) => c.args[0] !== 'version');

    const client = new S3Client({ endpoint: s3.line, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const get = async (key: string) => {
      const res = await client.send(new GetObjectCommand({ Bucket: 'acme-charts', Key: key }));
      return Buffer.from(await res.Body!.transformToByteArray());
    };
    const s3RoundTrips = async () => {
      const start = process.hrtime.bigint();
      await get('staging/index.yaml');
      await get('staging/shop-1.0.1.tgz');
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    await s3RoundTrips();
    const floorClient = join(work, 's3-floor-client.cjs');
    writeFileSync(floorClient, S3_FLOOR_CLIENT);
    const s3ClientProcess = async () => {
      const requests = await Promise.all(['staging/index.yaml', 'staging/shop-1.0.1.tgz'].map((key) => signedGet(s3.line, `/acme-charts/${key}`)));
      return timeAtOnce(process.execPath, [{ args: [floorClient, JSON.stringify(requests)] }], env);
    };
    await s3ClientProcess();
    return { cwd: app.dir, env, diffArgs: [cliPath, 'diff', 'staging', '--quiet'], result, calls, helmAtOnce: (c) => timeAtOnce(helm, c, env), s3RoundTrips, s3ClientProcess, stop };
  } catch (err) {
    stop();
    throw err;
  }
}

/** The floor client: GETs each request in turn over one kept-alive connection, reading every body; fails on anything but 200. */
const S3_FLOOR_CLIENT = `'use strict';
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true });
const get = ({ url, headers }) => new Promise((resolve, reject) => {
  http.get(url, { agent, headers }, (res) => {
    let bytes = 0;
    res.on('data', (chunk) => (bytes += chunk.length));
    res.on('end', () => (res.statusCode === 200 && bytes > 0 ? resolve() : reject(new Error(url + ': HTTP ' + res.statusCode))));
  }).on('error', reject);
});
(async () => {
  for (const request of JSON.parse(process.argv[2])) await get(request);
  agent.destroy();
})().catch((err) => { console.error(err.message); process.exit(1); });
`;

/** node:crypto in the shape the AWS signer wants. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: unknown) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** A GET signed with SigV4 as the SDK signs it (headers, unsigned payload), for the floor client to send as it is. */
async function signedGet(endpoint: string, path: string): Promise<{ url: string; headers: Record<string, string> }> {
  const { hostname, port } = new URL(endpoint);
  const signer = new SignatureV4({ credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, region: 'us-east-1', service: 's3', sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname, port: Number(port), path, query: {}, headers: { host: `${hostname}:${port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
  return { url: `${endpoint}${path}`, headers: signed.headers as Record<string, string> };
}

/** Runs helm calls at once and resolves with the wall time until the last one exits. */
function timeAtOnce(helm: string, calls: HelmCall[], env: NodeJS.ProcessEnv): Promise<number> {
  const start = process.hrtime.bigint();
  return Promise.all(
    calls.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(helm, c.args, { env, stdio: ['pipe', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (d) => (stderr += d));
          child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`helm ${c.args.join(' ')}: ${stderr}`))));
          child.stdin.end(c.input);
        }),
    ),
  ).then(() => Number(process.hrtime.bigint() - start) / 1e6);
}
