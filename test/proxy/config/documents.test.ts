// The documents' configs (test/fixtures/configs), with their lost addresses restored on 127.0.0.0/8 and their
// missing global/defaults headers put back, load into the model the episodes need.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../proxy/load-config.ts';
import type { ConfigModel } from '../../../proxy/config/model.ts';
import type { SampleContext } from '../../../proxy/sample/context.ts';
import { hasHaproxy } from '../../helpers/haproxy.ts';

const DIR = new URL('../../fixtures/configs/', import.meta.url).pathname;

function loadFixture(name: string): ConfigModel {
  const r = loadConfig({ files: [join(DIR, name)] });
  expect(r.diagnostics.filter((d) => d.severity !== 'notice')).toEqual([]);
  return r.model!;
}

const req = (path: string, method = 'GET', src = '127.0.0.1', headers: string[] = []): SampleContext => ({
  src, srcPort: 50000, dst: '127.0.0.1', dstPort: 80,
  req: { method, uri: path, version: '1.1', path, query: null, headers: ['Host', 'localhost', ...headers] },
});

// Which backend a request goes to: the first matching use_backend, else default_backend.
function route(m: ConfigModel, ctx: SampleContext): string | undefined {
  const f = m.frontends[0]!;
  return f.useBackends.find((r) => !r.cond || r.cond.test(ctx))?.backend ?? f.defaultBackend;
}

describe('the documents\' configs', () => {
  it('EP 9: three weighted servers behind http_front on *:80, logging to stdout', () => {
    const m = loadFixture('ep9-weighted-rr.cfg');
    const f = m.frontends[0]!;
    expect([f.name, f.mode, f.binds[0]!.host, f.binds[0]!.port, f.defaultBackend]).toEqual(['http_front', 'http', null, 80, 'servers']);
    expect(f.options).toMatchObject({ httplog: true, dontlognull: true });
    expect(f.timeouts).toEqual({ connect: 5000, client: 50000, server: 50000 });
    expect(m.global.logs).toMatchObject([{ target: 'stdout', format: 'raw', facility: 'local0' }]);
    expect(f.logs.map((l) => l.target)).toEqual(['stdout']);
    const b = m.backends.get('servers')!;
    expect(b.balance.algorithm).toBe('roundrobin');
    expect(b.servers.map((s) => [s.name, s.host, s.port, s.weight, s.check, s.id])).toEqual([
      ['server1', 'app1', 5001, 2, true, 1],
      ['server2', 'app2', 5002, 1, true, 2],
      ['server3', 'app3', 5003, 3, true, 3],
    ]);
  });

  it('EP 2: a tcp proxy on *:4000 despite the comments after the words', () => {
    const m = loadFixture('ep2-tcp-proxy.cfg');
    const f = m.frontends[0]!;
    expect([f.mode, f.binds[0]!.port, f.options.tcplog, m.global.maxconn]).toEqual(['tcp', 4000, true, 4096]);
    expect(m.backends.get('flask_backend')!.servers.map((s) => `${s.host}:${s.port}`)).toEqual(['127.0.0.1:5000']);
    const scaled = loadFixture('ep2-tcp-proxy-scaled.cfg');
    expect(scaled.backends.get('flask_backend')!.servers.map((s) => `${s.name} ${s.host}:${s.port}`)).toEqual([
      'flask1 127.0.0.1:5000',
      'flask2 127.0.0.1:5001',
    ]);
  });

  it('EP 4: static path routing', () => {
    const m = loadFixture('ep4-static-path.cfg');
    expect(route(m, req('/static/logo.png'))).toBe('static_backend');
    expect(route(m, req('/index.html'))).toBe('dynamic_backend');
  });

  it('EP 4: blocking one source address', () => {
    const m = loadFixture('ep4-block-ip.cfg');
    const deny = m.frontends[0]!.httpRequestRules[0]!;
    expect(deny).toMatchObject({ action: 'deny', reply: { kind: 'errmsg', status: 403 } });
    expect(deny.cond!.test(req('/', 'GET', '127.0.0.66'))).toBe(true);
    expect(deny.cond!.test(req('/', 'GET', '127.0.0.1'))).toBe(false);
  });

  it('EP 4: POST requests to their own backend', () => {
    const m = loadFixture('ep4-post-method.cfg');
    expect(route(m, req('/form', 'POST'))).toBe('post_backend');
    expect(route(m, req('/form', 'GET'))).toBe('general_backend');
  });

  it('EP 4: mobile user agents, case-insensitive substring', () => {
    const m = loadFixture('ep4-user-agent.cfg');
    expect(route(m, req('/', 'GET', '127.0.0.1', ['User-Agent', 'Something mobile/1.0']))).toBe('mobile_backend');
    expect(route(m, req('/', 'GET', '127.0.0.1', ['User-Agent', 'Desktop']))).toBe('desktop_backend');
  });

  it('EP 4: /admin denied outside the internal network', () => {
    const m = loadFixture('ep4-admin-internal.cfg');
    const c = m.frontends[0]!.httpRequestRules[0]!.cond!;
    expect(c.test(req('/admin', 'GET', '127.0.5.1'))).toBe(true);
    expect(c.test(req('/admin', 'GET', '127.0.0.9'))).toBe(false);
  });

  it('EP 4: the Flask form needs POST and /submit together', () => {
    const m = loadFixture('ep4-flask-form.cfg');
    expect(route(m, req('/submit', 'POST'))).toBe('post_backend');
    expect(route(m, req('/submit', 'GET'))).toBe('general_backend');
    expect(route(m, req('/other', 'POST'))).toBe('general_backend');
    expect(m.backends.get('post_backend')!.servers[0]).toMatchObject({ name: 'app2', host: '127.0.0.1', port: 5004 });
  });

  it('the EP 9 text as printed (headers lost) is refused with HAProxy\'s out-of-section alerts', () => {
    const text = readFileSync(join(DIR, 'ep9-weighted-rr.cfg'), 'utf8').replace(/^(global|defaults)\n/gm, '');
    const r = loadConfig({ text, name: 'haproxy.cfg' });
    expect(r.model).toBeNull();
    expect(r.diagnostics.filter((d) => d.severity === 'alert').map((d) => d.message)).toEqual([
      "unknown keyword 'log' out of section.",
      "unknown keyword 'log' out of section.",
      "unknown keyword 'mode' out of section.",
      "unknown keyword 'option' out of section.",
      "unknown keyword 'option' out of section.",
      "unknown keyword 'timeout' out of section.",
      "unknown keyword 'timeout' out of section.",
      "unknown keyword 'timeout' out of section.",
    ]);
  });
});

describe.skipIf(!hasHaproxy)('the fixtures pass `haproxy -c` (skipped: haproxy not installed)', () => {
  for (const name of ['ep9-weighted-rr.cfg', 'ep2-tcp-proxy.cfg', 'ep2-tcp-proxy-scaled.cfg', 'ep4-static-path.cfg', 'ep4-block-ip.cfg', 'ep4-post-method.cfg', 'ep4-user-agent.cfg', 'ep4-admin-internal.cfg', 'ep4-flask-form.cfg']) {
    it(name, () => {
      // haproxy resolves server names at startup; the lab maps app1..app3, so give the binary loopback instead.
      const dir = mkdtempSync(join(tmpdir(), 'fixture-'));
      try {
        const file = join(dir, name);
        writeFileSync(file, readFileSync(join(DIR, name), 'utf8').replace(/\bapp\d:/g, '127.0.0.1:'));
        const r = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
