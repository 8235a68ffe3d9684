/**
 * The physical floor of bench:oci's figures: a minimal Node client that makes exactly the
 * requests chartctl must make, over node:http with one keep-alive agent, each phase's
 * independent requests at once. Run as its own process (`node dist/bench/oci-floor.js ...`),
 * so what it costs is Node's start-up plus the registry's own latency, and nothing else:
 * no CLI, no environment file, no credentials lookup, no git.
 *
 *   publish <host> <repository> <tag> <tarball> <config.json>
 *     [GET the tag (must be absent) | HEAD config | HEAD chart] → POST+PUT each missing blob
 *     (distribution 2.8 opens a session on POST even with ?digest=) → PUT the manifest
 *     (its Docker-Content-Digest checked) → GET the tag back (its sha256 checked).
 *   mount <host> <from> <to> <tag>
 *     [GET both tag lists | GET the source manifest (sha256 checked)] → GET the config blob
 *     (sha256 checked) → POST ?mount= each blob (201) → PUT the manifest with promotion
 *     annotations → GET the tag back (its sha256 checked).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true });
const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function call(host: string, method: string, path: string, headers: Record<string, string> = {}, body?: Uint8Array): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: host.split(':')[0], port: host.split(':')[1], method, path, agent, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function expect(answer: Answer, status: number, what: string): Answer {
  if (answer.status !== status) throw new Error(`${what}: HTTP ${answer.status} ${answer.body.toString().slice(0, 200)}`);
  return answer;
}

async function readTag(host: string, repository: string, tag: string, digest?: string): Promise<Buffer> {
  const got = expect(await call(host, 'GET', `/v2/${repository}/manifests/${tag}`, { accept: MANIFEST }), 200, 'GET manifest');
  const actual = sha256(got.body);
  if (actual !== (digest ?? got.headers['docker-content-digest'])) throw new Error(`manifest ${repository}:${tag} hashes to ${actual}`);
  return got.body;
}

async function putManifest(host: string, repository: string, tag: string, manifest: Buffer): Promise<void> {
  const put = expect(await call(host, 'PUT', `/v2/${repository}/manifests/${tag}`, { 'content-type': MANIFEST }, manifest), 201, 'PUT manifest');
  if (put.headers['docker-content-digest'] !== sha256(manifest)) throw new Error('the registry stored another manifest');
  await readTag(host, repository, tag, sha256(manifest));
}

async function publish(host: string, repository: string, tag: string, tarballFile: string, configFile: string): Promise<void> {
  const blobs = [readFileSync(configFile), readFileSync(tarballFile)].map((bytes) => ({ bytes, digest: sha256(bytes) }));
  const [current, ...present] = await Promise.all([
    call(host, 'GET', `/v2/${repository}/manifests/${tag}`, { accept: MANIFEST }),
    ...blobs.map((b) => call(host, 'HEAD', `/v2/${repository}/blobs/${b.digest}`)),
  ]);
  if (current!.status !== 404) throw new Error(`${repository}:${tag} exists already`);
  await Promise.all(
    blobs.map(async (b, i) => {
      if (present[i]!.status === 200) return;
      const started = expect(await call(host, 'POST', `/v2/${repository}/blobs/uploads/`), 202, 'POST upload');
      const location = new URL(String(started.headers.location), `http://${host}`);
      location.searchParams.set('digest', b.digest);
      expect(await call(host, 'PUT', `${location.pathname}${location.search}`, { 'content-type': 'application/octet-stream' }, b.bytes), 201, 'PUT blob');
    }),
  );
  const [config, chart] = blobs;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: config!.digest, size: config!.bytes.length },
      layers: [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', digest: chart!.digest, size: chart!.bytes.length }],
      annotations: { 'org.opencontainers.image.created': new Date().toISOString(), 'org.opencontainers.image.title': 'shop', 'org.opencontainers.image.version': tag },
    }),
  );
  await putManifest(host, repository, tag, manifest);
}

async function mount(host: string, from: string, to: string, tag: string): Promise<void> {
  const [, , source] = await Promise.all([
    call(host, 'GET', `/v2/${from}/tags/list?n=1000`),
    call(host, 'GET', `/v2/${to}/tags/list?n=1000`),
    readTag(host, from, tag),
  ]);
  const manifest = JSON.parse(source.toString()) as { config: { digest: string; size: number }; layers: { digest: string }[]; annotations?: Record<string, string> };
  const config = expect(await call(host, 'GET', `/v2/${from}/blobs/${manifest.config.digest}`), 200, 'GET config');
  if (sha256(config.body) !== manifest.config.digest || config.body.length !== manifest.config.size) throw new Error('config blob does not match');
  const { version } = JSON.parse(config.body.toString()) as { version: string };
  if (version.replaceAll('+', '_') !== tag) throw new Error(`config says version ${version}`);
  await Promise.all(
    [manifest.config, ...manifest.layers].map(async (b) =>
      expect(await call(host, 'POST', `/v2/${to}/blobs/uploads/?mount=${encodeURIComponent(b.digest)}&from=${encodeURIComponent(from)}`), 201, 'mount'),
    ),
  );
  manifest.annotations = { ...manifest.annotations, 'chartctl.io/promoted-from': from, 'chartctl.io/promoted-at': new Date().toISOString(), 'chartctl.io/source-manifest-digest': sha256(source) };
  await putManifest(host, to, tag, Buffer.from(JSON.stringify(manifest)));
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'publish') await publish(args[0]!, args[1]!, args[2]!, args[3]!, args[4]!);
else if (mode === 'mount') await mount(args[0]!, args[1]!, args[2]!, args[3]!);
else throw new Error(`usage: oci-floor.js publish|mount ...`);
