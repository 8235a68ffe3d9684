/** How results reach stdout: text (coloured only on a TTY without NO_COLOR) or JSON. */
export interface Output {
  format: 'text' | 'json';
  color: boolean;
  /** Bytes are written as they are (a decrypted binary file). */
  write(text: string | Uint8Array): void;
  json(value: unknown): void;
  paint: Painter;
}

export interface Painter {
  red(t: string): string;
  green(t: string): string;
  yellow(t: string): string;
  cyan(t: string): string;
  bold(t: string): string;
  dim(t: string): string;
}

function painter(on: boolean): Painter {
  const wrap = (open: number, close: number) => (t: string) => (on ? `\u001b[${open}m${t}\u001b[${close}m` : t);
  return { red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39), bold: wrap(1, 22), dim: wrap(2, 22) };
}

export function createOutput(format: 'text' | 'json', color: boolean, write: (t: string | Uint8Array) => void = (t) => process.stdout.write(t)): Output {
  return {
    format,
    color,
    write,
    json: (value) => write(`${JSON.stringify(value, null, 2)}\n`),
    paint: painter(color),
  };
}

/** Left-aligned columns for text tables. */
export function table(rows: string[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
  const widths = all.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, strip(c).length)), []);
  return all
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - strip(c).length))).join('  ').trimEnd())
    .join('\n');
}
