import { ChartctlError } from './errors.js';

/**
 * How much a chart archive may decompress to. helm's loader refuses a chart
 * over `MaxDecompressedChartSize` (100 MiB) and a file over
 * `MaxDecompressedFileSize` (5 MiB); helm offers no flag for either, so these
 * are the values helm applies to the same tarball later anyway.
 */
export interface ArchiveLimits {
  /** Decompressed bytes of one chart (the tar stream: files, headers, padding), subchart archives inside it included. */
  maxChartBytes: number;
  /** Decompressed bytes of one file in it. */
  maxFileBytes: number;
}

const MiB = 1024 * 1024;
export const HELM_ARCHIVE_LIMITS: ArchiveLimits = { maxChartBytes: 100 * MiB, maxFileBytes: 5 * MiB };

export const MAX_CHART_SIZE_VARIABLE = 'CHARTCTL_MAX_CHART_SIZE';
export const MAX_FILE_SIZE_VARIABLE = 'CHARTCTL_MAX_FILE_SIZE';

const UNITS: Record<string, number> = { '': 1, Ki: 1024, Mi: MiB, Gi: 1024 * MiB };

/** A byte count as Kubernetes writes binary quantities: `1048576`, `512Ki`, `100Mi`, `1Gi`; undefined if it is not one. */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(text.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * UNITS[match[2] ?? '']!;
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** The limits for this run: helm's, unless CHARTCTL_MAX_CHART_SIZE / CHARTCTL_MAX_FILE_SIZE say otherwise. */
export function archiveLimitsFrom(env: Readonly<Record<string, string | undefined>>): ArchiveLimits {
  const read = (variable: string, fallback: number): number => {
    const text = env[variable];
    if (text === undefined || text === '') return fallback;
    const bytes = parseByteSize(text);
    if (bytes === undefined) {
      throw new ChartctlError(`${variable}=${text} is not a size.`, {
        code: 'BAD_SIZE',
        hint: `Give a positive number of bytes, optionally with Ki, Mi or Gi (e.g. ${variable}=200Mi), or unset it for helm's limit.`,
      });
    }
    return bytes;
  };
  return {
    maxChartBytes: read(MAX_CHART_SIZE_VARIABLE, HELM_ARCHIVE_LIMITS.maxChartBytes),
    maxFileBytes: read(MAX_FILE_SIZE_VARIABLE, HELM_ARCHIVE_LIMITS.maxFileBytes),
  };
}

export function formatBytes(bytes: number): string {
  for (const unit of ['Gi', 'Mi', 'Ki']) {
    if (bytes >= UNITS[unit]! && bytes % UNITS[unit]! === 0) return `${bytes / UNITS[unit]!} ${unit}B`;
  }
  return `${bytes} bytes`;
}

export function chartTooLarge(where: string, detail: string): ChartctlError {
  return new ChartctlError(`${where}: ${detail}.`, {
    code: 'CHART_TOO_LARGE',
    hint: `helm refuses charts over 100 MiB and files over 5 MiB decompressed. If the archive is genuine, keep large data out of the chart; chartctl's limits can be raised with ${MAX_CHART_SIZE_VARIABLE} / ${MAX_FILE_SIZE_VARIABLE} (e.g. 200Mi), helm's cannot.`,
  });
}

/** A compressed object larger than a chart may decompress to holds no chart helm would load: refused without reading it. */
export function assertCompressedSize(bytes: number, where: string, limits: ArchiveLimits): void {
  if (bytes > limits.maxChartBytes) {
    throw chartTooLarge(where, `the archive is ${bytes} bytes compressed, more than the ${formatBytes(limits.maxChartBytes)} a chart may decompress to; not read`);
  }
}

/**
 * What is left of one chart's allowance. The chart's own archive and every
 * subchart archive inside it draw on the same one: a per-archive cap alone
 * would let a 100 MiB chart hold a thousand subcharts of 100 MiB each.
 */
export class DecompressionBudget {
  private remaining: number;

  constructor(readonly limits: ArchiveLimits) {
    this.remaining = limits.maxChartBytes;
  }

  /** A fresh budget for a chart read on its own, or the one a parent chart is already drawing on. */
  static of(limits: ArchiveLimits | DecompressionBudget): DecompressionBudget {
    return limits instanceof DecompressionBudget ? limits : new DecompressionBudget(limits);
  }

  /** How many more decompressed bytes the chart may take. */
  get left(): number {
    return Math.max(0, this.remaining);
  }

  /** Counts `bytes` more decompressed bytes read from `where`; throws CHART_TOO_LARGE once the chart is over its limit. */
  take(bytes: number, where: string): void {
    this.remaining -= bytes;
    if (this.remaining < 0) throw chartTooLarge(where, `decompresses to more than ${formatBytes(this.limits.maxChartBytes)}, the limit for one chart (subcharts included); decompression stopped there`);
  }
}
