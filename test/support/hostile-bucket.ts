/**
 * What an attacker with write access to a dev bucket can put there, each as a
 * function that writes it over a good repository (one published shop 1.0.0).
 * Shared by test/integration/hostile-repository.test.ts and bench/hostile.ts.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { writeTar } from '../../src/core/tar-archive.js';
import type { ChartRepository } from '../../src/adapters/chart-repository.js';

export interface GoodRepository {
  /** The published shop-1.0.0.tgz. */
  tarball: Uint8Array;
  /** index.yaml listing it. */
  index: string;
  /** A file of the user's that a traversing url aims at (absolute path). */
  victimFile: string;
}

export interface HostileContent {
  name: string;
  /** Writes the hostile objects (always a shop 9.9.9 entry, or an index that is a bomb). */
  arrange(dev: ChartRepository, good: GoodRepository): Promise<void>;
  /** What a refusal must say: the entry or the object, and why. */
  refusal: RegExp;
  /** The content is a stored object (reindex reads it), not only an index entry. */
  storedObject: boolean;
  /** The index itself is unreadable, so every reader of it refuses, not only those of 9.9.9. */
  wholeIndex: boolean;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** `good.index` with one more shop entry, 9.9.9 unless said otherwise. */
export function indexWith(good: GoodRepository, entry: { urls: string[]; digest: string }): string {
  const hostile = [
    `  - apiVersion: v2`,
    `    created: "2026-12-01T00:00:00Z"`,
    `    digest: ${entry.digest}`,
    `    name: shop`,
    `    urls:`,
    ...entry.urls.map((u) => `      - ${JSON.stringify(u)}`),
    `    version: 9.9.9`,
  ];
  return good.index.replace(/^  shop:\n/m, `  shop:\n${hostile.join('\n')}\n`);
}

async function putIndex(dev: ChartRepository, text: string): Promise<void> {
  const r = await dev.put('index.yaml', new TextEncoder().encode(text));
  if (r.kind !== 'written') throw new Error(`could not write ${dev.keyOf('index.yaml')}`);
}

/** A real Chart.yaml for 9.9.9 and a 6 MiB file of zeros: a few KiB compressed, over helm's 5 MiB per file. */
export function decompressionBomb(): Uint8Array {
  return gzipSync(
    writeTar([
      { path: 'shop/Chart.yaml', data: new TextEncoder().encode('apiVersion: v2\nname: shop\nversion: 9.9.9\n') },
      { path: 'shop/templates/big.yaml', data: new Uint8Array(6 * 1024 * 1024) },
    ]),
  );
}

/** Nine levels of nine aliases: 9^9 nodes once expanded, in well under 1 KiB. */
export function aliasBombIndex(): string {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(`*${i === 1 ? 'a' : `l${i - 1}`}`).join(',')}]`);
  return `apiVersion: v1\n${levels.join('\n')}\nentries:\n  shop:\n  - {name: shop, version: 9.9.9, digest: x, urls: [shop-9.9.9.tgz], annotations: {bomb: *l8}}\ngenerated: "2026-12-01T00:00:00Z"\n`;
}

const outside = /9\.9\.9[^\n]*is not an object of/;

export const HOSTILE_CONTENT: HostileContent[] = [
  {
    name: 'a url that climbs out of the repository onto a file of the user',
    arrange: (dev, good) => putIndex(dev, indexWith(good, { urls: [`${'../'.repeat(12)}${good.victimFile.slice(1)}`], digest: sha256(good.tarball) })),
    refusal: outside,
    storedObject: false,
    wholeIndex: false,
  },
  {
    name: 'a percent-encoded climbing url',
    arrange: (dev, good) => putIndex(dev, indexWith(good, { urls: ['..%2F..%2F..%2F..%2Fvictim.txt'], digest: sha256(good.tarball) })),
    refusal: outside,
    storedObject: false,
    wholeIndex: false,
  },
  {
    name: 'an absolute url to another host',
    arrange: (dev, good) => putIndex(dev, indexWith(good, { urls: ['https://charts.attacker.invalid/shop-9.9.9.tgz'], digest: sha256(good.tarball) })),
    refusal: outside,
    storedObject: false,
    wholeIndex: false,
  },
  {
    name: 'a tarball whose own Chart.yaml is not the version listed',
    arrange: async (dev, good) => {
      await dev.put('shop-9.9.9.tgz', good.tarball);
      await putIndex(dev, indexWith(good, { urls: ['shop-9.9.9.tgz'], digest: sha256(good.tarball) }));
    },
    refusal: /9\.9\.9[^\n]*Chart\.yaml says "shop" version "1\.0\.0"/,
    storedObject: true,
    wholeIndex: false,
  },
  {
    name: 'a decompression bomb listed with its true digest',
    arrange: async (dev, good) => {
      const bomb = decompressionBomb();
      await dev.put('shop-9.9.9.tgz', bomb);
      await putIndex(dev, indexWith(good, { urls: ['shop-9.9.9.tgz'], digest: sha256(bomb) }));
    },
    refusal: /shop-9\.9\.9\.tgz: "shop\/templates\/big\.yaml" is \d+ bytes decompressed, over the 5 MiB limit/,
    storedObject: true,
    wholeIndex: false,
  },
  {
    name: 'an index.yaml that is an alias bomb',
    arrange: (dev) => putIndex(dev, aliasBombIndex()),
    refusal: /index\.yaml:\d+:\d+: refused: excessive aliasing/,
    storedObject: false,
    wholeIndex: true,
  },
];

/** Puts the good repository back: its index, and no 9.9.9 object. */
export async function restore(dev: ChartRepository, good: GoodRepository): Promise<void> {
  await putIndex(dev, good.index);
  await dev.delete('shop-9.9.9.tgz');
}
