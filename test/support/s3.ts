import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startS3Server, S3_SERVER_CREDENTIALS, type S3Faults } from '../../src/sandbox/s3-server.js';
import { S3ChartRepository, s3Settings } from '../../src/adapters/s3-chart-repository.js';
import { parseRepository } from '../../src/core/environment-file.js';
import type { ChartRepository } from '../../src/adapters/chart-repository.js';

/**
 * The S3 endpoint integration tests run against: by default a local server
 * (s3rver + the conditional-write front) started by the test file itself;
 * or any real endpoint named by environment variables:
 *
 *   CHARTCTL_TEST_S3_ENDPOINT   e.g. http://127.0.0.1:9000 (MinIO)
 *   CHARTCTL_TEST_S3_BUCKET     an existing bucket the tests may write to (default acme-charts)
 *   CHARTCTL_TEST_S3_REGION     default us-east-1
 *   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or a profile) for that endpoint
 *
 * Every test works under its own random prefix, so runs never see each other.
 * Fault-injection tests need the local front and skip visibly on a real endpoint.
 */
export interface TestS3 {
  endpoint: string;
  bucket: string;
  region: string;
  /** Environment for chartctl subprocesses (endpoint, credentials, private cache dir). */
  env: Record<string, string>;
  setFaults?: (faults: S3Faults) => void;
  local: boolean;
  close(): Promise<void>;
}

export const EXTERNAL_S3 = process.env.CHARTCTL_TEST_S3_ENDPOINT;
/** helm's own reads (repo add, pull) are anonymous HTTP: only the local server serves a bucket that way. */
export const HELM_HTTP_SKIP_REASON = 'helm reads a chart repository anonymously over HTTP, which only the local test S3 server serves (CHARTCTL_TEST_S3_ENDPOINT points at a real endpoint)';
export const FAULTS_SKIP_REASON = 'fault injection needs the local test S3 server (CHARTCTL_TEST_S3_ENDPOINT points at a real endpoint)';

export async function startTestS3(): Promise<TestS3> {
  // The in-process adapter (testRepository) uses the AWS SDK too; Node 20 is supported here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const cache = mkdtempSync(join(tmpdir(), 'chartctl-s3-cache-'));
  const common = { XDG_CACHE_HOME: cache, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', CHARTCTL_ACTOR: 'test-runner' };
  if (EXTERNAL_S3) {
    const bucket = process.env.CHARTCTL_TEST_S3_BUCKET ?? 'acme-charts';
    const region = process.env.CHARTCTL_TEST_S3_REGION ?? 'us-east-1';
    return {
      endpoint: EXTERNAL_S3,
      bucket,
      region,
      local: false,
      env: { ...common, AWS_ENDPOINT_URL: EXTERNAL_S3, AWS_REGION: region },
      close: async () => rmSync(cache, { recursive: true, force: true }),
    };
  }
  const directory = mkdtempSync(join(tmpdir(), 'chartctl-s3-'));
  const server = await startS3Server({ directory, buckets: ['acme-charts'] });
  return {
    endpoint: server.endpoint,
    bucket: 'acme-charts',
    region: 'us-east-1',
    local: true,
    setFaults: (f) => server.setFaults(f),
    env: {
      ...common,
      AWS_ENDPOINT_URL: server.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3_SERVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3_SERVER_CREDENTIALS.secretAccessKey,
    },
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    },
  };
}

/** Points every environment of an application copy at `s3://<bucket>/<unique>/<env>`; returns the prefix root. */
export function isolateRepositories(appDir: string, s3: TestS3): string {
  const root = `t-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const dir = join(appDir, 'environments');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const path = join(dir, file);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/url: s3:\/\/acme-charts\/([a-z0-9-]+)/, `url: s3://${s3.bucket}/${root}/$1`));
  }
  return root;
}

/** The real adapter, for tests that inspect or damage a repository directly. */
export function testRepository(s3: TestS3, root: string, env: string): ChartRepository {
  const config = parseRepository({ url: `s3://${s3.bucket}/${root}/${env}` });
  const settings = s3Settings(config, { ...process.env, ...s3.env });
  const keys = s3.env.AWS_ACCESS_KEY_ID ? { accessKeyId: s3.env.AWS_ACCESS_KEY_ID, secretAccessKey: s3.env.AWS_SECRET_ACCESS_KEY! } : undefined;
  return new S3ChartRepository(config, { ...settings, credentials: keys }, env);
}
