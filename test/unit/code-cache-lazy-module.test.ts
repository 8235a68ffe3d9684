/**
 * bin/code-cache.js hands the bundle's chunks a stand-in for Node's costlier modules (crypto,
 * child_process, ...) that loads the module on first use: to the chunk it must be the module,
 * including under the reflection esbuild's __toESM does (copying every property).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { projectRoot } from '../support/project.js';

const require = createRequire(import.meta.url);
const { lazyModule, LAZY_BUILTINS } = require(join(projectRoot, 'bin', 'code-cache.js')) as { lazyModule: <T extends object>(load: () => T) => T; LAZY_BUILTINS: Set<string> };

function counted<T extends object>(module: T): { standIn: T; loads: () => number } {
  let loads = 0;
  return { standIn: lazyModule(() => (loads++, module)), loads: () => loads };
}

test('the module is loaded on first use of one of its exports, once', () => {
  const { standIn, loads } = counted(path);
  assert.equal(loads(), 0);
  assert.equal(standIn.join('a', 'b'), 'a/b');
  assert.equal(standIn.sep, '/');
  assert.equal(standIn.join, path.join);
  assert.equal(loads(), 1);
});

test("reflection sees the module's own properties: keys, descriptors, `in`, a spread copy, its prototype", () => {
  const { standIn, loads } = counted(path);
  assert.deepEqual(Object.keys(standIn), Object.keys(path));
  assert.equal(loads(), 1);
  assert.equal({ ...standIn }.relative, path.relative);
  assert.ok('resolve' in standIn);
  assert.equal('noSuchExport' in standIn, false);
  assert.equal(Object.getOwnPropertyDescriptor(standIn, 'basename')?.value, path.basename);
  assert.equal(Object.getPrototypeOf(standIn), Object.getPrototypeOf(path));
  assert.equal(loads(), 1);
});

test('reflection first (esbuild\'s __toESM) also loads it once, and an assignment reaches the module', () => {
  const module: Record<string, unknown> = { parse: () => 'parsed' };
  const { standIn, loads } = counted(module);
  const copy = Object.fromEntries(Object.keys(standIn).map((k) => [k, (standIn as Record<string, unknown>)[k]]));
  assert.equal((copy.parse as () => string)(), 'parsed');
  standIn.patched = true;
  assert.equal(module.patched, true);
  assert.equal(standIn.patched, true);
  assert.equal(loads(), 1);
});

test('every module given a stand-in is a plain object: a stand-in cannot be called or extended as node:stream can', () => {
  assert.ok(LAZY_BUILTINS.has('node:crypto'));
  for (const id of LAZY_BUILTINS) assert.equal(typeof require(id), 'object', id);
  assert.equal(typeof require('node:stream'), 'function', 'the example is out of date');
});
