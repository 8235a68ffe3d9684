import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A username/secret for one registry, and where it came from (named in errors; the secret never is). */
export interface RegistryCredential {
  username: string;
  secret: string;
  /** e.g. `helm registry config (~/.config/helm/registry/config.json)`. */
  source: string;
}

export interface CredentialLookup {
  credential?: RegistryCredential;
  /** Every place that was looked at, in order, for the message of a 401/403. */
  tried: string[];
  /** What to do when the registry refuses, when the source knows better than "helm registry login". */
  hint?: string;
}

interface DockerStyleConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The config files helm and docker read, in the order helm prefers them. */
export function credentialFiles(env: NodeJS.ProcessEnv): { file: string; label: string }[] {
  const home = env.HOME || homedir();
  const helmConfig = env.HELM_REGISTRY_CONFIG || join(env.XDG_CONFIG_HOME || join(home, '.config'), 'helm', 'registry', 'config.json');
  const dockerConfig = join(env.DOCKER_CONFIG || join(home, '.docker'), 'config.json');
  return [
    { file: helmConfig, label: `helm registry config (${helmConfig})` },
    { file: dockerConfig, label: `docker config (${dockerConfig})` },
  ];
}

/** The keys a config may use for a registry: `host`, `https://host`, `http://host`, with or without `/v1/` or `/v2/`. */
function entryFor<T>(map: Record<string, T> | undefined, registry: string): T | undefined {
  if (!map) return undefined;
  for (const [key, value] of Object.entries(map)) {
    const host = key.replace(/^https?:\/\//, '').replace(/\/(v1|v2)\/?$/, '').replace(/\/+$/, '').toLowerCase();
    if (host === registry) return value;
  }
  return undefined;
}

async function readConfig(file: string): Promise<DockerStyleConfig | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DockerStyleConfig;
  } catch {
    return undefined;
  }
}

/** `docker-credential-<helper> get`: the protocol docker and helm (via oras) use; absent helpers are skipped. */
function fromHelper(helper: string, registry: string, env: NodeJS.ProcessEnv): Promise<{ username: string; secret: string } | undefined> {
  return new Promise((resolve) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { env, timeout: 30_000, maxBuffer: 1024 * 1024 }, (error, stdout) => {
      if (error) return resolve(undefined);
      try {
        const parsed = JSON.parse(stdout) as { Username?: string; Secret?: string };
        resolve(parsed.Secret ? { username: parsed.Username ?? '', secret: parsed.Secret } : undefined);
      } catch {
        resolve(undefined);
      }
    });
    child.stdin?.end(registry);
  });
}

/**
 * Finds the credential for `registry` the way a user already set it up:
 * `helm registry login` (helm's config), then `docker login` (docker's
 * config: inline auths, a credHelpers entry, the credsStore).
 */
export async function lookUpCredential(registry: string, env: NodeJS.ProcessEnv): Promise<CredentialLookup> {
  const tried: string[] = [];
  for (const { file, label } of credentialFiles(env)) {
    const config = await readConfig(file);
    tried.push(label);
    if (!config) continue;
    const inline = entryFor(config.auths, registry);
    if (inline?.auth) {
      const decoded = Buffer.from(inline.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { credential: { username: decoded.slice(0, colon), secret: decoded.slice(colon + 1), source: label }, tried };
    }
    if (inline?.username && inline.password) return { credential: { username: inline.username, secret: inline.password, source: label }, tried };
    if (inline?.identitytoken) return { credential: { username: '<token>', secret: inline.identitytoken, source: label }, tried };
    const helper = entryFor(config.credHelpers, registry) ?? config.credsStore;
    if (helper && /^[A-Za-z0-9_.-]+$/.test(helper)) {
      const source = `docker-credential-${helper} (named in ${label})`;
      tried.push(source);
      const got = await fromHelper(helper, registry, env);
      if (got) return { credential: { ...got, source }, tried };
    }
  }
  return { tried };
}
