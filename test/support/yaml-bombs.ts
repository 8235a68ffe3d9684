import assert from 'node:assert/strict';
import { isChartctlError } from '../../src/core/errors.js';

/** `levels` anchors, each a list of ten aliases of the one before: 10^levels strings from a few hundred bytes. */
export function billionLaughs(levels: number, indent = ''): string {
  const lines = [`${indent}a0: &a0 "lol"`];
  for (let i = 1; i <= levels; i++) lines.push(`${indent}a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

/** Each level merges the one before and adds it once more as a value: the expansion doubles per level. */
export function mergeKeyBomb(levels: number): string {
  const lines = ['m0: &m0 {k: v}'];
  for (let i = 1; i <= levels; i++) lines.push(`m${i}: &m${i} {<<: *m${i - 1}, x${i}: *m${i - 1}}`);
  return `${lines.join('\n')}\n`;
}

/** For assert.throws: a YAML_ALIAS_LIMIT refusal whose message starts with `file:line:col`. */
export function assertAliasLimit(err: unknown, file: string): true {
  assert.ok(isChartctlError(err), `expected a ChartctlError, got ${String(err)}`);
  assert.equal(err.code, 'YAML_ALIAS_LIMIT');
  assert.ok(err.message.startsWith(`${file}:`), err.message);
  assert.match(err.message.slice(file.length), /^:\d+:\d+: refused: /);
  assert.ok(err.hint);
  return true;
}
