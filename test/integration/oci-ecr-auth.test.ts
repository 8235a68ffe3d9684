import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishToRegistry } from '../../src/actions/publish-oci.js';
import { AwsEcrTokens } from '../../src/adapters/ecr-credentials.js';
import { HttpOciRegistries } from '../../src/adapters/oci-registry-client.js';
import type { CredentialLookup } from '../../src/adapters/oci-credentials.js';
import type { Environment, OciRepositoryConfig } from '../../src/core/environment.js';
import { parseOciRepository } from '../../src/core/environment-file.js';
import { ChartctlError } from '../../src/core/errors.js';
import { startEcrStub, type EcrStub } from '../support/ecr-stub.js';
import { fakeDeps } from '../support/fake-deps.js';
import { hasRegistry, REGISTRY_SKIP_REASON, startTestRegistry, type TestRegistry } from '../support/oci-registry.js';

const skip = hasRegistry ? false : REGISTRY_SKIP_REASON;
const PASSWORD = 'ecr-Pa55word-from-GetAuthorizationToken';
/** bcrypt of PASSWORD (cost 5), as `htpasswd -B` would write it for user AWS. */
const HTPASSWD = 'AWS:$2b$05$abcdefghijklmnopqrstuuhKEfjIXKYKsHy0BZjgrwECom2HAjPOa\n';
const ECR = { account: '123456789012', region: 'eu-west-1' };
const ACCESS_KEY_ID = 'AKIAECRSTUBTESTKEY01';

let stub: EcrStub;
let registry: TestRegistry;
let home: string;

before(async () => {
  if (skip) return;
  stub = await startEcrStub(PASSWORD);
  registry = await startTestRegistry({ htpasswd: HTPASSWD });
  home = mkdtempSync(join(tmpdir(), 'chartctl-oci-ecr-'));
  // The AWS SDK reads the chain and the endpoint override from process.env, as it does in chartctl.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: 'stub-secret-key',
    AWS_ENDPOINT_URL_ECR: stub.url,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
  });
  delete process.env.AWS_PROFILE;
});
after(async () => {
  await registry?.close();
  await stub?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

/**
 * A loopback registry cannot have an ECR host name, so the test maps it to an ECR
 * account/region through the registry client's credential fallback (main maps real
 * ECR host names with ecrCredentialFallback).
 */
function setUp(tokens: AwsEcrTokens, userHome = home) {
  const verbose: string[] = [];
  const fallbackCredential = async (host: string): Promise<CredentialLookup> => (host === registry.host ? tokens.credentialFor(host, ECR) : { tried: [] });
  const registries = new HttpOciRegistries({ env: { HOME: userHome }, verbose: (m) => verbose.push(m), fallbackCredential });
  const deps = fakeDeps({ registries, env: { CHARTCTL_ACTOR: 'ci' } });
  const repository: OciRepositoryConfig = parseOciRepository({ url: `oci://${registry.host}/charts`, plainHttp: true });
  // publishToRegistry reads only the name and repository of the environment.
  const env = { name: 'prod', repository } as Environment & { repository: OciRepositoryConfig };
  return { deps, env, verbose };
}

function tarball(version: string) {
  const bytes = new TextEncoder().encode(`not a real chart, only bytes for the registry ${version}`);
  return { name: 'shop', version, bytes, digest: createHash('sha256').update(bytes).digest('hex'), metadata: { apiVersion: 'v2', name: 'shop', version } };
}

test('no helm/docker login: a token from ECR GetAuthorizationToken is used as Basic AWS:<password>, once per process, never shown', { skip }, async () => {
  const now = new Date();
  const tokenLog: string[] = [];
  const tokens = new AwsEcrTokens({ env: process.env, now: () => now, verbose: (m) => tokenLog.push(m) });
  const first = setUp(tokens);
  stub.requests.length = 0;
  const published = await publishToRegistry(first.deps, first.env, tarball('1.0.0'), false);
  assert.equal(published.outcome, 'published');
  assert.deepEqual(
    stub.requests.map((r) => ({ ...r })),
    [{ target: 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken', accessKeyId: ACCESS_KEY_ID, region: 'eu-west-1' }],
    'one token, signed with the chain\'s key for the registry\'s region',
  );
  // Another environment on the same registry in the same process reuses the token.
  const second = setUp(tokens);
  assert.equal((await publishToRegistry(second.deps, second.env, tarball('1.0.1'), false)).outcome, 'published');
  assert.equal(stub.requests.length, 1, 'the cached token is reused until it expires');
  const logged = [...tokenLog, ...first.verbose, ...second.verbose, ...first.deps.reporter.lines].join('\n');
  assert.match(logged, /PUT 127\.0\.0\.1:\d+\/v2\/charts\/shop\/manifests\/1\.0\.0 → 201/);
  assert.match(logged, /token from Amazon ECR GetAuthorizationToken \(AWS credential chain, region eu-west-1\), expires \d{4}-/);
  assert.ok(!logged.includes(PASSWORD) && !logged.includes(Buffer.from(`AWS:${PASSWORD}`).toString('base64')), 'neither the password nor the token is logged');
});

test('an expired token is fetched again; the registry refuses a wrong password (Basic is really checked)', { skip }, async () => {
  let now = new Date();
  const tokens = new AwsEcrTokens({ env: process.env, now: () => now });
  stub.expiresAt = new Date(now.getTime() + 3600_000);
  stub.requests.length = 0;
  const fresh = setUp(tokens);
  assert.equal((await publishToRegistry(fresh.deps, fresh.env, tarball('2.0.0'), false)).outcome, 'published');
  now = new Date(now.getTime() + 2 * 3600_000);
  stub.password = 'a-password-the-registry-does-not-know';
  try {
    const { deps, env } = setUp(tokens);
    await assert.rejects(publishToRegistry(deps, env, tarball('2.0.1'), false), (err: unknown) => {
      assert.ok(err instanceof ChartctlError);
      assert.equal(err.code, 'OCI_UNAUTHORIZED');
      assert.match(err.message, /chartctl used the credential from Amazon ECR GetAuthorizationToken \(AWS credential chain, region eu-west-1\)/);
      assert.ok(!err.message.includes(stub.password) && !(err.hint ?? '').includes(stub.password));
      return true;
    });
  } finally {
    stub.password = PASSWORD;
  }
  assert.equal(stub.requests.length, 2, 'the expired token was replaced by a new one');
});

test('ECR denies the token: the 401 names every source tried and the AWS error, with an ECR hint', { skip }, async () => {
  stub.mode = 'deny';
  try {
    const { deps, env, verbose } = setUp(new AwsEcrTokens({ env: process.env, now: () => new Date() }));
    await assert.rejects(publishToRegistry(deps, env, tarball('3.0.0'), false), (err: unknown) => {
      assert.ok(err instanceof ChartctlError);
      assert.equal(err.code, 'OCI_UNAUTHORIZED');
      assert.match(err.message, /no credential \(looked in: helm registry config \([^)]*\); docker config \([^)]*\); Amazon ECR GetAuthorizationToken \(AWS credential chain, region eu-west-1\): failed \(AccessDeniedException: [^)]*ecr:GetAuthorizationToken/);
      assert.match(err.hint ?? '', /ecr:GetAuthorizationToken.*aws ecr get-login-password \| helm registry login --username AWS --password-stdin 127\.0\.0\.1:\d+/);
      return true;
    });
    assert.ok(verbose.length > 0);
  } finally {
    stub.mode = 'allow';
  }
});

test('an explicit helm registry login for the host comes first: ECR is not asked', { skip }, async () => {
  const userHome = mkdtempSync(join(tmpdir(), 'chartctl-oci-ecr-login-'));
  try {
    const config = join(userHome, '.config', 'helm', 'registry');
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`AWS:${PASSWORD}`).toString('base64') } } }));
    stub.requests.length = 0;
    const { deps, env } = setUp(new AwsEcrTokens({ env: process.env, now: () => new Date() }), userHome);
    assert.equal((await publishToRegistry(deps, env, tarball('4.0.0'), false)).outcome, 'published');
    assert.equal(stub.requests.length, 0, 'GetAuthorizationToken was not called');
  } finally {
    rmSync(userHome, { recursive: true, force: true });
  }
});
