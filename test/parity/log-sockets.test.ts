// Log lines sent to sockets the test opens, compared with what real HAProxy 2.6 sends for the same config: UNIX
// datagram sockets (a path, unix@path), UDP to a host name, every framing format, `len`, `sample`, `log-tag` (global
// and per proxy) and `log-send-hostname`. Only what differs between two processes is normalised: the pid, dates and
// the client's port and timings.
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { exchange, startRawServer, type TestServer } from '../helpers/raw-http.ts';

interface UnixDgram {
  bind(path: string): void;
  close(): void;
}
const unixDgram = createRequire(import.meta.url)('unix-dgram') as {
  createSocket(type: 'unix_dgram', onMessage: (buf: Buffer) => void): UnixDgram;
};

const CONFIG = (srv: number, sock: string, sock2: string, udp: number) => `
global
    log ${sock} local0
    log unix@${sock2} format rfc5424 local1
    log localhost:${udp} format rfc5424 local2 info
    log ${sock} format iso local3
    log ${sock} format timed local4
    log ${sock} format short sample 2-3:3 local5
    log ${sock} format priority sample 1:2 local6
    log ${sock} format local local7
    log-tag labtag
    log-send-hostname labhost
defaults
    log global
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 1s
frontend tagged
    bind 127.0.0.1:{{port0}}
    option httplog
    log-tag fetag
    default_backend be
frontend plain
    bind 127.0.0.1:{{port1}}
    log-format "%ci %ST %b/%s %{+Q}r and enough padding to be cut at eighty bytes exactly by len"
    log ${sock2} len 80 format raw sample 1,3:4 user
    default_backend be
backend be
    server s1 127.0.0.1:${srv}
`;

const normalize = (where: string, line: string) =>
  `${where} ` +
  line
    .replace(/\[\d+\]: /, '[PID]: ')
    .replace(/ \d+ - - /, ' PID - - ')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d/g, 'ISODATE')
    .replace(/[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d /, 'SYSDATE ')
    .replace(/127\.0\.0\.1:\d+ \[[^\]]+\]/, '127.0.0.1:PORT [DATE]')
    .replace(/ \d+\/\d+\/\d+\/\d+\/\d+ /, ' T/T/T/T/T ');

async function collect(start: (sock: string, sock2: string, udp: number) => Promise<{ ports: readonly number[]; stop(): Promise<void> }>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lab-logsock-'));
  const got: string[] = [];
  const sock = join(dir, 'log.sock');
  const sock2 = join(dir, 'log2.sock');
  const a = unixDgram.createSocket('unix_dgram', (b) => got.push(normalize('unix', b.toString('latin1'))));
  a.bind(sock);
  const b = unixDgram.createSocket('unix_dgram', (m) => got.push(normalize('unix2', m.toString('latin1'))));
  b.bind(sock2);
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m) => got.push(normalize('udp', m.toString('latin1'))));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  try {
    const proxy = await start(sock, sock2, (udp.address()).port);
    try {
      for (let i = 0; i < 4; i++) {
        await exchange(proxy.ports[i % 2]!, `GET /n${i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        await new Promise((r) => setTimeout(r, 60));
      }
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await proxy.stop();
    }
  } finally {
    a.close();
    b.close();
    udp.close();
    rmSync(dir, { recursive: true, force: true });
  }
  // datagrams of one request may arrive in any order across sockets: compare them as sorted lists
  return got.filter((l) => !/Proxy .* started|Stopping|stopped/.test(l)).sort();
}

describe.skipIf(!hasHaproxy)('log lines on UNIX datagram and UDP sockets match HAProxy 2.6', () => {
  let srv: TestServer;
  let expected: string[];
  let got: string[];
  beforeAll(async () => {
    srv = await startRawServer({ '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' });
    expected = await collect((s, s2, u) => startHaproxy(CONFIG(srv.port, s, s2, u), { ports: 2 }));
    got = await collect((s, s2, u) => startEngine(CONFIG(srv.port, s, s2, u), { ports: 2, configLogs: true }));
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });

  it('haproxy sent lines to every socket (the comparison below is not empty)', () => {
    expect(expected.filter((l) => l.startsWith('unix ')).length).toBeGreaterThan(8);
    expect(expected.some((l) => l.startsWith('unix2 '))).toBe(true);
    expect(expected.some((l) => l.startsWith('udp '))).toBe(true);
  });

  it('the engine sends the same lines, framed and cut the same way, to the same sockets', () => {
    expect(got).toEqual(expected);
  });
});
