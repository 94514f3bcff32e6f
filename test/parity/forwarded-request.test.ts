// What the server receives: the same request head from real HAProxy 2.6 and from our engine — header names,
// X-Forwarded-For, connection handling and the header actions of http-request rules.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';

/** Records every request head it receives and answers 200 with a length. */
function startRecorder(): Promise<{ port: number; heads: string[]; close(): Promise<void> }> {
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {}); // a proxy that stops resets its idle connections
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
        const bodyLen = cl ? Number(cl[1]) : 0;
        if (buf.length < end + 4 + bodyLen) return;
        heads.push(buf.slice(0, end + 4 + bodyLen));
        buf = buf.slice(end + 4 + bodyLen);
        sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        heads,
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(() => r()));
        },
      }),
    ),
  );
}

function exchange(port: number, bytes: string, localAddress = '127.0.0.1'): Promise<void> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port, localAddress });
    const timer = setTimeout(() => sock.destroy(), 400);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    sock.on('error', () => {});
    sock.on('connect', () => sock.write(bytes));
  });
}

const REQUESTS: [string, string][] = [
  ['a plain GET', 'GET /a?b=1 HTTP/1.1\r\nHost: example\r\nUser-Agent: test\r\nAccept: */*\r\n\r\n'],
  ['an HTTP/1.0 request', 'GET /old HTTP/1.0\r\nHost: example\r\n\r\n'],
  ['a request that asks to close', 'GET /c HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n'],
  ['a client that already sends X-Forwarded-For', 'GET /x HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 10.1.2.3\r\n\r\n'],
  ['a POST with a body', 'POST /submit HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\nname=ab'],
  ['a chunked POST', 'POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n'],
  ['headers set, added and deleted by rules', 'GET /rules HTTP/1.1\r\nHost: h\r\nX-Secret: s\r\nX-Env: old\r\n\r\n'],
];

const CONFIG = (serverPort: number) => `
defaults
    mode http
    option forwardfor
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    http-request set-header X-Env lab if { path /rules }
    http-request add-header X-Client %[src] if { path /rules }
    http-request del-header X-Secret
    default_backend be
backend be
    server s1 127.0.0.1:${serverPort}
`;

describe.skipIf(!hasHaproxy)('the request a server receives matches real HAProxy 2.6', () => {
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  const expected = new Map<string, string[]>();

  beforeAll(async () => {
    recorder = await startRecorder();
    const real = await startHaproxy(CONFIG(recorder.port));
    try {
      for (const [name, bytes] of REQUESTS) {
        const before = recorder.heads.length;
        await exchange(real.port, bytes, '127.0.0.9');
        expected.set(name, recorder.heads.slice(before));
      }
    } finally {
      await real.stop();
    }
  }, 30_000);

  afterAll(async () => {
    await recorder?.close();
  });

  it.each(REQUESTS.map(([name]) => [name]))('%s', async (name) => {
    const ours = await startEngine(CONFIG(recorder.port));
    try {
      const before = recorder.heads.length;
      await exchange(ours.port, REQUESTS.find(([n]) => n === name)![1], '127.0.0.9');
      expect(recorder.heads.slice(before)).toEqual(expected.get(name));
    } finally {
      await ours.stop();
    }
  });
});
