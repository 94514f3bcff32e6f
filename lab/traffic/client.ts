// Sends one request as curl would (one connection, closed after the answer) and records what came back.
import { request } from 'node:http';
import { DEFAULT_USER_AGENT, type RequestSpec } from './request-spec.ts';
import type { Target } from './port-map.ts';

/** What one request saw. status 0 means no HTTP answer (see error). */
export interface Observation {
  /** 0-based position in the run, in the order requests were sent. */
  readonly index: number;
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  /** Response headers, flattened [name, value, ...] as received. */
  readonly headers: readonly string[];
  readonly body: string;
  /** e.g. "connect ECONNREFUSED 127.0.0.1:38211", "socket hang up". */
  readonly error?: string;
  /** The client's address and port, as the proxy sees them (src, src_port). */
  readonly localAddress: string;
  readonly localPort: number;
  readonly startedAt: number;
  readonly ms: number;
}

export interface SendOptions {
  readonly index?: number;
  /** Milliseconds before giving up on an answer; default 10000. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

// Sends the request to target and resolves with what happened (never rejects).
export function send(spec: RequestSpec, target: Target, opts: SendOptions = {}): Promise<Observation> {
  const startedAt = Date.now();
  const t0 = performance.now();
  let localAddress = spec.localAddress ?? '';
  let localPort = 0;
  const headers: [string, string][] = [['Host', target.hostHeader]];
  if (!spec.headers.some(([n]) => n.toLowerCase() === 'user-agent')) headers.push(['User-Agent', DEFAULT_USER_AGENT]);
  if (!spec.headers.some(([n]) => n.toLowerCase() === 'accept')) headers.push(['Accept', '*/*']);
  headers.push(...spec.headers.map(([n, v]) => [n, v] as [string, string]));
  const body = spec.body !== undefined ? Buffer.from(spec.body) : undefined;
  if (body) headers.push(['Content-Length', String(body.length)]);

  return new Promise((resolve) => {
    let done = false;
    const finish = (o: Omit<Observation, 'index' | 'method' | 'url' | 'localAddress' | 'localPort' | 'startedAt' | 'ms'>): void => {
      if (done) return;
      done = true;
      resolve({
        index: opts.index ?? 0,
        method: spec.method,
        url: spec.url,
        ...o,
        localAddress,
        localPort,
        startedAt,
        ms: Math.round((performance.now() - t0) * 10) / 10,
      });
    };
    const req = request({
      host: target.host,
      port: target.port,
      method: spec.method,
      path: target.path,
      headers: headers.flat(),
      agent: false,
      setHost: false,
      ...(spec.localAddress ? { localAddress: spec.localAddress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`no answer within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on('socket', (sock) => {
      const note = (): void => {
        localAddress = sock.localAddress ?? localAddress;
        localPort = sock.localPort ?? 0;
      };
      if (sock.localPort) note();
      else sock.once('connect', note);
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRNOTAVAIL' && spec.localAddress
        ? `cannot use source address ${spec.localAddress} (${e.message}); pick one in 127.0.0.0/8`
        : e.message;
      finish({ status: 0, statusText: '', headers: [], body: '', error: why });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => finish({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8'), error: e.message }));
      res.on('end', () =>
        finish({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.end(body);
  });
}
