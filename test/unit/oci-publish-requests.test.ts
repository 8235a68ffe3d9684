import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { publishToRegistry } from '../../src/actions/publish-oci.js';
import type { AppRepo } from '../../src/adapters/app-repo.js';
import { MemoryRegistryStore } from '../../src/adapters/memory-oci-registry.js';
import type { OciRegistries } from '../../src/adapters/oci-registry.js';
import type { Environment, OciRepositoryConfig } from '../../src/core/environment.js';
import { parseOciRepository } from '../../src/core/environment-file.js';
import { actorOnlyGit, fakeDeps } from '../support/fake-deps.js';
import { HeldRegistry } from '../support/held-oci-registry.js';

const repository = parseOciRepository({ url: 'oci://registry.test/charts' });
const env = { name: 'dev', repository } as Environment & { repository: OciRepositoryConfig };

function chart(version: string, content: string) {
  const bytes = new TextEncoder().encode(`a tarball of shop ${version}: ${content}`);
  return { name: 'shop', version, bytes, digest: createHash('sha256').update(bytes).digest('hex'), metadata: { apiVersion: 'v2', name: 'shop', version } };
}

function setup() {
  const store = new MemoryRegistryStore();
  const registry = new HeldRegistry(repository, store);
  const registries: OciRegistries = { open: () => registry };
  const actorAskedAfter: string[][] = [];
  const git = actorOnlyGit(() => actorAskedAfter.push([...registry.calls]));
  const deps = fakeDeps({ registries, git, repo: { root: '/app' } as Pick<AppRepo, 'root'> as AppRepo });
  return { registry, store, deps, actorAskedAfter };
}

test('publish sends the tag check and both blob HEADs before any answer, asks git once they are sent, and writes only after the tag check', async () => {
  const { registry, deps, actorAskedAfter } = setup();
  const tarball = chart('1.0.0', 'first');
  const publishing = publishToRegistry(deps, env, tarball, false);
  // Let everything that does not wait on the registry's tag answer run.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(registry.calls.map((c) => c.split(' ')[0]), ['manifest', 'hasBlob', 'hasBlob'], 'the reads go out together, nothing written yet');
  assert.deepEqual(actorAskedAfter, [registry.calls.slice(0, 3)], 'git was asked after the three reads were sent, not before');
  registry.answerTagReads();
  const result = await publishing;
  assert.equal(result.outcome, 'published');
  const writes = registry.calls.slice(3).map((c) => c.split(' ')[0]);
  assert.deepEqual(writes, ['uploadBlob', 'uploadBlob', 'putManifest', 'manifest'], 'uploads (no second HEAD), the manifest, then the tag read back');
});

test('publishing the same bytes again HEADs the blobs but writes nothing; other bytes under the tag are refused with nothing written', async () => {
  const { registry, store, deps } = setup();
  registry.answerTagReads();
  const tarball = chart('1.0.0', 'first');
  await publishToRegistry(deps, env, tarball, false);
  const uploads = store.log.length;
  const tagged = store.tagsOf.get('charts/shop')?.get('1.0.0');
  registry.calls.length = 0;
  assert.equal((await publishToRegistry(deps, env, tarball, false)).outcome, 'unchanged');
  assert.deepEqual(registry.calls.map((c) => c.split(' ')[0]), ['manifest', 'hasBlob', 'hasBlob']);
  registry.calls.length = 0;
  await assert.rejects(publishToRegistry(deps, env, chart('1.0.0', 'other bytes'), false), /already published to dev with different content/);
  assert.deepEqual(registry.calls.map((c) => c.split(' ')[0]), ['manifest', 'hasBlob', 'hasBlob'], 'only reads');
  assert.equal(store.log.length, uploads, 'no blob uploaded');
  assert.equal(store.tagsOf.get('charts/shop')?.get('1.0.0'), tagged, 'the tag still names the first manifest');
});
