/**
 * The sandbox's own endpoints under /__sandbox/ (a path no real API server
 * has): inject and clear faults, inspect objects and decoded helm releases,
 * change the readiness delay, read counters, shut down. Used by
 * `chartctl sandbox fault` and by tests that drive a background sandbox.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, pathNotFound } from './api-status.js';
import { sendJson } from './api-server.js';
import type { Simulator } from './simulator.js';

export function adminHandler(simulator: () => Simulator, onShutdown: () => void) {
  return async (req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): Promise<void> => {
    const sim = simulator();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const input = () => {
      try {
        return body.length ? (JSON.parse(body.toString('utf8')) as Record<string, any>) : {};
      } catch {
        throw badRequest('admin: the body must be JSON');
      }
    };
    try {
      switch (`${method} ${path.replace(/\/+$/, '')}`) {
        case 'GET /__sandbox/health':
          return sendJson(res, 200, { ok: true, kind: 'chartctl-sandbox', server: sim.url });
        case 'GET /__sandbox/stats':
          return sendJson(res, 200, sim.stats());
        case 'GET /__sandbox/faults':
          return sendJson(res, 200, { workloads: sim.faults.listWorkloadFaults(), requests: sim.faults.listRequestFaults() });
        case 'DELETE /__sandbox/faults':
          sim.clearFaults();
          return sendJson(res, 200, { cleared: true });
        case 'POST /__sandbox/faults/workload': {
          const { target, fault } = input();
          sim.injectFault(String(target ?? ''), fault);
          return sendJson(res, 200, { target, fault });
        }
        case 'POST /__sandbox/faults/request':
          return sendJson(res, 200, sim.addRequestFault(input()));
        case 'GET /__sandbox/objects':
          return sendJson(res, 200, sim.listObjects({ kind: url.searchParams.get('kind') ?? undefined, namespace: url.searchParams.get('namespace') ?? undefined }));
        case 'GET /__sandbox/releases': {
          const releases = sim.releases(url.searchParams.get('namespace') ?? undefined, url.searchParams.get('name') ?? undefined);
          return sendJson(res, 200, releases.map(({ record: _record, ...summary }) => summary));
        }
        case 'PUT /__sandbox/settings': {
          const { readinessDelayMs } = input();
          if (readinessDelayMs !== undefined) sim.setReadinessDelay(Number(readinessDelayMs));
          return sendJson(res, 200, { readinessDelayMs: sim.readinessDelayMs });
        }
        case 'POST /__sandbox/shutdown':
          sendJson(res, 200, { stopping: true });
          return onShutdown();
        default:
          throw pathNotFound();
      }
    } catch (err) {
      const e = err instanceof ApiError ? err : badRequest(err instanceof Error ? err.message : String(err));
      sendJson(res, e.code, e.toStatus());
    }
  };
}
