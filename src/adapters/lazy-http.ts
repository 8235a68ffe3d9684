import { createRequire } from 'node:module';

/**
 * node:http's or node:https's request(), loaded on the first call: most runs reach no cluster,
 * registry or schema server, and loading both modules costs ~5 ms of every start.
 */
export function requestFunction(isHttps: boolean): typeof import('node:https').request {
  return (createRequire(import.meta.url)(isHttps ? 'node:https' : 'node:http') as typeof import('node:https')).request;
}
