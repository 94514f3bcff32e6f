// The runtime API of the real engine (not a fake) against real HAProxy 2.6: one haproxy.cfg with a
// `stats socket`, the same commands through socat, the same answers; and a weight change takes effect on the
// very next pick in both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy, type HaproxyHandle } from '../helpers/haproxy.ts';
import { ask, startNamedBackends, type NamedBackends } from '../helpers/named-backends.ts';
import { fillServers, startEngine, type EngineHandle } from '../helpers/engine.ts';
import { socat } from '../proxy/runtime-api/socat.ts';

const CONFIG = `
global
    stats socket {{sock}} level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend http_front
    bind 127.0.0.1:{{port}}
    default_backend servers
backend servers
    balance roundrobin
    server server1 127.0.0.1:{{srv:app1}} weight 2
    server server2 127.0.0.1:{{srv:app2}} weight 1
    server server3 127.0.0.1:{{srv:app3}} weight 3
backend fixed
    balance static-rr
    server a 127.0.0.1:{{srv:app1}}
`;

/** `show stat` rows without the columns that depend on time, on traffic counters the engine does not keep
 * (rate counters), on the idle-connection pool's internals, or on the machine (HAProxy derives its default maxconn, hence slim, from
 * ulimit -n). */
function statRows(csv: string): string[] {
  const lines = csv.split('\n').filter(Boolean);
  const cols = lines[0]!.replace(/^# /, '').split(',');
  const drop = new Set(['srv_icur', 'idle_conn_cur', 'safe_conn_cur', 'used_conn_cur', 'need_conn_est', 'slim', 'lastchg', 'downtime', 'check_duration', 'rtime', 'ttime', 'ctime', 'qtime', 'rtime_max', 'ttime_max',
    'ctime_max', 'qtime_max', 'lastsess', 'bin', 'bout', 'rate', 'rate_max', 'req_rate', 'req_rate_max', 'conn_rate', 'conn_rate_max',
    'h1_open_connections', 'h1_open_streams', 'h1_total_connections', 'h1_total_streams', 'h1_bytes_in', 'h1_bytes_out',
    'req_tot', 'cache_lookups', 'intercepted', 'sess_other', 'connect', 'reuse', 'scur', 'smax', 'stot', 'lbtot', 'conn_tot']);
  return lines.slice(1).map((l) => l.split(',').filter((_v, i) => !drop.has(cols[i]!)).join(','));
}

describe.skipIf(!hasHaproxy)("the engine's runtime API answers like HAProxy 2.6's (socat)", () => {
  let backends: NamedBackends;
  let real: HaproxyHandle;
  let ours: EngineHandle;
  let dir: string;
  let ourSock: string;

  beforeAll(async () => {
    backends = await startNamedBackends(['app1', 'app2', 'app3']);
    const cfg = fillServers(CONFIG, backends.servers);
    real = await startHaproxy(cfg);
    dir = mkdtempSync(join(tmpdir(), 'lab-engine-sock-'));
    ourSock = join(dir, 'admin.sock');
    ours = await startEngine(cfg.replace('{{sock}}', ourSock));
  });
  afterAll(async () => {
    await ours?.stop();
    await real?.stop();
    await backends?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const both = async (cmd: string): Promise<[string, string]> => [await socat(ourSock, cmd + '\n'), await socat(real.socketPath, cmd + '\n')];

  it('answers weight commands, errors included, with the same words', async () => {
    for (const cmd of ['show backend', 'get weight servers/server3', 'set weight servers/server3 7', 'get weight servers/server3',
      'set weight servers/server3 50%', 'get weight servers/server3', 'set weight fixed/a 5', 'set weight servers/nope 1',
      'get weight nope/server1', 'set weight servers/server3 3']) {
      const [o, t] = await both(cmd);
      expect({ cmd, out: o }).toEqual({ cmd, out: t });
    }
  });

  it('refuses set server fqdn on a server without resolvers, and without a name, as HAProxy does', async () => {
    for (const cmd of ['set server servers/server1 fqdn foo.fqdn', 'set server servers/server1 fqdn']) {
      const [o, t] = await both(cmd);
      expect({ cmd, out: o }).toEqual({ cmd, out: t });
    }
  });

  it('applies a weight change on the very next picks, in the same order as HAProxy', async () => {
    const run = async (port: number, sock: string) => {
      const seq: string[] = [];
      for (let i = 0; i < 6; i++) seq.push((await ask(port, '/')).body);
      await socat(sock, 'set weight servers/server2 4\n');
      for (let i = 0; i < 10; i++) seq.push((await ask(port, '/')).body);
      await socat(sock, 'set server servers/server3 state maint\n');
      for (let i = 0; i < 6; i++) seq.push((await ask(port, '/')).body);
      await socat(sock, 'set server servers/server3 state ready;set weight servers/server2 1\n');
      return seq;
    };
    const theirs = await run(real.port, real.socketPath);
    const mine = await run(ours.port, ourSock);
    expect(mine).toEqual(theirs);
  });

  it('shows the same stats and server states after maint, drain and health changes', async () => {
    for (const cmd of ['set server servers/server1 state drain', 'disable server servers/server2', 'set server servers/server3 health down']) {
      const [o, t] = await both(cmd);
      expect({ cmd, out: o }).toEqual({ cmd, out: t });
      const [os, ts] = await both('show stat');
      expect({ after: cmd, rows: statRows(os) }).toEqual({ after: cmd, rows: statRows(ts) });
    }
    const [o, t] = await both('show servers state servers');
    const since = (s: string) => s.replace(/^(\d+ \S+ \d+ \S+ \S+ \d+ \d+ \d+ \d+) \d+ /gm, '$1 T ');
    expect(since(o)).toBe(since(t));
  });
});
