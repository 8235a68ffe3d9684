// The committed WebAssembly (src/core/raw-deflate-wasm.ts) must be what its source builds to: checked
// wherever the clang that built it is installed (Debian: apt-get install clang lld).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../support/project.js';

const header = readFileSync(join(projectRoot, 'src', 'core', 'raw-deflate-wasm.ts'), 'utf8').split('\n')[0]!;
const builtWith = /with (.+)\. Do not edit\.$/.exec(header)?.[1];
const clang = spawnSync('clang', ['--version'], { encoding: 'utf8' });
const installed = clang.status === 0 ? clang.stdout.split('\n')[0] : undefined;
const wasmLd = spawnSync('wasm-ld', ['--version'], { encoding: 'utf8' }).status === 0;
const skip = !installed || !wasmLd
  ? `clang and wasm-ld are not installed (apt-get install clang lld): the committed WebAssembly is not rebuilt`
  : installed !== builtWith
    ? `${installed} is installed, the committed WebAssembly was built with ${builtWith}: another compiler writes other bytes`
    : false;

test('src/core/raw-deflate-wasm.ts is what scripts/build-raw-deflate-wasm.mjs builds from wasm/', { skip }, () => {
  assert.ok(builtWith, `the generated file names its compiler: ${header}`);
  const check = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'build-raw-deflate-wasm.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr + check.stdout);
});
