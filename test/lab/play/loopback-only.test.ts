// The playground's promise: any config runs with every packet on 127.0.0.0/8. Every connect() and UDP send of
// this process is recorded, and every DNS lookup, while a config naming 10.1.2.3 and db1.example runs and answers.
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../../proxy/index.ts';
import { AnsweredBy } from '../../../lab/traffic/answered-by.ts';
import { haproxyCopy, outboundAddresses } from '../../../lab/play/haproxy-copy.ts';
import { PlayWorld } from '../../../lab/play/play-world.ts';
import { sendThrough } from '../../../lab/play/send.ts';
import { parseCurl } from '../../../lab/traffic/request-spec.ts';
import type { PlayAnswer } from '../../../lab/play/answer.ts';

const CONFIG = `global
    log 10.0.0.1:514 local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend web
    bind *:80
    default_backend app
backend app
    balance roundrobin
    server s1 10.1.2.3:80 check inter 100 agent-check agent-port 5555 agent-inter 100 agent-addr 10.9.9.8
    server s2 db1.example:5432 check inter 100 addr 10.9.9.9 port 9999
`;

const connects: string[] = [];
const udp: string[] = [];
const lookups: string[] = [];
const restore: (() => void)[] = [];
let world: PlayWorld;
const answers: PlayAnswer[] = [];

function loopback(host: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(host);
}

beforeAll(async () => {
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    // net.connect() passes its normalised arguments as one array
    const a = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    if (a && typeof a === 'object') {
      const o = a as { host?: string; path?: string };
      connects.push(o.path ?? o.host ?? 'localhost');
    } else if (typeof a === 'number') connects.push(typeof args[1] === 'string' ? args[1] : 'localhost');
    return (connect as (...x: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;
  restore.push(() => (net.Socket.prototype.connect = connect));
  const send = dgram.Socket.prototype.send;
  dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
    udp.push(String(args.find((x) => typeof x === 'string') ?? '?'));
    return (send as (...x: unknown[]) => void).apply(this, args);
  } as typeof send;
  restore.push(() => (dgram.Socket.prototype.send = send));
  const lookup = dns.lookup;
  (dns as { lookup: unknown }).lookup = (host: string, ...rest: unknown[]) => {
    lookups.push(host);
    return (lookup as (...x: unknown[]) => void)(host, ...rest);
  };
  restore.push(() => ((dns as { lookup: unknown }).lookup = lookup));

  const events = new EventBus();
  const who = new AnsweredBy();
  who.attach(events);
  const logs: string[] = [];
  world = await PlayWorld.open({ text: CONFIG, name: 'haproxy.cfg', events, onLog: (l) => logs.push(l) });
  const side = { name: 'engine' as const, ports: world.ports(), logs: () => logs, serverOf: (p: number) => who.byClientPort(p)?.server };
  for (let i = 0; i < 4; i++) answers.push(await sendThrough(side, parseCurl('curl http://localhost/').spec, i));
  // a few health-check rounds (inter 100 ms) to catch a probe of the check address
  await new Promise((r) => setTimeout(r, 450));
});

afterAll(async () => {
  await world?.close();
  for (const r of restore.reverse()) r();
});

describe('lab play keeps every packet on loopback', () => {
  it('gives both servers a stand-in that answers with its own name, in round-robin order', () => {
    expect(answers.map((a) => [a.status, a.server])).toEqual([[200, 's1'], [200, 's2'], [200, 's1'], [200, 's2']]);
    expect(answers[1]!.body).toContain('lab stand-in for app/s2 db1.example:5432');
  });

  it('gives the engine only loopback addresses for the servers', () => {
    const addrs = world.engine.snapshot().backends.flatMap((b) => b.servers.map((s) => s.address));
    expect(addrs).toHaveLength(2);
    for (const a of addrs) expect(loopback(a.split(':')[0]!)).toBe(true);
  });

  it('connects only to 127.0.0.0/8, health checks with an addr and an agent with an agent-addr included, and sends no UDP syslog', () => {
    expect(connects.length).toBeGreaterThan(4);
    expect(connects.filter((h) => !loopback(h))).toEqual([]);
    expect(udp).toEqual([]);
  });

  it('looks up no host name, not even db1.example (Node passes loopback literals through lookup, which sends nothing)', () => {
    expect(lookups.filter((h) => !loopback(h))).toEqual([]);
  });

  it('writes a copy for real haproxy that reaches nothing outside loopback', () => {
    const copy = haproxyCopy(CONFIG, world.placement, new Map([[80, 12345]]));
    const out = outboundAddresses(copy);
    expect(out.length).toBeGreaterThanOrEqual(2);
    for (const a of out) expect(['stdout', 'stderr'].includes(a) || loopback(a.split(':')[0]!)).toBe(true);
    expect(copy).not.toMatch(/10\.1\.2\.3|db1\.example|10\.9\.9\.9|10\.9\.9\.8|10\.0\.0\.1/);
    expect(copy.split('\n')).toHaveLength(CONFIG.split('\n').length);
  });
});
