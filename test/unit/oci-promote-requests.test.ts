import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promote } from '../../src/actions/promote.js';
import { publishToRegistry } from '../../src/actions/publish-oci.js';
import type { AppRepo } from '../../src/adapters/app-repo.js';
import { MemoryRegistryStore } from '../../src/adapters/memory-oci-registry.js';
import type { OciRegistries } from '../../src/adapters/oci-registry.js';
import type { Environment, OciRepositoryConfig } from '../../src/core/environment.js';
import { parseOciRepository } from '../../src/core/environment-file.js';
import { actorOnlyGit, fakeDeps } from '../support/fake-deps.js';
import { HeldRegistry, RegistryHold } from '../support/held-oci-registry.js';

function environment(name: string, url: string, from?: string): Environment & { repository: OciRepositoryConfig } {
  return { name, file: `environments/${name}.yaml`, chart: 'charts/shop', repository: parseOciRepository({ url }), promotion: { from, allowPrerelease: true, requireApproval: false } } as Environment & { repository: OciRepositoryConfig };
}
const dev = environment('dev', 'oci://registry.test/dev');
const staging = environment('staging', 'oci://registry.test/staging', 'dev');

function setup() {
  const store = new MemoryRegistryStore();
  const hold = new RegistryHold();
  const registries: OciRegistries = { open: (config) => new HeldRegistry(config, store, hold) };
  const actorAskedAfter: string[][] = [];
  const git = actorOnlyGit(() => actorAskedAfter.push([...hold.calls]));
  const envs: Record<string, Environment> = { dev, staging };
  const repo = { root: '/app', loadEnvironment: async (name: string) => envs[name]! } as Pick<AppRepo, 'root' | 'loadEnvironment'> as AppRepo;
  return { hold, deps: fakeDeps({ registries, git, repo }), actorAskedAfter };
}

async function publishVersion(s: ReturnType<typeof setup>, version: string): Promise<void> {
  const bytes = new TextEncoder().encode(`a tarball of shop ${version}`);
  const tarball = { name: 'shop', version, bytes, digest: createHash('sha256').update(bytes).digest('hex'), metadata: { apiVersion: 'v2', name: 'shop', version } };
  await publishToRegistry(s.deps, dev, tarball, false);
}

test('promote --version within one registry reads both tag lists and both manifests at once, asks git once they are sent, reads the source manifest once, then mounts', async () => {
  const s = setup();
  s.hold.answerTagReads();
  await publishVersion(s, '1.0.0');
  s.hold.calls.length = 0;
  s.actorAskedAfter.length = 0;
  s.hold.holdTagReads();
  const promoting = promote(s.deps, { from: 'dev', to: 'staging', version: '1.0.0', chart: 'shop' });
  // Until git is asked (a turn of the event loop after the reads), with every read still unanswered.
  for (let turn = 0; turn < 10 && !s.actorAskedAfter.length; turn++) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(s.hold.calls.slice().sort(), ['manifest dev/shop:1.0.0', 'manifest staging/shop:1.0.0', 'tags dev/shop', 'tags staging/shop'], 'four reads out before any answer');
  assert.deepEqual(s.actorAskedAfter, [s.hold.calls], 'git was asked once the four reads were sent');
  s.hold.answerTagReads();
  const result = await promoting;
  assert.equal(result.kind, 'promoted');

  const after = s.hold.calls.slice(4);
  assert.deepEqual(after.filter((c) => c.startsWith('manifest dev/')), [], 'the source manifest was not read again');
  assert.deepEqual(
    after.map((c) => c.split(' ')[0]),
    ['blob', 'mountBlob', 'mountBlob', 'putManifest', 'manifest'],
    'config verified, blobs mounted (no upload), the manifest written and read back',
  );
});

test('promote without --version picks from the source tags first, then reads the target', async () => {
  const s = setup();
  s.hold.answerTagReads();
  await publishVersion(s, '1.0.0');
  await publishVersion(s, '1.1.0');
  s.hold.calls.length = 0;
  const result = await promote(s.deps, { from: 'dev', to: 'staging', chart: 'shop' });
  assert.equal(result.kind, 'promoted');
  assert.equal(result.kind === 'promoted' && result.version, '1.1.0');
  assert.deepEqual(s.hold.calls.slice(0, 2), ['tags dev/shop', 'manifest dev/shop:1.1.0'], 'the newest version is read once its tag is known');
  assert.equal(s.hold.calls.filter((c) => c === 'manifest dev/shop:1.1.0').length, 1, 'and not again');
});
