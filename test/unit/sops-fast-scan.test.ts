import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newDataKey } from '../../src/core/sops/data-key.js';
import { WRITTEN_SOPS_VERSION, withDefaultRule } from '../../src/core/sops/metadata.js';
import { parsePlainText, sealSopsText } from '../../src/core/sops/sops-file.js';
import type { EncryptionRules, MapNode, TreeNode } from '../../src/core/sops/types.js';
import { isComment } from '../../src/core/sops/types.js';
import { scanEncryptedYaml } from '../../src/core/sops/yaml-fast-scan.js';
import { parseYamlSops } from '../../src/core/sops/yaml-format.js';

function encrypt(plain: string, rules: EncryptionRules = {}): string {
  return sealSopsText(
    parsePlainText(plain, 'yaml', 'f').branches,
    'yaml',
    { keyGroups: [[{ type: 'age', recipient: 'age1test', enc: '-----BEGIN AGE ENCRYPTED FILE-----\nYWJj\n-----END AGE ENCRYPTED FILE-----\n' }]], version: WRITTEN_SOPS_VERSION, rules: withDefaultRule(rules) },
    newDataKey(),
    new Date(),
    'f',
  );
}

function withoutComments(node: TreeNode): TreeNode {
  if (node.kind === 'map') return { ...node, pos: undefined, items: node.items.filter((i) => !isComment(i)).map((i) => ({ ...i, value: withoutComments((i as { value: TreeNode }).value) })) } as MapNode;
  if (node.kind === 'seq') return { ...node, pos: undefined, items: node.items.filter((i) => !isComment(i)).map((i) => withoutComments(i as TreeNode)) };
  return node.kind === 'null' ? { kind: 'null' } : node;
}

const accepted = [
  'password: p\n',
  '# comment\ndb:\n    user: u\n    # inner\n    password: p\n    nested:\n        deeper: d\nother: o\n',
  'list:\n    - a\n    - b\nafter: x\n',
  'a:\n    b:\n        c: 1\n        d: true\n    e: 2.5\nf: last\n',
  'snake_case.dotted-key/slash: v\n',
];

test('the fast reader builds the same tree as the YAML parser for the layout sops writes', () => {
  for (const plain of accepted) {
    const text = encrypt(plain);
    const fast = scanEncryptedYaml(text, 'f');
    assert.ok(fast, `fast path taken for ${JSON.stringify(plain)}`);
    const full = parseYamlSops(text, 'f');
    assert.deepEqual(fast.branches.map(withoutComments), full.branches.map(withoutComments), plain);
    assert.deepEqual(fast.metadata, full.metadata);
  }
  // A key without a value (null), as written by hand.
  const bare = encrypt('bare: null\nnext: v\n').replace('bare: null', 'bare:');
  assert.deepEqual(scanEncryptedYaml(bare, 'f')!.branches.map(withoutComments), parseYamlSops(bare, 'f').branches.map(withoutComments));
  // Sequences written at the parent's indentation (valid YAML, common by hand) read the same too.
  const compact = encrypt('list:\n    - a\nx: y\n').replace(/\n {4}- /, '\n- ');
  assert.deepEqual(scanEncryptedYaml(compact, 'f')!.branches.map(withoutComments), parseYamlSops(compact, 'f').branches.map(withoutComments));
});

test('anything else falls back to the YAML parser', () => {
  const fallbacks = [
    ['cleartext value', encrypt('a_unencrypted: visible\n')],
    ['empty string', encrypt('a: ""\n')],
    ['null', encrypt('a: null\n')],
    ['list of maps', encrypt('l:\n    - k: v\n')],
    ['quoted key', encrypt('"1": v\n')],
    ['comment regex rule', encrypt('# x\na: v\n', { encryptedCommentRegex: 'x' })],
    ['two documents', encrypt('a: v\n---\nb: w\n')],
    ['trailing comment', encrypt('a: v\n').replace(/^(a: ENC\S+)$/m, '$1 # note')],
    ['duplicate key', encrypt('a: v\n').replace(/^(a: ENC\S+)$/m, '$1\n$1')],
    ['not encrypted', 'a: v\n'],
  ] as const;
  for (const [what, text] of fallbacks) assert.equal(scanEncryptedYaml(text, 'f'), undefined, what);
});

/** The file's `sops:` block replaced by `block` (which starts with `sops:`). */
function withMetadata(text: string, block: string): string {
  return `${text.slice(0, text.indexOf('\nsops:') + 1)}${block}`;
}

test('the sops: block reads the same with the fast reader as with the YAML parser, in every spelling sops or a hand edit gives it', () => {
  const text = encrypt('password: p\n');
  const mac = /^ {4}mac: (\S+)$/m.exec(text)![1]!;
  const enc = (indent: string) => `${indent}enc: |\n${indent}    -----BEGIN AGE ENCRYPTED FILE-----\n${indent}    YWJj\n${indent}    -----END AGE ENCRYPTED FILE-----\n`;
  const blocks = [
    // Two recipients, unquoted time, a shamir threshold and key groups, as sops 3.7 wrote them.
    `sops:\n    shamir_threshold: 2\n    key_groups:\n        - age:\n            - recipient: age1alice\n${enc('              ')}        - pgp:\n            - created_at: 2024-01-01T00:00:00Z\n              enc: x\n              fp: 1234ABCD\n    lastmodified: 2024-01-01T00:00:00Z\n    mac: ${mac}\n    version: 3.7.3\n`,
    `sops:\n    age:\n        - recipient: age1alice\n${enc('          ')}        - recipient: age1bob\n${enc('          ')}    lastmodified: '2024-01-01T00:00:00Z'\n    mac: "${mac}"\n    mac_only_encrypted: true\n    encrypted_regex: '^(data|stringData)$'\n    version: "3.10.2"\n`,
    // Flow style, an all-digit fingerprint, a comment.
    `sops:\n    pgp: [{created_at: "2024-01-01T00:00:00Z", enc: x, fp: 12345678}]\n    # a note\n    lastmodified: "2024-01-01T00:00:00Z"\n    mac: ${mac}\n    version: 3.10.2\n`,
  ];
  for (const block of blocks) {
    const file = withMetadata(text, block);
    const fast = scanEncryptedYaml(file, 'f');
    assert.ok(fast, `fast path taken for ${block}`);
    assert.deepEqual(fast.metadata, parseYamlSops(file, 'f').metadata, block);
  }
});

test('a sops: block with anchors, aliases, tags, duplicate keys or a syntax error is left to the YAML parser', () => {
  const text = encrypt('password: p\n');
  const block = text.slice(text.indexOf('\nsops:') + 1);
  const fallbacks = [
    ['anchor and alias', block.replace(/^ {4}lastmodified: (.*)$/m, '    lastmodified: &t $1\n    created: *t')],
    ['explicit tag', block.replace(/^ {4}version: (.*)$/m, '    version: !!str $1')],
    ['duplicate key', block.replace(/^( {4}version: .*)$/m, '$1\n$1')],
    ['syntax error', block.replace(/^ {4}version: (.*)$/m, '    version: "$1')],
  ] as const;
  for (const [what, changed] of fallbacks) {
    assert.notEqual(changed, block, what);
    assert.equal(scanEncryptedYaml(withMetadata(text, changed), 'f'), undefined, what);
  }
});
