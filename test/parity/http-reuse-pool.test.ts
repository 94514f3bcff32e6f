// The idle pool behind http-reuse safe, against real HAProxy 2.6: clients that each send one request and leave
// never reuse (a first request takes no idle connection), so each opens a server connection; HAProxy then keeps
// only what the server was seen to need at once (srv_add_to_idle_list) and closes the rest at once. Without that
// bound the engine pooled one idle connection per request, thousands under load. HAProxy closes the ones it does not
// keep with an RST (NOLINGER), so no TIME_WAIT piles up on its side; a FIN from the engine left one per request.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../helpers/engine.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { exchange, serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

const CONFIG = (port: number) => `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout http-keep-alive 5s
listen safe
    bind 127.0.0.1:{{port0}}
    server s1 127.0.0.1:${port}
`;

// A keep-alive server that counts the connections it accepts and how many are still open.
// How each closed connection ended: 'reset' (an RST: ECONNRESET) or 'fin' (the proxy ended it cleanly).
async function counting(): Promise<{ server: TestServer; accepted: () => number; open: () => number; endings: () => string[] }> {
  let accepted = 0;
  let open = 0;
  const endings: string[] = [];
  const server = await serveOnLoopback((sock: net.Socket) => {
    accepted++;
    open++;
    let ending = 'fin';
    sock.on('error', (e: NodeJS.ErrnoException) => (ending = e.code === 'ECONNRESET' ? 'reset' : `error ${e.code}`));
    sock.on('end', () => sock.end());
    sock.on('close', () => {
      open--;
      endings.push(ending);
    });
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }
    });
  });
  return { server, accepted: () => accepted, open: () => open, endings: () => [...endings] };
}

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
const CLIENTS = 12;

// One client after another, each sending one request; then the server's accepted and still-open connections.
// `closed`: how the connections the proxy closed while it ran (the pool's refusals) ended.
async function play(port: number, s: Awaited<ReturnType<typeof counting>>): Promise<{ accepted: number; open: number; closed: string[] }> {
  const before = s.accepted();
  const endedBefore = s.endings().length;
  for (let i = 0; i < CLIENTS; i++) await exchange(port, GET, 200);
  await new Promise((r) => setTimeout(r, 300));
  return { accepted: s.accepted() - before, open: s.open(), closed: s.endings().slice(endedBefore) };
}

describe.skipIf(!hasHaproxy)('the idle server connections http-reuse safe keeps, as real HAProxy 2.6', () => {
  let srv: Awaited<ReturnType<typeof counting>>;
  let theirs: { accepted: number; open: number; closed: string[] };
  let ours: { accepted: number; open: number; closed: string[] };

  beforeAll(async () => {
    srv = await counting();
    const cfg = CONFIG(srv.server.port);
    const real = await startHaproxy(cfg, { ports: 1 });
    try {
      theirs = await play(real.ports[0]!, srv);
    } finally {
      await real.stop();
    }
    await new Promise((r) => setTimeout(r, 200));
    const engine = await startEngine(cfg, { ports: 1 });
    try {
      ours = await play(engine.ports[0]!, srv);
    } finally {
      await engine.stop();
    }
  }, 60_000);

  afterAll(async () => {
    await srv.server.close();
  });

  it('opens a server connection for every first request', () => {
    expect(theirs.accepted).toBe(CLIENTS);
    expect(ours.accepted).toBe(theirs.accepted);
  });

  it('keeps only what the server needed at once in the idle pool, and closes the rest', () => {
    // one client at a time: one connection was ever in use at once, so one stays idle
    expect(theirs.open).toBeLessThanOrEqual(2);
    expect(ours.open).toBe(theirs.open);
  });

  it('closes the connections it does not keep with an RST, as HAProxy does (no TIME_WAIT on the proxy side)', () => {
    expect(theirs.closed.length).toBe(CLIENTS - theirs.open);
    expect(new Set(theirs.closed)).toEqual(new Set(['reset']));
    expect(ours.closed.length).toBe(CLIENTS - ours.open);
    expect(ours.closed).toEqual(theirs.closed);
  });
});
