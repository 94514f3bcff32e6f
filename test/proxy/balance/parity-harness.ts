// Runs one balancing scenario twice — through real haproxy in front of named Node backends, and through our
// balancer fed the same servers and requests — and returns both sequences of server names.
import { Agent } from 'node:http';
import type { BalanceSpec } from '../../../proxy/config/model.ts';
import type { HttpRequestView } from '../../../proxy/http/message-view.ts';
import type { Balancer, PickContext } from '../../../proxy/balance/balancer.ts';
import type { ServerState } from '../../../proxy/server/server-state.ts';
import { createBalancer } from '../../../proxy/balance/algorithms.ts';
import { freePort, startHaproxy } from '../../helpers/haproxy.ts';
import { ask, startNamedBackends, type NamedBackends } from '../../helpers/named-backends.ts';
import { makeServers, type ServerDesc } from './servers.ts';

export interface ParityRequest {
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Client source address (any 127.x). */
  readonly src?: string;
}

export interface Scenario {
  readonly servers: readonly ServerDesc[];
  /** The balance line's words after "balance", e.g. "roundrobin", "uri whole", "hdr(X-User)", "url_param id". */
  readonly balance: string;
  /** The hash-type line's words, e.g. "consistent" or "map-based djb2 avalanche". */
  readonly hashType?: string;
  readonly allBackups?: boolean;
  readonly requests: readonly ParityRequest[];
  /**
   * 'sequential': each request finishes before the next (connection close).
   * 'held': backends hold every response; request i is sent once i-1 reached a backend, then all are
   * released — builds up concurrent connections in a known order (for maxconn, leastconn, first).
   */
  readonly mode?: 'sequential' | 'held';
  /** Reuse one client connection (keep-alive) in sequential mode. */
  readonly keepAlive?: boolean;
  /** Adds `option redispatch` and `retries 1`: a refused connection is retried once on another server. */
  readonly redispatch?: boolean;
  /** Runtime API commands sent before request number `at` (sequential mode), e.g. "set weight be/s1 5". */
  readonly events?: readonly { readonly at: number; readonly command: string }[];
}

// The BalanceSpec the config parser would produce for the scenario's balance and hash-type lines.
export function specOf(sc: Pick<Scenario, 'balance' | 'hashType'>): BalanceSpec {
  const words = sc.balance.trim().split(/\s+/);
  const first = words[0]!;
  const rest = words.slice(1);
  const ht = (sc.hashType ?? 'map-based').split(/\s+/);
  const hashType = ht[0] === 'consistent' ? 'consistent' : 'map-based';
  const fn = ht[1] as BalanceSpec['hashFunction'];
  const hash = { hashType, hashFunction: fn, hashAvalanche: ht[1] ? ht[2] === 'avalanche' : undefined } as const;
  const hdr = /^hdr\(([^)]+)\)$/i.exec(first);
  if (hdr) return { algorithm: 'hdr', arg: hdr[1], options: rest, ...hash };
  if (first.startsWith('random')) return { algorithm: 'random', options: [first, ...rest], ...hash };
  if (first === 'url_param') return { algorithm: 'url_param', arg: rest[0], options: rest.slice(1), ...hash };
  return { algorithm: first as BalanceSpec['algorithm'], options: rest, ...hash };
}

function serverLine(d: ServerDesc, port: number): string {
  const parts = [`server ${d.name} 127.0.0.1:${port}`, `weight ${d.weight ?? 1}`];
  if (d.id !== undefined) parts.push(`id ${d.id}`);
  if (d.maxconn) parts.push(`maxconn ${d.maxconn}`);
  if (d.maxqueue) parts.push(`maxqueue ${d.maxqueue}`);
  if (d.backup) parts.push('backup');
  if (d.disabled) parts.push('disabled');
  return '  ' + parts.join(' ');
}

// The haproxy.cfg for a scenario (ports of the named backends filled in; {{port}} left for startHaproxy).
export function configOf(sc: Scenario, ports: readonly number[]): string {
  return [
    'global',
    '  nbthread 1',
    ...(sc.events?.length ? ['  stats socket {{sock}} level admin'] : []),
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 10s',
    '  timeout server 10s',
    '  timeout queue 10s',
    'frontend fe',
    '  bind 127.0.0.1:{{port}}',
    '  default_backend be',
    'backend be',
    `  balance ${sc.balance}`,
    ...(sc.hashType ? [`  hash-type ${sc.hashType}`] : []),
    ...(sc.allBackups ? ['  option allbackups'] : []),
    ...(sc.redispatch ? ['  option redispatch', '  retries 1'] : []),
    ...sc.servers.map((d, i) => serverLine(d, ports[i]!)),
    '',
  ].join('\n');
}

async function sendHeld(port: number, be: NamedBackends, reqs: readonly ParityRequest[]): Promise<string[]> {
  const release = be.hold();
  const answers: Promise<string>[] = [];
  try {
    for (let i = 0; i < reqs.length; i++) {
      const r = reqs[i]!;
      answers.push(ask(port, r.path ?? '/', { headers: r.headers, localAddress: r.src, timeoutMs: 10_000 }).then((a) => a.body));
      await be.waitForRequests(i + 1);
    }
  } finally {
    release();
  }
  await Promise.all(answers);
  // The order in which backends received them is the order haproxy chose them.
  return be.log.slice(-reqs.length).map((r) => r.name);
}

// The sequence of server names real haproxy picked for the scenario's requests.
export async function runHaproxy(sc: Scenario): Promise<string[]> {
  const be = await startNamedBackends(sc.servers.filter((s) => !s.dead).map((s) => s.name));
  const ports: number[] = [];
  for (const d of sc.servers) ports.push(d.dead ? await freePort() : be.servers.find((s) => s.name === d.name)!.port);
  let hp: Awaited<ReturnType<typeof startHaproxy>> | undefined;
  const agent = sc.keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
  try {
    hp = await startHaproxy(configOf(sc, ports));
    if (sc.mode === 'held') return await sendHeld(hp.port, be, sc.requests);
    const out: string[] = [];
    for (let i = 0; i < sc.requests.length; i++) {
      for (const e of sc.events ?? []) {
        if (e.at !== i) continue;
        const answer = (await hp.runtime(e.command)).trim();
        if (answer !== '') throw new Error(`haproxy refused "${e.command}": ${answer}`);
      }
      const r = sc.requests[i]!;
      const a = await ask(hp.port, r.path ?? '/', { headers: r.headers, localAddress: r.src, agent });
      // Sequential requests never find every server full, so a 503 means haproxy had no usable server.
      if (a.status === 503) out.push('<no-usable-server>');
      else if (a.status !== 200) throw new Error(`haproxy answered ${a.status} for ${r.path ?? '/'}: ${a.body.slice(0, 200)}`);
      else out.push(a.body);
    }
    return out;
  } finally {
    agent?.destroy();
    await hp?.stop();
    await be.close();
  }
}

// The request head our engine would hand the balancer for this request.
export function requestView(r: ParityRequest): HttpRequestView {
  const uri = r.path ?? '/';
  const q = uri.indexOf('?');
  const given = Object.entries(r.headers ?? {});
  const headers: string[] = given.some(([k]) => k.toLowerCase() === 'host') ? [] : ['Host', '127.0.0.1'];
  for (const [k, v] of given) headers.push(k, v);
  return { method: 'GET', uri, version: '1.1', path: q < 0 ? uri : uri.slice(0, q), query: q < 0 ? null : uri.slice(q + 1), headers };
}

export interface OursRun {
  readonly names: string[];
  readonly balancer: Balancer;
  readonly servers: ServerState[];
}

// The sequence our balancer picks for the same scenario, with connections taken and dropped as haproxy does.
export function runOurs(sc: Scenario, random?: () => number): OursRun {
  const servers = makeServers(sc.servers);
  const b = createBalancer(specOf(sc), servers, { allBackups: sc.allBackups ?? false, random });
  const names: string[] = [];
  const open: ServerState[] = [];
  for (let i = 0; i < sc.requests.length; i++) {
    for (const e of sc.events ?? []) if (e.at === i) applyCommand(e.command, servers, b);
    const r = sc.requests[i]!;
    const ctx: PickContext = { src: r.src ?? '127.0.0.1', req: requestView(r) };
    let res = b.pick(ctx);
    const first = res.server;
    if (first && sc.servers[servers.indexOf(first)]?.dead) {
      // The connection is refused: haproxy releases the slot, then redispatches avoiding that server.
      first.served++;
      b.taken?.(first);
      first.served--;
      b.dropped?.(first);
      res = b.pick({ ...ctx, avoid: first });
    }
    if (!res.server) {
      names.push(`<${res.reason}>`);
      continue;
    }
    const s = res.server;
    names.push(s.name);
    s.served++;
    b.taken?.(s);
    if (sc.mode === 'held') open.push(s);
    else {
      s.served--;
      b.dropped?.(s);
    }
  }
  for (const s of open) {
    s.served--;
    b.dropped?.(s);
  }
  return { names, balancer: b, servers };
}

// Applies a runtime API command to our servers and calls the hook the engine would call.
export function applyCommand(command: string, servers: readonly ServerState[], b: Balancer): void {
  const w = command.trim().split(/\s+/);
  const find = (ref: string): ServerState => {
    const name = ref.split('/')[1];
    const s = servers.find((x) => x.name === name);
    if (!s) throw new Error(`no server ${ref}`);
    return s;
  };
  if (w[0] === 'set' && w[1] === 'weight') {
    const s = find(w[2]!);
    const text = w[3]!;
    const weight = text.endsWith('%') ? Math.min(256, Math.floor((s.spec.weight * Number(text.slice(0, -1))) / 100)) : Number(text);
    s.userWeight = weight;
    s.effectiveWeight = weight;
    if (b.weightChanged) b.weightChanged(s);
    else if (weight > 0) b.serverUp?.(s);
    else b.serverDown?.(s);
  } else if (w[0] === 'disable' && w[1] === 'server') {
    const s = find(w[2]!);
    s.admin = 'maint';
    b.serverDown?.(s);
  } else if (w[0] === 'enable' && w[1] === 'server') {
    const s = find(w[2]!);
    s.admin = 'ready';
    b.serverUp?.(s);
  } else if (w[0] === 'set' && w[1] === 'server' && w[3] === 'state') {
    const s = find(w[2]!);
    s.admin = w[4] as ServerState['admin'];
    if (s.admin === 'ready') b.serverUp?.(s);
    else b.serverDown?.(s);
  } else {
    throw new Error(`applyCommand: unsupported command "${command}"`);
  }
}

// n requests to "/".
export function plain(n: number): ParityRequest[] {
  return Array.from({ length: n }, () => ({}));
}
