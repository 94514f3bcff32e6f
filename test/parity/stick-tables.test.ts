// Stick tables against real HAProxy 2.6: rate limiting with track-sc0 and sc_http_req_rate (the 429s), the
// sc*_/src_* fetches, table converters and gpc/gpt actions read back through a header, "show/clear/set table" on
// the stats socket (byte for byte, the entry address and the expiry countdown masked), expiry, and stick on src.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandProcessor } from '../../proxy/runtime-api/index.ts';
import { startEngine, type EngineHandle } from '../helpers/engine.ts';
import { hasHaproxy, startHaproxy, type HaproxyHandle } from '../helpers/haproxy.ts';
import { exchange, serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

// A server that names itself and echoes the request head it received (so headers set by rules can be read).
function startNamedEcho(name: string): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end + 4);
        buf = buf.slice(end + 4);
        sock.write(`HTTP/1.1 200 OK\r\nX-Server: ${name}\r\nContent-Length: ${head.length}\r\n\r\n${head}`);
      }
    });
  });
}

/** One proxy under test, reached the same way whichever it is. */
interface Proxy {
  readonly port: number;
  cli(command: string): Promise<string>;
  stop(): Promise<void>;
}

async function real(config: string): Promise<Proxy> {
  const h: HaproxyHandle = await startHaproxy(config);
  return { port: h.port, cli: (c) => askSocket(h.socketPath, c), stop: () => h.stop() };
}

async function ours(config: string): Promise<Proxy> {
  const h: EngineHandle = await startEngine(config.replace(/^ {4}stats socket.*\n/m, ''));
  const cli = createCommandProcessor(h.engine, { level: 'admin' });
  return { port: h.port, cli: async (c) => `${cli.run(c).output}\n`, stop: () => h.stop() };
}

function askSocket(path: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(path);
    let out = '';
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
    sock.write(`${command}\n`);
  });
}

const statusOf = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
const get = (p: Proxy, path: string, from = '127.0.0.1', headers = ''): Promise<string> =>
  exchange(p.port, `GET ${path} HTTP/1.1\r\nHost: h\r\n${headers}Connection: close\r\n\r\n`, 300, false, from);
const header = (answer: string, name: string): string | undefined =>
  new RegExp(`^${name}: (.*)\\r$`, 'mi').exec(answer)?.[1];

// The entry's address differs between processes, and the expiry countdown by a few ms: masked, the rest kept.
const maskTable = (text: string): string =>
  text.replace(/^0x[0-9a-f]+:/gm, '0xADDR:').replace(/ exp=(\d+)/g, (_m, n: string) => ` exp~${Math.floor(Number(n) / 1000)}s`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const RATE_CONFIG = (port: number) => `
global
    stats socket {{sock}} level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    stick-table type ip size 100k expire 30s store http_req_rate(10s),http_req_cnt,conn_cnt,conn_cur,gpc0,gpt0,http_err_cnt
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 10 }
    http-request sc-inc-gpc0(0) if { path_beg /inc }
    http-request sc-set-gpt0(0) 42 if { path_beg /gpt }
    http-request set-header X-Req-Cnt %[sc0_http_req_cnt]
    http-request set-header X-Rate %[sc_http_req_rate(0)]
    http-request set-header X-Gpc0 %[sc0_get_gpc0]
    http-request set-header X-Gpt0 %[sc_get_gpt0(0)]
    http-request set-header X-Conn-Cur %[sc0_conn_cur]
    http-request set-header X-Trackers %[sc0_trackers]
    http-request set-header X-Tracked %[sc0_tracked]
    http-request set-header X-Untracked %[sc1_tracked]
    http-request set-header X-Src-Cnt %[src_http_req_cnt]
    http-request set-header X-Src-Other %[src_http_req_cnt(fe),add(1000)]
    http-request set-header X-Table-Cnt %[table_cnt]
    http-request set-header X-Table-Avl %[table_avl(fe)]
    http-request set-header X-Conv %[src,table_http_req_cnt(fe)]
    http-request set-header X-In %[src,in_table(fe)]
    http-request set-header X-Nokey %[str(10.9.9.9),table_http_req_cnt(fe)]
    http-request set-header X-Err %[sc0_http_err_cnt]
    default_backend be
backend be
    server s1 127.0.0.1:${port}
`;

// Fifteen requests from 127.0.0.2 (the 11th and later are over the limit), then what the rules read back.
async function driveRate(p: Proxy): Promise<{ statuses: number[]; reads: Record<string, string | undefined>[]; table: string; key: string }> {
  const statuses: number[] = [];
  for (let i = 0; i < 15; i++) statuses.push(statusOf(await get(p, '/r', '127.0.0.2')));
  const reads: Record<string, string | undefined>[] = [];
  const names = ['x-req-cnt', 'x-rate', 'x-gpc0', 'x-gpt0', 'x-conn-cur', 'x-trackers', 'x-tracked', 'x-untracked', 'x-src-cnt', 'x-src-other', 'x-table-cnt', 'x-table-avl', 'x-conv', 'x-in', 'x-nokey', 'x-err'];
  for (const path of ['/inc', '/inc', '/gpt', '/r']) {
    const a = await get(p, path, '127.0.0.3');
    reads.push(Object.fromEntries([['status', String(statusOf(a))], ...names.map((n) => [n, header(a, n)])]));
  }
  const table = maskTable(await p.cli('show table fe'));
  const key = maskTable(await p.cli('show table fe key 127.0.0.3'));
  return { statuses, reads, table, key };
}

describe.skipIf(!hasHaproxy)('rate limiting with a stick table matches real HAProxy 2.6', () => {
  let echo: TestServer;
  let theirs: Awaited<ReturnType<typeof driveRate>>;
  let mine: Awaited<ReturnType<typeof driveRate>>;

  beforeAll(async () => {
    echo = await startNamedEcho('s1');
    const cfg = RATE_CONFIG(echo.port);
    const h = await real(cfg);
    try {
      theirs = await driveRate(h);
    } finally {
      await h.stop();
    }
    const e = await ours(cfg);
    try {
      mine = await driveRate(e);
    } finally {
      await e.stop();
    }
  }, 90_000);

  afterAll(async () => {
    await echo?.close();
  });

  it('denies with 429 once sc_http_req_rate(0) is over 10, on the same requests', () => {
    expect(theirs.statuses).toEqual([...Array(10).fill(200), ...Array(5).fill(429)]);
    expect(mine.statuses).toEqual(theirs.statuses);
  });

  it('reads the same sc0_*, sc_*, src_*, table_* values and gpc0/gpt0 changes in the rules', () => {
    expect(theirs.reads[0]!['x-gpc0']).toBe('1');
    expect(theirs.reads[2]!['x-gpt0']).toBe('42');
    expect(mine.reads).toEqual(theirs.reads);
  });

  it('shows the same table on the stats socket', () => {
    expect(theirs.table).toContain('key=127.0.0.2');
    expect(mine.table).toBe(theirs.table);
    expect(mine.key).toBe(theirs.key);
  });
});

// The runtime API on two tables (one in a backend that only holds a table), entries made by traffic and by
// "set table", filters, keys, clear, the errors, and expiry: entries nobody tracks go once `expire` has passed.
const CLI_CONFIG = (port: number) => `
global
    stats socket {{sock}} level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
backend counters
    stick-table type string len 16 size 10 expire 1500ms store gpc0,http_req_cnt,bytes_out_cnt,gpc0_rate(1s)
frontend fe
    bind 127.0.0.1:{{port}}
    stick-table type ip size 1k expire 1500ms store http_req_cnt,http_req_rate(10s),conn_cur,sess_cnt
    tcp-request connection track-sc1 src
    http-request track-sc0 req.hdr(x-user) table counters if { req.hdr(x-user) -m found }
    default_backend be
backend be
    server s1 127.0.0.1:${port}
`;

const CLI_STEPS = [
  'show table',
  'show table fe',
  'show table counters',
  'show table counters data.http_req_cnt gt 1',
  'show table counters data.http_req_cnt ge 1 data.gpc0 eq 0',
  'show table counters key alice',
  'show table counters key nobody',
  'set table counters key carol data.gpc0 7 data.gpc0_rate 3',
  'show table counters key carol',
  'set table counters key dave data.conn_cur 1',
  'set table counters key dave data.nope 1',
  'set table counters key dave data.gpc0 x',
  'set table counters key dave foo 1',
  'show table counters data.gpc0 zz 1',
  'show table counters data.nope eq 1',
  'show table counters data.gpc0 eq',
  'show table counters data.gpc0 eq 1 data.gpc0 eq 2 data.gpc0 eq 3 data.gpc0 eq 4 extra',
  'show table counters foo',
  'show table nosuch',
  'clear table counters key alice',
  'show table counters',
  'clear table counters data.gpc0 eq 7',
  'show table counters',
  'clear table',
  'set table',
  'show table fe key 127.0.0.4',
  'clear table fe',
  'show table fe',
];

async function driveCli(p: Proxy): Promise<{ steps: string[]; expired: string; afterExpiry: string }> {
  for (const user of ['alice', 'alice', 'bob']) await get(p, '/', '127.0.0.4', `X-User: ${user}\r\n`);
  await get(p, '/', '127.0.0.5');
  const steps: string[] = [];
  for (const c of CLI_STEPS) steps.push(`${c}\n${maskTable(await p.cli(c))}`);
  await get(p, '/', '127.0.0.6', 'X-User: erin\r\n');
  const expired = maskTable(await p.cli('show table counters'));
  await sleep(1800);
  return { steps, expired, afterExpiry: maskTable(await p.cli('show table counters')) + maskTable(await p.cli('show table fe')) };
}

describe.skipIf(!hasHaproxy)('show/clear/set table on the stats socket match real HAProxy 2.6', () => {
  let echo: TestServer;
  let theirs: Awaited<ReturnType<typeof driveCli>>;
  let mine: Awaited<ReturnType<typeof driveCli>>;

  beforeAll(async () => {
    echo = await startNamedEcho('s1');
    const cfg = CLI_CONFIG(echo.port);
    const h = await real(cfg);
    try {
      theirs = await driveCli(h);
    } finally {
      await h.stop();
    }
    const e = await ours(cfg);
    try {
      mine = await driveCli(e);
    } finally {
      await e.stop();
    }
  }, 90_000);

  afterAll(async () => {
    await echo?.close();
  });

  CLI_STEPS.forEach((c, i) => {
    it(`answers "${c}" as haproxy does`, () => {
      expect(mine.steps[i]).toBe(theirs.steps[i]);
    });
  });

  it('is not vacuous: haproxy listed entries and their counters', () => {
    expect(theirs.steps[2]).toContain('key=alice use=0');
    expect(theirs.steps[2]).toContain('http_req_cnt=2');
    expect(theirs.steps[8]).toContain('gpc0=7');
  });

  it('drops entries once expire has passed, as haproxy does', () => {
    expect(theirs.expired).toContain('key=erin');
    expect(theirs.afterExpiry).not.toContain('key=');
    expect(mine.expired).toBe(theirs.expired);
    expect(mine.afterExpiry).toBe(theirs.afterExpiry);
  });
});

// Persistence: "stick on src" sends each client back to the server that first answered it; "stick
// store-response" keeps a key read from the response and "stick match" sends a later request to its server.
const STICK_CONFIG = (ports: readonly number[]) => `
global
    stats socket {{sock}} level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    use_backend byname if { req.hdr(x-want) -m found } || { path_beg /learn }
    default_backend app
backend app
    balance roundrobin
    stick-table type ip size 1k expire 30s
    stick on src
    server s1 127.0.0.1:${ports[0]}
    server s2 127.0.0.1:${ports[1]}
    server s3 127.0.0.1:${ports[2]}
backend byname
    balance roundrobin
    stick-table type string len 8 size 1k expire 30s
    stick match req.hdr(x-want)
    stick store-response res.hdr(x-server)
    server s1 127.0.0.1:${ports[0]}
    server s2 127.0.0.1:${ports[1]}
    server s3 127.0.0.1:${ports[2]}
`;

async function driveStick(p: Proxy): Promise<{ who: string[]; app: string; byname: string }> {
  const who: string[] = [];
  for (const from of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.2', '127.0.0.5', '127.0.0.3', '127.0.0.2', '127.0.0.4']) {
    who.push(`${from} ${header(await get(p, '/', from), 'x-server')}`);
  }
  for (let i = 0; i < 3; i++) who.push(`learn ${header(await get(p, '/learn'), 'x-server')}`);
  for (const want of ['s2', 's3', 's2', 's1', 'nobody']) who.push(`want ${want} ${header(await get(p, '/', '127.0.0.1', `X-Want: ${want}\r\n`), 'x-server')}`);
  return { who, app: maskTable(await p.cli('show table app')), byname: maskTable(await p.cli('show table byname')) };
}

describe.skipIf(!hasHaproxy)('stick on / match / store-response persistence matches real HAProxy 2.6', () => {
  const servers: TestServer[] = [];
  let theirs: Awaited<ReturnType<typeof driveStick>>;
  let mine: Awaited<ReturnType<typeof driveStick>>;

  beforeAll(async () => {
    for (const n of ['s1', 's2', 's3']) servers.push(await startNamedEcho(n));
    const cfg = STICK_CONFIG(servers.map((s) => s.port));
    const h = await real(cfg);
    try {
      theirs = await driveStick(h);
    } finally {
      await h.stop();
    }
    const e = await ours(cfg);
    try {
      mine = await driveStick(e);
    } finally {
      await e.stop();
    }
  }, 90_000);

  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('sends each request to the server haproxy sends it to', () => {
    expect(new Set(theirs.who.slice(0, 3).map((w) => w.split(' ')[1])).size).toBe(3);
    expect(mine.who).toEqual(theirs.who);
  });

  it('stores server_id and server_key as haproxy shows them', () => {
    expect(theirs.app).toContain('server_id=');
    expect(mine.app).toBe(theirs.app);
    expect(mine.byname).toBe(theirs.byname);
  });
});
