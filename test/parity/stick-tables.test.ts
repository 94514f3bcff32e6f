// Stick tables against real HAProxy 2.6: rate limiting with track-sc0 and sc_http_req_rate (the 429s), the
// sc*_/src_* fetches, table converters and gpc/gpt actions read back through a header, "show/clear/set table" on
// the stats socket (byte for byte, the entry address and the expiry countdown masked), expiry, and stick on src.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandProcessor } from '../../proxy/runtime-api/index.ts';
import { startEngine, type EngineHandle } from '../helpers/engine.ts';
import { hasHaproxy, startHaproxy, type HaproxyHandle } from '../helpers/haproxy.ts';
import { startHeadEcho } from '../helpers/head-echo.ts';
import { exchange, serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

// A server that names itself and echoes the request head it received (so headers set by rules can be read).
const startNamedEcho = (name: string) => startHeadEcho(() => `X-Server: ${name}\r\n`);

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

// Mode tcp: tcp-request connection track-sc0 src, a limit on concurrent connections (sc0_conn_cur), the
// counters a connection leaves in the table (conn_cnt, sess_cnt, bytes), and stick on src across servers.
const TCP_CONFIG = (ports: readonly number[]) => `
global
    stats socket {{sock}} level admin
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    stick-table type ip size 1k expire 30s store conn_cur,conn_cnt,conn_rate(10s),sess_cnt,sess_rate(10s),bytes_in_cnt,bytes_out_cnt
    tcp-request connection track-sc0 src
    tcp-request connection reject if { sc0_conn_cur gt 1 }
    default_backend app
backend app
    balance roundrobin
    stick-table type ip size 1k expire 30s
    stick on src
    server s1 127.0.0.1:${ports[0]}
    server s2 127.0.0.1:${ports[1]}
`;

// A TCP server that answers each chunk with its own name and the chunk.
function startTcpNamed(name: string): Promise<TestServer> {
  return serveOnLoopback((sock) => sock.on('data', (d) => sock.write(`${name}:${d.toString('latin1')}`)));
}

function tcpHold(port: number, from: string, send: string): Promise<{ got: () => string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    let out = '';
    let closed = false;
    const sock = net.connect({ host: '127.0.0.1', port, localAddress: from });
    const handle = {
      got: () => out,
      close: () => new Promise<void>((r) => {
        if (closed) return r();
        sock.once('close', () => r());
        sock.end();
        setTimeout(() => {
          sock.destroy();
          r();
        }, 500);
      }),
    };
    sock.on('data', (d) => (out += d.toString('latin1')));
    // a connection the proxy refuses may be reset before it is seen as connected
    sock.on('error', () => resolve(handle));
    sock.on('close', () => {
      closed = true;
      resolve(handle);
    });
    sock.on('connect', () => {
      sock.write(send);
      resolve(handle);
    });
  });
}

async function driveTcp(p: Proxy): Promise<{ seen: string[]; table: string; app: string }> {
  const seen: string[] = [];
  const a = await tcpHold(p.port, '127.0.0.2', 'one');

  await sleep(200);
  const b = await tcpHold(p.port, '127.0.0.2', 'two');
  await sleep(300);
  seen.push(`held ${a.got()}`, `over limit "${b.got()}"`);
  await b.close();
  await a.close();
  await sleep(200);
  for (const from of ['127.0.0.3', '127.0.0.4', '127.0.0.3', '127.0.0.2']) {
    const c = await tcpHold(p.port, from, 'x');
    await sleep(200);
    seen.push(`${from} ${c.got()}`);
    await c.close();
    await sleep(100);
  }
  return { seen, table: maskTable(await p.cli('show table fe')), app: maskTable(await p.cli('show table app')) };
}

describe.skipIf(!hasHaproxy)('tcp-request connection tracking in mode tcp matches real HAProxy 2.6', () => {
  const servers: TestServer[] = [];
  let theirs: Awaited<ReturnType<typeof driveTcp>>;
  let mine: Awaited<ReturnType<typeof driveTcp>>;

  beforeAll(async () => {
    for (const n of ['s1', 's2']) servers.push(await startTcpNamed(n));
    const cfg = TCP_CONFIG(servers.map((s) => s.port));
    const h = await real(cfg);
    try {
      theirs = await driveTcp(h);
    } finally {
      await h.stop();
    }
    const e = await ours(cfg);
    try {
      mine = await driveTcp(e);
    } finally {
      await e.stop();
    }
  }, 90_000);

  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('rejects the second concurrent connection and sends clients where haproxy does', () => {
    expect(theirs.seen[1]).toBe('over limit ""');
    expect(mine.seen).toEqual(theirs.seen);
  });

  it('leaves the same counters in the tables', () => {
    expect(theirs.table).toContain('key=127.0.0.2');
    expect(mine.table).toBe(theirs.table);
    expect(mine.app).toBe(theirs.app);
  });
});

// The response side: a server's 4xx counts as an HTTP error of the tracked entry, an http-response track-sc
// counts its request and the response's status at once, and sc-inc-gpc1 runs in http-response rules.
const RESPONSE_CONFIG = (port: number) => `
global
    stats socket {{sock}} level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    stick-table type ip size 1k expire 30s store http_req_cnt,http_err_cnt,http_err_rate(10s),http_fail_cnt,gpc1
    http-request track-sc0 src if { path_beg /front }
    http-response track-sc1 src table late if { status 404 }
    http-response sc-inc-gpc1(0) if { status 404 }
    http-request deny deny_status 403 if { path_beg /front/deny }
    default_backend be
backend late
    stick-table type ip size 1k expire 30s store http_req_cnt,http_err_cnt,http_fail_cnt
backend be
    server s1 127.0.0.1:${port}
`;

function startStatusServer(): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const path = /^\S+ (\S+)/.exec(buf)?.[1] ?? '/';
        buf = buf.slice(end + 4);
        const status = path.includes('missing') ? '404 Not Found' : path.includes('broken') ? '503 Service Unavailable' : '200 OK';
        sock.write(`HTTP/1.1 ${status}\r\nContent-Length: 2\r\n\r\nok`);
      }
    });
  });
}

async function driveResponses(p: Proxy): Promise<{ statuses: number[]; fe: string; late: string }> {
  const statuses: number[] = [];
  for (const path of ['/front/a', '/front/missing', '/front/broken', '/front/deny', '/missing', '/missing', '/other']) {
    statuses.push(statusOf(await get(p, path, '127.0.0.7')));
  }
  return { statuses, fe: maskTable(await p.cli('show table fe')), late: maskTable(await p.cli('show table late')) };
}

describe.skipIf(!hasHaproxy)('response-side tracking matches real HAProxy 2.6', () => {
  let server: TestServer;
  let theirs: Awaited<ReturnType<typeof driveResponses>>;
  let mine: Awaited<ReturnType<typeof driveResponses>>;

  beforeAll(async () => {
    server = await startStatusServer();
    const cfg = RESPONSE_CONFIG(server.port);
    const h = await real(cfg);
    try {
      theirs = await driveResponses(h);
    } finally {
      await h.stop();
    }
    const e = await ours(cfg);
    try {
      mine = await driveResponses(e);
    } finally {
      await e.stop();
    }
  }, 90_000);

  afterAll(async () => {
    await server?.close();
  });

  it('counts 4xx answers, denials, 5xx failures and late tracks as haproxy does', () => {
    expect(theirs.statuses).toEqual([200, 404, 503, 403, 404, 404, 200]);
    expect(theirs.fe).toContain('http_req_cnt=4 http_err_cnt=2 http_err_rate(10000)=2 gpc1=1 http_fail_cnt=1');
    expect(theirs.late).toContain('http_req_cnt=3 http_err_cnt=3');
    expect(mine.statuses).toEqual(theirs.statuses);
    expect(mine.fe).toBe(theirs.fe);
    expect(mine.late).toBe(theirs.late);
  });
});
