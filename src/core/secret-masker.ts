/**
 * Remembers every decrypted value of this process so that anything shown to the
 * user (verbose argv, helm stderr, error messages) can be scrubbed before printing.
 */
export class SecretMasker {
  private readonly values = new Set<string>();

  add(value: unknown): void {
    if (value === null || value === undefined) return;
    if (typeof value === 'object') {
      for (const v of Object.values(value as Record<string, unknown>)) this.add(v);
      return;
    }
    const text = String(value);
    // Very short values (true, 1, "ab") would mask unrelated text and protect nothing.
    const minimum = typeof value === 'string' ? 4 : 6;
    if (text.length >= minimum) {
      this.values.add(text);
      // A Secret's `data` shows values base64-encoded, and errors quote strings JSON-escaped.
      this.values.add(Buffer.from(text, 'utf8').toString('base64'));
      const escaped = JSON.stringify(text).slice(1, -1);
      if (escaped !== text) this.values.add(escaped);
    }
    // YAML/JSON-escaped forms of multi-line secrets can reach helm output too.
    if (text.includes('\n')) {
      for (const line of text.split('\n')) if (line.trim().length >= 8) this.values.add(line.trim());
    }
  }

  get size(): number {
    return this.values.size;
  }

  mask(text: string): string {
    if (this.values.size === 0 || !text) return text;
    let out = text;
    // Longest first so a secret that contains another is masked whole.
    for (const value of [...this.values].sort((a, b) => b.length - a.length)) {
      if (out.includes(value)) out = out.split(value).join('***');
    }
    return out;
  }
}
