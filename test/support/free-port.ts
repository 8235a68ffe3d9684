import { createServer } from 'node:net';

/**
 * A loopback port the OS just handed out, for servers that cannot listen on
 * port 0 and say which port they got (Prometheus). Closed before returning, so
 * another process could take it first; good enough for tests.
 */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
