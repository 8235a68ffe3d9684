import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emitGoYaml } from '../../src/core/go-yaml-style.js';

// Expected texts are what helm 3.17 / 4.1 wrote for the same strings in Chart.yaml
// (test/fixtures/helm-package/crafted; the parity test checks them against the binaries).
test('go-yaml v2 styles: literal blocks with their hints, single quotes, escapes, ? keys', () => {
  const annotations = {
    'artifacthub.io/links': '- name: Chart Source\n  url: https://example.com\n',
    strip: 'line one\nline two',
    keep: 'kept\n\n',
    indented: '  indented\nsecond',
    leading: '\n  leading break',
    spacebreak: 'a \nb',
    crlf: 'a\r\nb',
    'key: colon': 'v',
    '': 'empty-key',
    emoji: 'emoji \u{1F600} here',
    control: 'ctl\u0001x',
    [`${'k'.repeat(130)}`]: 'longkey',
    'multi\nline key': 'v',
  };
  assert.equal(
    emitGoYaml({ annotations, kubeVersion: '>=1.19.0-0', repository: '' }),
    [
      'annotations:',
      '  "": empty-key',
      '  artifacthub.io/links: |',
      '    - name: Chart Source',
      '      url: https://example.com',
      '  control: "ctl\\x01x"',
      '  crlf: "a\\r\\nb"',
      '  emoji: "emoji \\U0001F600 here"',
      '  indented: |2-',
      '      indented',
      '    second',
      '  keep: |+',
      '    kept',
      '',
      "  'key: colon': v",
      `  ? ${'k'.repeat(130)}`,
      '  : longkey',
      '  leading: |2-',
      '',
      '      leading break',
      '  ? |-',
      '    multi',
      '    line key',
      '  : v',
      '  spacebreak: "a \\nb"',
      '  strip: |-',
      '    line one',
      '    line two',
      "kubeVersion: '>=1.19.0-0'",
      'repository: ""',
      '',
    ].join('\n'),
  );
});

test('a `<<` key stays double-quoted: helm writes it plain and then cannot read the file back', () => {
  assert.equal(emitGoYaml({ '<<': '<<', '=': '=' }), '"<<": "<<"\n=: =\n');
});
