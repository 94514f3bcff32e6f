// The four load shapes of issue 7 and what each must prove.
import type { BenchPorts } from './bench-config.ts';
import { BIG_SIZE } from './nginx-backends.ts';

export type ScenarioId = 'keep-alive' | 'close' | 'tcp' | 'big';

export interface Scenario {
  readonly id: ScenarioId;
  readonly title: string;
  readonly connections: number;
  /** Send `Connection: close`: a new client connection per request. */
  readonly close: boolean;
  readonly path: string;
  /** Expected body size (0: small named bodies). */
  readonly size: number;
  /** Where the proxies take this load. */
  readonly port: (p: BenchPorts) => number;
  readonly unit: 'req/s' | 'MiB/s';
  /** Allowed distance of each server's share from its weight's share. */
  readonly tolerance: number;
  /** Issue 16's target for throughput engine/HAProxy (issue 7's were 0.6, 0.6, 0.8, 0.8). */
  readonly target: number;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'keep-alive', title: 'HTTP keep-alive, 50 connections', connections: 50, close: false, path: '/', size: 0,
    port: (p) => p.http, unit: 'req/s', tolerance: 0.03, target: 0.75,
  },
  {
    id: 'close', title: 'HTTP Connection: close, 50 connections', connections: 50, close: true, path: '/', size: 0,
    port: (p) => p.http, unit: 'req/s', tolerance: 0.03, target: 0.75,
  },
  {
    // the balancer picks per connection here: 50 connections carry uneven numbers of requests
    id: 'tcp', title: 'mode tcp, keep-alive HTTP tunnelled, 50 connections', connections: 50, close: false, path: '/', size: 0,
    port: (p) => p.tcp, unit: 'req/s', tolerance: 0.08, target: 0.9,
  },
  {
    id: 'big', title: '1 MiB response bodies (GET /big), 16 connections', connections: 16, close: false, path: '/big', size: BIG_SIZE,
    port: (p) => p.http, unit: 'MiB/s', tolerance: 0.03, target: 1.0,
  },
];

// Throughput in the scenario's unit.
export function throughput(s: Scenario, r: { requests: number; bytes: number; durationUs: number }): number {
  const secs = r.durationUs / 1e6;
  return s.unit === 'MiB/s' ? r.bytes / secs / (1024 * 1024) : r.requests / secs;
}
