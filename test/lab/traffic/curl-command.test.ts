import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curlCommand } from '../../../lab/commands/curl.ts';
import { writePortMap } from '../../../lab/traffic/port-map.ts';

let server: Server;
let port: number;
let n = 0;
const dir = mkdtempSync(join(tmpdir(), 'lab-curl-'));

beforeAll(async () => {
  // Weighted like EP 9 in miniature: App 1, App 1, App 2, repeating.
  server = createServer((req, res) => res.end(req.url === '/missing' ? '<title>404 Not Found</title>' : `Hello from Flask App ${[1, 1, 2][n++ % 3]}!`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function capture(): { out: string[]; err: string[]; opts: { out: (l: string) => void; err: (l: string) => void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, opts: { out: (l) => out.push(l), err: (l) => err.push(l) } };
}

describe('lab curl', () => {
  it("follows the running episode's port map, names the apps and prints the distribution", async () => {
    const env = { XDG_STATE_HOME: dir, HOME: dir };
    writePortMap({ episode: 'ep9-weighted-rr', step: 'add-weights', ports: { '80': port }, apps: [{ name: 'app1', answers: 'Flask App 1' }, { name: 'app2', answers: 'Flask App 2' }] }, env);
    n = 0;
    const c = capture();
    const code = await curlCommand(['http://localhost/', '-n', '6'], { ...c.opts, env });
    expect(code).toBe(0);
    expect(c.err[0]).toBe(`* localhost:80 → 127.0.0.1:${port} (ep9-weighted-rr, step add-weights)`);
    expect(c.out.slice(0, 6).map((l) => l.replace(/ +[\d.]+ ms.*$/, ''))).toEqual(['#1 200 app1', '#2 200 app1', '#3 200 app2', '#4 200 app1', '#5 200 app1', '#6 200 app2']);
    expect(c.out).toContain('app1     4  66.7% #############');
    expect(c.out).toContain('app2     2  33.3% #######');
    expect(c.out.at(-1)).toBe('6 request(s); status 200 x6');
  });

  it('takes an explicit --map, and prints only bodies with -s', async () => {
    const c = capture();
    n = 0;
    expect(await curlCommand(['-s', 'http://localhost:4000/'], { ...c.opts, map: `4000=${port}` })).toBe(0);
    expect(c.out).toEqual(['Hello from Flask App 1!']);
    expect(c.err).toEqual([]);
  });

  it('says how to start an episode when nothing answers, and exits 7 like curl', async () => {
    const c = capture();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const dead = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await curlCommand([`http://localhost:${dead}/`], { ...c.opts, noMap: true })).toBe(7);
    expect(c.out[0]).toMatch(/^#1 no answer: connect ECONNREFUSED/);
    expect(c.err.at(-1)).toMatch(/Start an episode \(`lab open ID` or `lab run ID`\)/);
  });

  it('names an HTML answer by its title', async () => {
    const c = capture();
    await curlCommand([`http://127.0.0.1:${port}/missing`], { ...c.opts, noMap: true });
    expect(c.out[0]).toMatch(/^#1 200 404 Not Found/);
  });
});

describe('lab curl names the server of every answer', () => {
  it('asks the running engine who answered: a 404 of app2 and the engine’s own 503 <NOSRV>', async () => {
    const { createEngine } = await import('../../../proxy/index.ts');
    const { AnsweredBy } = await import('../../../lab/traffic/answered-by.ts');
    const { startWhoService } = await import('../../../lab/traffic/who-service.ts');
    const app2 = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n');
    });
    await new Promise<void>((r) => app2.listen(0, '127.0.0.1', r));
    const app2Port = (app2.address() as AddressInfo).port;
    const by = new AnsweredBy();
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const fePort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const engine = createEngine({
      source: { name: 'haproxy.cfg', text: `defaults\n  mode http\n  option httplog\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\nfrontend fe\n  bind 127.0.0.1:${fePort}\n  use_backend none if { path_beg /none }\n  default_backend be\nbackend be\n  server app2 127.0.0.1:${app2Port}\nbackend none\n  server gone 127.0.0.1:1 disabled\n` },
      logSink: (l) => by.noteLog(l),
    });
    await engine.start();
    const who = await startWhoService(by);
    try {
      const env = { XDG_STATE_HOME: dir, HOME: dir };
      writePortMap({ episode: 'ep4-acl', ports: { '80': fePort }, apps: [{ name: 'app1', answers: 'Flask App 1' }], who: who.port }, env);
      const a = capture();
      await curlCommand(['http://localhost/submit'], { ...a.opts, env });
      expect(a.out[0]).toMatch(/^#1 404 app2 +[\d.]+ ms +"Not Found"$/);
      const b = capture();
      await curlCommand(['http://localhost/none'], { ...b.opts, env });
      expect(b.out[0]).toMatch(/^#1 503 <NOSRV> +[\d.]+ ms +\(no server available\)$/);
    } finally {
      await who.close();
      await engine.stop();
      await new Promise<void>((r) => app2.close(() => r()));
    }
  });

  it('after `lab up`, says how to put a proxy in front instead of a dead end', async () => {
    const { proxyHint } = await import('../../../lab/traffic/proxy-hint.ts');
    const lines = proxyHint(80, {}, [{ pid: process.pid, target: 'ep9-weighted-rr', runtime: 'builtin', startedAt: '', apps: [1, 2, 3].map((k) => ({ name: `app${k}`, app: `ep9-app${k}`, address: `127.0.0.1:500${k}` })) }]);
    expect(lines?.join('\n')).toContain('lab proxy -f apps/ep9-weighted-rr/haproxy.cfg --map 80=8080 --resolve app1=127.0.0.1 --resolve app2=127.0.0.1 --resolve app3=127.0.0.1');
    expect(proxyHint(4000, {}, [{ pid: process.pid, target: 'ep9-weighted-rr', runtime: 'builtin', startedAt: '', apps: [] }])).toBeNull();
  });
});
