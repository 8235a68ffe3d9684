import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../support/project.js';

const bundle = join(projectRoot, 'dist', 'bundle');

// Every repository command reads, compiles and evaluates the SDK chunk: a whole-module import of
// @aws-sdk/client-s3 anywhere (instead of src/adapters/s3-sdk.ts) brings back all ~100 commands.
test('the CLI bundle carries only the S3 commands chartctl sends', (t) => {
  if (!existsSync(join(bundle, 'main.cjs'))) return t.skip('dist/bundle is absent: run npm run build');
  const chunks = readdirSync(bundle).filter((f) => f.endsWith('.cjs')).map((f) => readFileSync(join(bundle, f), 'latin1'));
  const sdk = chunks.filter((text) => text.includes('GetObjectCommand'));
  assert.ok(sdk.length > 0, 'the bundle holds the S3 client');
  for (const unused of ['PutBucketPolicyCommand', 'CreateMultipartUploadCommand', 'SelectObjectContentCommand']) {
    assert.ok(!chunks.some((text) => text.includes(unused)), `${unused} is not in the bundle`);
  }
});
