import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCheckRequest, judgeResponse, probe } from '../../../../proxy/server/health/probe.ts';
import { freePort } from '../../../helpers/haproxy.ts';

const loc = { file: 't.cfg', line: 1, col: 1 };
const servers: Server[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

// A TCP server answering every request with `reply` (or staying silent when null); returns its port and what it received.
async function server(reply: string | null, close = true): Promise<{ port: number; received: string[] }> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const srv = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.on('data', (d) => {
      received.push(d.toString('latin1'));
      if (reply === null) return;
      if (close) s.end(reply);
      else s.write(reply);
    });
  });
  const origClose = srv.close.bind(srv);
  srv.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return origClose(cb);
  }) as typeof srv.close;
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  servers.push(srv);
  const addr = srv.address();
  return { port: typeof addr === 'object' && addr ? addr.port : 0, received };
}

const httpchk = (extra: Partial<{ method: string; uri: string; version: string; expectStatus: number[]; host: string }> = {}) => ({
  method: 'GET',
  uri: '/health',
  version: 'HTTP/1.0',
  loc,
  ...extra,
});

describe('tcp connect check', () => {
  it('passes with L4OK and no info when the port accepts', async () => {
    const { port } = await server(null);
    const r = await probe({ host: '127.0.0.1', port }, { inter: 1000 });
    expect(r).toMatchObject({ status: 'L4OK', ok: true, desc: '' });
    expect(r.code).toBeUndefined();
  });

  it('fails with L4CON "Connection refused" when nothing listens', async () => {
    const port = await freePort();
    const r = await probe({ host: '127.0.0.1', port }, { inter: 1000 });
    expect(r).toMatchObject({ status: 'L4CON', ok: false, desc: 'Connection refused' });
    expect(r.durationMs).toBeLessThan(1000);
  });

  it('fails with L4TOUT when the connect does not complete within min(inter, timeout connect)', async () => {
    // A listener whose accept queue is full drops further SYNs, so the connect hangs.
    const child = spawn('python3', ['-c', [
      'import socket,sys,time',
      's=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(0)',
      'p=s.getsockname()[1]',
      'fill=[socket.socket() for _ in range(4)]',
      '[(c.setblocking(False), c.connect_ex(("127.0.0.1",p))) for c in fill]',
      'time.sleep(0.2)',
      'print(p, flush=True); time.sleep(30)',
    ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
    const r = await probe({ host: '127.0.0.1', port }, { inter: 2000, timeoutConnect: 150, timeoutCheck: 1000 });
    expect(r).toMatchObject({ status: 'L4TOUT', ok: false, desc: '' });
    expect(r.durationMs).toBeGreaterThanOrEqual(140);
    expect(r.durationMs).toBeLessThan(1500);
  });
});

describe('http check (option httpchk)', () => {
  it('sends HAProxy\'s request line and passes a 200 with L7OK and the code', async () => {
    const { port, received } = await server('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const r = await probe({ host: '127.0.0.1', port }, { inter: 1000, httpchk: httpchk() });
    expect(r).toMatchObject({ status: 'L7OK', ok: true, code: 200, desc: '' });
    expect(received[0]).toBe('GET /health HTTP/1.0\r\n\r\n');
  });

  it('fails a 503 with L7STS, the code, and the reason phrase as info', async () => {
    const { port } = await server('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
    const r = await probe({ host: '127.0.0.1', port }, { inter: 1000, httpchk: httpchk() });
    expect(r).toMatchObject({ status: 'L7STS', ok: false, code: 503, desc: 'Service Unavailable' });
  });

  it('accepts exactly the statuses of http-check expect status', async () => {
    const notFound = await server('HTTP/1.0 404 Not Found\r\n\r\n');
    const ok = await server('HTTP/1.0 200 OK\r\n\r\n');
    const chk = httpchk({ expectStatus: [404] });
    expect(await probe({ host: '127.0.0.1', port: notFound.port }, { inter: 1000, httpchk: chk })).toMatchObject({ status: 'L7OK', code: 404 });
    expect(await probe({ host: '127.0.0.1', port: ok.port }, { inter: 1000, httpchk: chk })).toMatchObject({ status: 'L7STS', code: 200, desc: 'OK' });
  });

  it('fails with L7RSP when the answer is not HTTP or the server closes without answering', async () => {
    const garbage = await server('hello world\r\n');
    const empty = await server('');
    expect(await probe({ host: '127.0.0.1', port: garbage.port }, { inter: 1000, httpchk: httpchk() })).toMatchObject({ status: 'L7RSP', desc: '' });
    expect(await probe({ host: '127.0.0.1', port: empty.port }, { inter: 1000, httpchk: httpchk() })).toMatchObject({ status: 'L7RSP', desc: '' });
  });

  it('fails with L7TOUT after timeout check when the server never answers', async () => {
    const { port } = await server(null);
    const r = await probe({ host: '127.0.0.1', port }, { inter: 5000, timeoutConnect: 1000, timeoutCheck: 120, httpchk: httpchk() });
    expect(r).toMatchObject({ status: 'L7TOUT', ok: false, desc: '' });
    expect(r.durationMs).toBeGreaterThanOrEqual(110);
    expect(r.durationMs).toBeLessThan(2000);
  });

  it('without timeout check, waits for the response only what is left of inter', async () => {
    const { port } = await server(null);
    const r = await probe({ host: '127.0.0.1', port }, { inter: 150, timeoutConnect: 5000, httpchk: httpchk() });
    expect(r.status).toBe('L7TOUT');
    expect(r.durationMs).toBeLessThan(1000);
  });

  it('reports L4CON, not a layer-7 status, when the HTTP check cannot connect', async () => {
    const port = await freePort();
    expect(await probe({ host: '127.0.0.1', port }, { inter: 1000, httpchk: httpchk() })).toMatchObject({ status: 'L4CON', desc: 'Connection refused' });
  });
});

describe('check request and response parsing', () => {
  it('builds an HTTP/1.1 request with host and connection: close as haproxy 2.6 sends it', () => {
    expect(buildCheckRequest({ method: 'HEAD', uri: '/h', version: 'HTTP/1.1', host: 'x' })).toBe('HEAD /h HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(buildCheckRequest({ method: 'HEAD', uri: '/h', version: 'HTTP/1.1\\r\\nHost:\\ x' })).toBe('HEAD /h HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
  });

  it('keeps an HTTP/1.0 request bare', () => {
    expect(buildCheckRequest({ method: 'OPTIONS', uri: '/', version: 'HTTP/1.0' })).toBe('OPTIONS / HTTP/1.0\r\n\r\n');
  });

  it('judges 2xx and 3xx good by default and anything else wrong', () => {
    expect(judgeResponse('HTTP/1.1 302 Found\r\n\r\n')).toEqual({ status: 'L7OK', code: 302, desc: '' });
    expect(judgeResponse('HTTP/1.1 404 Not Found\r\n\r\n')).toEqual({ status: 'L7STS', code: 404, desc: 'Not Found' });
    expect(judgeResponse('SSH-2.0-OpenSSH\r\n')).toEqual({ status: 'L7RSP', desc: '' });
  });
});
