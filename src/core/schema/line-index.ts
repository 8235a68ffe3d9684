/** Offset → 1-based line and column, for file:line:col in findings. */
export class LineIndex {
  private starts: number[] | undefined;
  // Documents are located in file order, so until a lookup goes backwards the
  // line feeds are counted on from the previous lookup instead of indexing
  // every line of the file.
  private lastOffset = 0;
  private lastLine = 1;
  private lastLineStart = 0;

  constructor(private readonly text: string) {}

  position(offset: number): { line: number; col: number } {
    if (!this.starts && offset >= this.lastOffset) {
      let line = this.lastLine;
      let lineStart = this.lastLineStart;
      for (let i = this.text.indexOf('\n', this.lastOffset); i >= 0 && i < offset; i = this.text.indexOf('\n', i + 1)) {
        line++;
        lineStart = i + 1;
      }
      this.lastOffset = offset;
      this.lastLine = line;
      this.lastLineStart = lineStart;
      return { line, col: offset - lineStart + 1 };
    }
    const starts = (this.starts ??= lineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo]! + 1 };
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
