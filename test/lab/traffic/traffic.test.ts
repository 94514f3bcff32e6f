import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../../../lab/traffic/client.ts';
import { generate } from '../../../lab/traffic/generator.ts';
import { resolveTarget } from '../../../lab/traffic/port-map.ts';
import { parseCurl } from '../../../lab/traffic/request-spec.ts';
import { Tally } from '../../../lab/traffic/tally.ts';
import { appFromBody, selfName } from '../../../lab/traffic/who.ts';

let server: Server;
let port: number;
let inFlight = 0;
let maxInFlight = 0;
let counter = 0;

beforeAll(async () => {
  // Answers like two alternating apps that name themselves, echoing what the lab sent.
  server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      setTimeout(() => {
        inFlight--;
        const n = (counter++ % 2) + 1;
        res.setHeader('X-Src', req.socket.remoteAddress ?? '');
        res.setHeader('X-Seen', JSON.stringify({ method: req.method, url: req.url, host: req.headers.host, ua: req.headers['user-agent'], body }));
        res.end(`Hello from Flask App ${n}!`);
      }, 20);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const header = (h: readonly string[], name: string): string | undefined => {
  const i = h.findIndex((x, k) => k % 2 === 0 && x.toLowerCase() === name.toLowerCase());
  return i >= 0 ? h[i + 1] : undefined;
};

describe('traffic', () => {
  it('sends what the curl flags say, with the Host of the URL and a curl User-Agent', async () => {
    const { spec } = parseCurl(`curl -X POST -d name=lab -A "Phone Mobile" http://localhost/submit`);
    const o = await send(spec, resolveTarget(spec.url, { ports: { '80': port } }));
    expect(o.status).toBe(200);
    expect(JSON.parse(header(o.headers, 'x-seen')!)).toEqual({ method: 'POST', url: '/submit', host: 'localhost', ua: 'Phone Mobile', body: 'name=lab' });
    const plain = await send(parseCurl('curl http://localhost/').spec, resolveTarget('http://localhost/', { ports: { '80': port } }));
    expect(JSON.parse(header(plain.headers, 'x-seen')!).ua).toMatch(/^curl\//);
  });

  it('uses --interface as the source address the server sees', async () => {
    const { spec } = parseCurl(`curl --interface 127.66.0.5 http://127.0.0.1:${port}/`);
    const o = await send(spec, resolveTarget(spec.url));
    expect(header(o.headers, 'x-src')).toMatch(/127\.66\.0\.5$/);
    expect(o.localAddress).toBe('127.66.0.5');
    expect(o.localPort).toBeGreaterThan(0);
  });

  it('reports a refused connection as status 0 with the reason', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const dead = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const o = await send(parseCurl(`curl http://127.0.0.1:${dead}/`).spec, resolveTarget(`http://127.0.0.1:${dead}/`));
    expect(o.status).toBe(0);
    expect(o.error).toMatch(/ECONNREFUSED/);
  });

  it('sends N requests with at most C in flight and returns them in send order', async () => {
    maxInFlight = 0;
    const { spec } = parseCurl(`curl http://127.0.0.1:${port}/`);
    const seen: number[] = [];
    const out = await generate(spec, resolveTarget(spec.url), { repeat: 9, concurrency: 3, onResult: (o) => seen.push(o.index) });
    expect(out.map((o) => o.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(maxInFlight).toBe(3);
    const tally = new Tally();
    for (const o of out) tally.add(selfName(o.body)!, o.status);
    expect(tally.rows().map((r) => r.count).sort()).toEqual([4, 5]);
    expect(tally.format().at(-1)).toBe('9 request(s); status 200 x9');
  });

  it('stops sending when aborted', async () => {
    const ac = new AbortController();
    const { spec } = parseCurl(`curl http://127.0.0.1:${port}/`);
    const out = await generate(spec, resolveTarget(spec.url), { repeat: 100, concurrency: 1, signal: ac.signal, onResult: (o) => o.index === 2 && ac.abort() });
    expect(out.length).toBeLessThan(5);
  });
});

describe('who answered', () => {
  it("names the episode's app whose text the body contains, preferring the longest match", () => {
    const apps = [{ name: 'app1', answers: 'Flask App 1' }, { name: 'app10', answers: 'Flask App 10' }];
    expect(appFromBody('Hello from Flask App 10!', apps)).toBe('app10');
    expect(appFromBody('Hello from Flask App 1!', apps)).toBe('app1');
    expect(appFromBody('nothing', apps)).toBeNull();
  });

  it('falls back to a short body or an HTML title', () => {
    expect(selfName('Hello from Flask App 2!\n')).toBe('Hello from Flask App 2!');
    expect(selfName('<!doctype html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>')).toBe('404 Not Found');
    expect(selfName('<html><body>x</body></html>')).toBeNull();
  });
});
