/** The cause undici's `fetch failed` carries (code and message), for matching a rejection precisely. */
function causeOf(err: unknown): { code?: string; message?: string } {
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  return cause ?? {};
}

/** fetch() rejected because nothing listens on the port any more. */
export const isConnectionRefused = (err: unknown): boolean => err instanceof TypeError && /fetch failed/.test(err.message) && causeOf(err).code === 'ECONNREFUSED';

/** fetch() rejected because the server closed the connection without answering. */
export const isConnectionDropped = (err: unknown): boolean =>
  err instanceof TypeError && /fetch failed/.test(err.message) && (causeOf(err).code === 'UND_ERR_SOCKET' || causeOf(err).code === 'ECONNRESET' || /other side closed/.test(causeOf(err).message ?? ''));
