import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The CNCF distribution registry as Debian packages it (`apt-get install docker-registry`). */
export const REGISTRY_BINARY = process.env.CHARTCTL_TEST_REGISTRY ?? '/usr/bin/docker-registry';
export const hasRegistry = existsSync(REGISTRY_BINARY);
export const REGISTRY_SKIP_REASON = `the CNCF distribution registry is not installed (${REGISTRY_BINARY}); install it with "apt-get install docker-registry" (see docs/oci.md)`;

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  dir: string;
  /** Requests the registry served so far, one access-log line each (`"POST /v2/... HTTP/1.1" 201`). */
  requests(): string[];
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a real registry on loopback with its storage in a temp dir; `auth` adds distribution's token auth,
 * `htpasswd` its Basic auth (lines `user:bcrypt-hash`, as `htpasswd -B` writes them), `tls` HTTPS with that certificate.
 */
export async function startTestRegistry(options: { auth?: { realm: string; service: string; issuer: string; certFile: string }; htpasswd?: string; tls?: { certFile: string; keyFile: string } } = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-registry-'));
  const log = join(dir, 'registry.log');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    if (options.htpasswd) writeFileSync(join(dir, 'htpasswd'), options.htpasswd);
    const auth = options.auth
      ? `auth:\n  token:\n    realm: ${options.auth.realm}\n    service: ${options.auth.service}\n    issuer: ${options.auth.issuer}\n    rootcertbundle: ${options.auth.certFile}\n`
      : options.htpasswd
        ? `auth:\n  htpasswd:\n    realm: chartctl-test\n    path: ${join(dir, 'htpasswd')}\n`
        : '';
    writeFileSync(
      join(dir, 'config.yml'),
      `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'storage')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${options.tls ? `  tls:\n    certificate: ${options.tls.certFile}\n    key: ${options.tls.keyFile}\n` : ''}${auth}`,
    );
    const out = openSync(log, 'a');
    const child: ChildProcess = spawn(REGISTRY_BINARY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', out, out] });
    const up = await waitUntilServing(port, child, Boolean(options.tls));
    if (up) {
      return {
        host: `127.0.0.1:${port}`,
        dir,
        requests: () => readFileSync(log, 'utf8').split('\n').filter((l) => /"(GET|HEAD|POST|PUT|PATCH|DELETE) /.test(l)),
        close: async () => {
          child.kill('SIGTERM');
          await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    child.kill('SIGKILL');
    if (attempt >= 3) throw new Error(`docker-registry did not start: ${readFileSync(log, 'utf8').slice(-2000)}`);
  }
}


/** Polls `/v2/` until the registry answers (it has no readiness signal); gives up if the process exits. */
async function waitUntilServing(port: number, child: ChildProcess, tls: boolean): Promise<boolean> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    try {
      const status = tls ? await httpsStatusUnverified(`https://127.0.0.1:${port}/v2/`) : (await fetch(`http://127.0.0.1:${port}/v2/`)).status;
      if (status === 200 || status === 401) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** The status of a GET to a test registry whose certificate is its own (fetch cannot skip verification). */
function httpsStatusUnverified(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https.get(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}
