// Decrypting a 1,000-value sops file against the floor: AES-256-GCM opening the
// same 1,000 ciphertexts in a tight loop, measured in the same run.
//   npm run bench:secrets           (BENCH_RUNS=n for more samples)
import { createDecipheriv } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { createSecretsReader } from '../src/adapters/secrets-factory.js';
import { newDataKey, wrapDataKey } from '../src/core/sops/data-key.js';
import { WRITTEN_SOPS_VERSION, withDefaultRule } from '../src/core/sops/metadata.js';
import { openSopsDocument } from '../src/core/sops/open-document.js';
import { parsePlainText, parseSopsText, sealSopsText } from '../src/core/sops/sops-file.js';
import { treeToValues } from '../src/core/sops/to-values.js';
import { additionalDataFor } from '../src/core/sops/tree-crypto.js';
import type { MapNode, TreeNode } from '../src/core/sops/types.js';
import { isComment } from '../src/core/sops/types.js';
import { parseEncryptedValue } from '../src/core/sops/value-cipher.js';
import { scanEncryptedYaml } from '../src/core/sops/yaml-fast-scan.js';

const runs = Number(process.env.BENCH_RUNS ?? 15);
const perSample = 20;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Mean ms per call over `perSample` calls. */
async function sample(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < perSample; i++) await fn();
  return Number(process.hrtime.bigint() - start) / 1e6 / perSample;
}

// 1,000 values in 10 groups: strings of realistic length plus some ints and booleans.
let plain = '# generated for the benchmark\n';
for (let g = 0; g < 10; g++) {
  plain += `service${g}:\n`;
  for (let i = 0; i < 100; i++) {
    const value = i % 10 === 0 ? String(1000 + i) : i % 25 === 1 ? 'true' : `s3cr3t-${g}-${i}-${'x'.repeat(24 + (i % 17))}`;
    plain += `    key${i}: ${value}\n`;
  }
}

const identity = await generateX25519Identity();
const recipient = await identityToRecipient(identity);
const scratch = mkdtempSync(join(tmpdir(), 'chartctl-bench-secrets-'));
try {
  const reader = createSecretsReader({ SOPS_AGE_KEY: identity, HOME: scratch });
  const dataKey = newDataKey();
  const now = new Date();
  const { keyGroups } = await wrapDataKey([[{ type: 'age', recipient }]], undefined, dataKey, (s, d) => reader.keys.wrap(s, d, now), 'bench.yaml');
  const text = sealSopsText(parsePlainText(plain, 'yaml', 'bench.yaml').branches, 'yaml', { keyGroups, version: WRITTEN_SOPS_VERSION, rules: withDefaultRule({}) }, dataKey, now, 'bench.yaml');
  const file = join(scratch, 'bench.yaml');
  writeFileSync(file, text);

  // The floor: the same ciphertexts, already base64-decoded, opened one by one.
  const blobs: Array<{ data: Buffer; iv: Buffer; tag: Buffer; aad: Buffer }> = [];
  const collect = (node: TreeNode, path: string[]) => {
    if (node.kind === 'map') for (const item of node.items) if (!isComment(item)) collect(item.value, [...path, item.key]);
    if (node.kind === 'scalar') {
      const v = parseEncryptedValue(node.text);
      blobs.push({ data: v.data, iv: v.iv, tag: v.tag, aad: Buffer.from(additionalDataFor(path)) });
    }
  };
  for (const branch of parseSopsText(text, 'yaml', 'bench.yaml').branches as MapNode[]) collect(branch, []);
  if (blobs.length !== 1000) throw new Error(`expected 1000 values, found ${blobs.length}`);
  const floor = () => {
    for (const b of blobs) {
      const d = createDecipheriv('aes-256-gcm', dataKey, b.iv);
      d.setAAD(b.aad);
      d.setAuthTag(b.tag);
      d.update(b.data);
      d.final();
    }
  };
  // chartctl after the one data-key unwrap, as the secrets reader does it: parse, open every value, check the MAC, build the values.
  const decryptFile = async () => {
    const doc = scanEncryptedYaml(text, 'bench.yaml');
    if (!doc) throw new Error('the fast reader declined the benchmark file');
    return treeToValues((await openSopsDocument(doc, { file: 'bench.yaml' }, async () => dataKey)).branches, 'bench.yaml');
  };

  const values = (await decryptFile()) as Record<string, Record<string, unknown>>;
  if (values.service3!.key7 !== `s3cr3t-3-7-${'x'.repeat(31)}`) throw new Error('the benchmark decrypted the wrong values');
  await sample(floor);
  await sample(decryptFile);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(await sample(decryptFile));
    b.push(await sample(floor));
  }
  const unwrap = await sample(() => reader.decryptFile(file, 'bench.yaml'));
  const ratio = median(a) / median(b);
  console.log(`\nDecrypt a sops file of 1,000 values (${(text.length / 1024).toFixed(0)} KiB YAML, age recipient)`);
  console.log(`  A chartctl (parse + 1,000 x AES-GCM + MAC + values, after the data-key unwrap): median ${median(a).toFixed(2)} ms (min ${Math.min(...a).toFixed(2)}, max ${Math.max(...a).toFixed(2)}, n=${runs}x${perSample})`);
  console.log(`  B floor (1,000 x AES-256-GCM open of the same bytes in a tight loop):          median ${median(b).toFixed(2)} ms (min ${Math.min(...b).toFixed(2)}, max ${Math.max(...b).toFixed(2)})`);
  console.log(`  ratio A/B = ${ratio.toFixed(2)}  (target <= 3)`);
  console.log(`  whole decryptFile including reading the file and the age unwrap: ${unwrap.toFixed(2)} ms`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
