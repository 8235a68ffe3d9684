import { ChartctlError } from '../core/errors.js';
import type { CanaryTrafficSplitter } from './canary-traffic.js';

const unavailable = async (): Promise<never> => {
  throw new ChartctlError('ingress-nginx/gateway traffic not available in this build of chartctl.', { code: 'STRATEGY_UNSUPPORTED', hint: 'Use deploy.strategy.canary.traffic: replicas.' });
};

/** Stands in until the Kubernetes splitter (kube-canary-traffic.ts) is wired. */
export const unavailableCanaryTraffic: CanaryTrafficSplitter = { setWeight: unavailable, readWeight: unavailable, reset: unavailable };
