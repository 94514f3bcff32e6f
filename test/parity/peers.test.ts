// peers sections against real HAProxy 2.6 with only the local peer: the tables they declare ("PEERS/TABLE") and
// the proxies' tables shared through "peers NAME" count as HAProxy's do (track-sc, the fetches, "show table"),
// the local peer listens and answers a peer's hello with HAProxy's status lines, and `haproxy -c`'s verdicts and
// messages on peers sections are the loader's.
import net from 'node:net';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createCommandProcessor } from '../../proxy/runtime-api/index.ts';
import { checkBoth } from '../helpers/config-check.ts';
import { startEngine } from '../helpers/engine.ts';
import { freePort, hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { exchange } from '../helpers/raw-http.ts';

const CONFIG = (local: string) => `
global
    stats socket {{sock}} level admin
    localpeer lab1
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 1s
peers mesh
    peer ${local} 127.0.0.1:{{port1}}
    peer far 127.0.0.1:1
    table hits type ip size 1k expire 1m store http_req_cnt,http_req_rate(10s),gpc0
    table names type string len 16 size 100 store conn_cnt
backend shared
    stick-table type ip size 10 expire 1m store http_req_cnt peers mesh
frontend fe
    bind 127.0.0.1:{{port0}}
    http-request track-sc0 src table mesh/hits
    http-request track-sc1 req.hdr(x-user) table mesh/names if { req.hdr(x-user) -m found }
    http-request track-sc2 src table shared
    http-request sc-inc-gpc0(0) if { path /inc }
    http-request return status 200 content-type text/plain lf-string "cnt=%[sc0_http_req_cnt] rate=%[sc_http_req_rate(0)] gpc0=%[sc0_get_gpc0] user=%[sc1_conn_cnt] shared=%[sc2_http_req_cnt] avl=%[table_avl(mesh/hits)] cnt2=%[table_cnt(mesh/names)]\\n"
`;

interface Side {
  readonly port: number;
  readonly peerPort: number;
  cli(command: string): Promise<string>;
  stop(): Promise<void>;
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

async function real(config: string, listensAsPeer = true): Promise<Side> {
  // without a local peer nothing listens on {{port1}}: wait only for the frontend's port, chosen here
  const fePort = listensAsPeer ? undefined : await freePort();
  const text = fePort === undefined ? config : config.replace('{{port0}}', String(fePort));
  const h = await startHaproxy(text, { ports: 2, ...(fePort === undefined ? {} : { waitPorts: [fePort] }) });
  return { port: fePort ?? h.ports[0]!, peerPort: h.ports[1]!, cli: (c) => askSocket(h.socketPath, c), stop: () => h.stop() };
}

async function ours(config: string): Promise<Side> {
  const h = await startEngine(config.replace(/^ {4}stats socket.*\n/m, ''), { ports: 2 });
  const cli = createCommandProcessor(h.engine, { level: 'admin' });
  return { port: h.ports[0]!, peerPort: h.ports[1]!, cli: async (c) => `${cli.run(c).output}\n`, stop: () => h.stop() };
}

// The status line a peer that connects to the local peer receives for its hello ('' when none came before the close
// or 1.5 s). What follows a 200 is the peers protocol's messages (a resync request, the tables pushed to the local
// peer): test/parity/peers-sync.test.ts compares those.
function hello(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    const done = (): void => resolve(got.includes('\n') ? got.slice(0, got.indexOf('\n') + 1) : got);
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('close', done);
    s.on('error', done);
    setTimeout(() => s.destroy(), 1500);
  });
}

const HELLOS = [
  'HAProxyS 2.1\nlab1\nfar 4242 1\n',
  'HAProxyS 2.1\r\nlab1\r\nlab1 4242 1\r\n',
  'HAProxyS 2.0\nlab1\nfar 1 1\n',
  'HAProxyS 2.1\nother\nfar 1 1\n',
  'HAProxyS 2.1\nlab1\nnobody 1 1\n',
  'HAProxyS 2.1\nlab1\nfar\n',
  'HAProxyS 3.0\nlab1\nfar 1 1\n',
  'HAProxyS 2.2\nlab1\nfar 1 1\n',
  'HAProxyS 2.1x\nlab1\nfar 1 1\n',
  'hello\n',
  'HAProxyS 2.1\nlab1\n',
];

async function play(side: Side): Promise<{ answers: string[]; tables: string[]; hellos: string[] }> {
  const answers: string[] = [];
  const send = async (path: string, from: string, user?: string): Promise<void> => {
    const raw = await exchange(side.port, `GET ${path} HTTP/1.1\r\nHost: h\r\n${user ? `X-User: ${user}\r\n` : ''}Connection: close\r\n\r\n`, 300, false, from);
    answers.push(raw.slice(raw.indexOf('\r\n\r\n') + 4));
  };
  await send('/', '127.0.0.1');
  await send('/inc', '127.0.0.1', 'ann');
  await send('/', '127.0.0.2', 'bob');
  await send('/inc', '127.0.0.1', 'ann');
  await send('/', '127.0.0.1');
  // the entry address and the expiry countdown differ between two processes
  const mask = (t: string): string => t.replace(/^0x[0-9a-f]+:/gm, 'ADDR:').replace(/exp=\d+/g, 'exp=EXP');
  const tables = [mask(await side.cli('show table')), mask(await side.cli('show table mesh/hits')), mask(await side.cli('show table mesh/names')), mask(await side.cli('show table shared'))];
  const hellos: string[] = [];
  for (const h of HELLOS) hellos.push(await hello(side.peerPort, h));
  return { answers, tables, hellos };
}

describe.skipIf(!hasHaproxy)('peers sections with only the local peer run as in HAProxy 2.6', () => {
  it('counts in the tables a peers section declares and shares, and answers a peer hello as HAProxy does', async () => {
    const config = CONFIG('lab1');
    const h = await real(config);
    let expected: Awaited<ReturnType<typeof play>>;
    try {
      expected = await play(h);
    } finally {
      await h.stop();
    }
    const e = await ours(config);
    let got: Awaited<ReturnType<typeof play>>;
    try {
      got = await play(e);
    } finally {
      await e.stop();
    }
    expect(got.answers).toEqual(expected.answers);
    expect(got.answers[4]).toContain('cnt=4 rate=4 gpc0=2');
    expect(got.tables).toEqual(expected.tables);
    HELLOS.forEach((text, i) => expect(got.hellos[i], JSON.stringify(text)).toBe(expected.hellos[i]));
    expect(got.hellos[0]).toBe('200\n');
  }, 60_000);

  it('keeps the tables of a section without this process as a peer, and does not listen for it', async () => {
    // no "localpeer": the local peer name is the host name, as for haproxy without -L
    const config = CONFIG('elsewhere').replace('    localpeer lab1\n', '');
    const h = await real(config, false);
    let expected: Awaited<ReturnType<typeof play>>;
    try {
      expected = await play(h);
    } finally {
      await h.stop();
    }
    const e = await ours(config);
    let got: Awaited<ReturnType<typeof play>>;
    try {
      got = await play(e);
    } finally {
      await e.stop();
    }
    expect(got.answers).toEqual(expected.answers);
    expect(got.tables).toEqual(expected.tables);
    expect(got.hellos).toEqual(expected.hellos);
    expect(got.hellos.every((x) => x === '')).toBe(true);
  }, 60_000);
});

const BASE = `defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend fe
    bind 127.0.0.1:1
`;
const me = hostname();

const CASES: Record<string, string> = {
  'a section of tables only is removed with a warning, its tables stay usable':
    `peers p\n    table t type ip size 1k\n${BASE}    http-request track-sc0 src table p/t\n`,
  'a table shared with a missing peers section is refused':
    `peers p\n    peer ${me} 127.0.0.1:1\n${BASE}backend b\n    stick-table type ip size 1k peers nope\n`,
  'bind and server lines declare the local peer too':
    `peers p\n    bind 127.0.0.1:1\n    server ${me}\n    server other 127.0.0.1:2\n    table t type ip size 1k\n${BASE}backend b\n    stick-table type ip size 1k peers p\n`,
  'mixing peer and bind lines is refused': `peers p\n    peer ${me} 127.0.0.1:1\n    bind 127.0.0.1:2\n${BASE}`,
  'a peers table may not take the name of an earlier table':
    `${BASE}backend b\n    stick-table type ip size 1k\npeers p\n    peer ${me} 127.0.0.1:1\n    table b type ip size 1k\n`,
  'a proxy table may not take the name of an earlier peers table':
    `peers p\n    peer ${me} 127.0.0.1:1\n    table b type ip size 1k\n${BASE}backend b\n    stick-table type ip size 1k\n`,
  'the local peer declared twice is refused': `peers p\n    peer ${me} 127.0.0.1:1\n    peer ${me} 127.0.0.1:2\n${BASE}`,
  'an unknown keyword in a peers section is refused': `peers p\n    peer ${me} 127.0.0.1:1\n    foo bar\n${BASE}`,
  'two peers sections of one name are refused': `peers p\n    peer ${me} 127.0.0.1:1\npeers p\n    peer x 127.0.0.1:2\n${BASE}`,
  'a missing peers table is refused by track-sc': `peers p\n    peer ${me} 127.0.0.1:1\n${BASE}    http-request track-sc0 src table p/nope\n`,
  'a peers table is not found by its bare name': `peers p\n    peer ${me} 127.0.0.1:1\n    table t type ip size 1k\n${BASE}    http-request track-sc0 src table t\n`,
  'checks on a peer are ignored with a warning': `peers p\n    peer ${me} 127.0.0.1:1 check\n${BASE}`,
  'localpeer names the local peer': `global\n    localpeer me2\npeers p\n    peer me2 127.0.0.1:1\n${BASE}`,
  'localpeer after a peers section is ignored': `peers p\n    peer ${me} 127.0.0.1:1\nglobal\n    localpeer me2\n${BASE}`,
  'a peers section needs a name': `peers\n    peer ${me} 127.0.0.1:1\n${BASE}`,
  'a peers table with a bad argument is refused': `peers p\n    peer ${me} 127.0.0.1:1\n    table t type ip\n${BASE}`,
  'a disabled section is silently left out': `peers p\n    disabled\n    peer other 127.0.0.1:1\n${BASE}backend b\n    stick-table type ip size 1k peers p\n`,
};

describe.skipIf(!hasHaproxy)('haproxy -c and the loader agree on peers sections', () => {
  for (const [name, text] of Object.entries(CASES)) {
    it(name, () => {
      const { haproxy, engine } = checkBoth(text);
      expect(engine.accepted, JSON.stringify(haproxy)).toBe(haproxy.accepted);
      expect(engine.alerts).toEqual(haproxy.alerts);
      for (const w of haproxy.warnings) expect(engine.warnings).toContain(w);
    });
  }
});
