// A server's own queue (requests a persistence cookie sends to a server at maxconn), against real HAProxy 2.6:
// `maxqueue` bounds it (one more is refused with a 503, or with `option redispatch` balanced to another server,
// as srv_redispatch_connect does on SRV_STATUS_FULL), and when the server goes to maintenance the requests waiting
// there are handed to the balancer under `option redispatch` (pendconn_redistribute), or stay and are served by it
// once it has a free slot without. The servers answer 300 ms late.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../helpers/engine.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { normalizeLog, serveOnLoopback, settle, TRAFFIC_LINE, type TestServer } from '../helpers/raw-http.ts';

function slow(name: string): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    sock.on('error', () => sock.destroy());
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        const path = buf.slice(0, buf.indexOf('\r\n\r\n')).split(' ')[1]!;
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        setTimeout(() => {
          const body = `${name}${path}`;
          if (!sock.destroyed) sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        }, 300);
      }
    });
  });
}

const SECTIONS = ['full', 'full_redispatch', 'maint', 'maint_redispatch'] as const;

const CONFIG = (a: readonly number[], b: readonly number[]) => `
global
    log stdout format raw local0
    stats socket {{sock}} level admin
defaults
    log global
    mode http
    option httplog
    timeout connect 1s
    timeout client 3s
    timeout server 3s
    timeout queue 2s
${SECTIONS.map((name, i) => `listen ${name}
    bind 127.0.0.1:{{port${i}}}
    cookie SRV
${name.endsWith('redispatch') ? '    option redispatch\n' : ''}    server a 127.0.0.1:${a[i]} cookie a maxconn 1${name.startsWith('full') ? ' maxqueue 1' : ''}
    server b 127.0.0.1:${b[i]} cookie b
`).join('')}`;

// status and body of one request sent with the cookie naming server a
function get(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const sock = net.connect({ host: '127.0.0.1', port }, () => sock.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nCookie: SRV=a\r\nConnection: close\r\n\r\n`));
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('error', () => undefined);
    sock.on('close', () => resolve(`${out.split('\r\n')[0]} ${out.split('\r\n\r\n')[1] ?? ''}`.trim()));
  });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Seen {
  readonly answers: string[];
  readonly logs: string[];
}

/** /1 takes a's only slot, /2 and then /3 come while it is busy; `maint` puts a in maintenance after that. */
async function scenario(port: number, proxy: { logs: string[] }, maint?: () => Promise<void>): Promise<Seen> {
  const before = proxy.logs.length;
  const answers: Promise<string>[] = [get(port, '/1')];
  await pause(60);
  answers.push(get(port, '/2'));
  await pause(40);
  if (maint) await maint();
  else answers.push(get(port, '/3'));
  const all = await Promise.all(answers);
  await settle();
  return { answers: all, logs: proxy.logs.slice(before).filter((l) => TRAFFIC_LINE.test(l)).map(normalizeLog).sort() };
}

async function playAll(ports: readonly number[], proxy: { logs: string[] }, setMaint: (section: string) => Promise<void>): Promise<Map<string, Seen>> {
  const seen = new Map<string, Seen>();
  for (const [i, name] of SECTIONS.entries()) {
    seen.set(name, await scenario(ports[i]!, proxy, name.startsWith('maint') ? () => setMaint(name) : undefined));
  }
  return seen;
}

describe.skipIf(!hasHaproxy)('a server\'s own queue: maxqueue and maintenance as in real HAProxy 2.6', () => {
  const a: TestServer[] = [];
  const b: TestServer[] = [];
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();

  beforeAll(async () => {
    for (const _ of SECTIONS) {
      a.push(await slow('a'));
      b.push(await slow('b'));
    }
    const cfg = CONFIG(a.map((s) => s.port), b.map((s) => s.port));
    const real = await startHaproxy(cfg, { ports: SECTIONS.length });
    try {
      expected = await playAll(real.ports, real, async (section) => void (await real.runtime(`disable server ${section}/a`)));
    } finally {
      await real.stop();
    }
    const ours = await startEngine(cfg, { ports: SECTIONS.length });
    try {
      got = await playAll(ours.ports, ours, async (section) => ours.engine.setServerAdmin(section, 'a', 'maint'));
    } finally {
      await ours.stop();
    }
  }, 60_000);

  afterAll(async () => {
    for (const s of [...a, ...b]) await s.close();
  });

  it('maxqueue reached: the next request is refused with a 503', () => {
    expect(expected.get('full')!.answers.map((a) => a.slice(0, 20))).toEqual(['HTTP/1.1 200 OK a/1', 'HTTP/1.1 200 OK a/2', 'HTTP/1.1 503 Service']);
    expect(expected.get('full')!.logs.join('\n')).toContain(' full full/a T/-1/-1/-1/T 503 217 - - SQ-- ');
    expect(got.get('full')).toEqual(expected.get('full'));
  });

  it('maxqueue reached under option redispatch: the next request goes to another server', () => {
    expect(expected.get('full_redispatch')!.answers).toEqual(['HTTP/1.1 200 OK a/1', 'HTTP/1.1 200 OK a/2', 'HTTP/1.1 200 OK b/3']);
    expect(got.get('full_redispatch')).toEqual(expected.get('full_redispatch'));
  });

  it('the server goes to maintenance: its queued request waits for it', () => {
    expect(expected.get('maint')!.answers).toEqual(['HTTP/1.1 200 OK a/1', 'HTTP/1.1 200 OK a/2']);
    expect(got.get('maint')).toEqual(expected.get('maint'));
  });

  it('the server goes to maintenance under option redispatch: its queued request is balanced to another', () => {
    expect(expected.get('maint_redispatch')!.answers).toEqual(['HTTP/1.1 200 OK a/1', 'HTTP/1.1 200 OK b/2']);
    expect(expected.get('maint_redispatch')!.logs.join('\n')).toContain('maint_redispatch/b T/T/T/T/T 200 52 - - ---- 1/1/0/0/+0 1/0');
    expect(got.get('maint_redispatch')).toEqual(expected.get('maint_redispatch'));
  });
});
