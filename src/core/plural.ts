/** "1 environment", "2 environments": a count with its noun agreeing (nouns here all take -s). */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
