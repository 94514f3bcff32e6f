// `lab play FILE --request ... [--compare haproxy] [--json]`: answers named by their servers, the same answers from
// real haproxy on the documents' configs, a difference (with both values and exit 1) where the engine warns.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHeadless } from '../../../lab/play/headless.ts';
import { hasHaproxy } from '../../helpers/haproxy.ts';

const dir = mkdtempSync(join(tmpdir(), 'lab-play-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cfg(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

const THREE = cfg('three.cfg', `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend web
    bind *:80
    acl is_dev hdr(X-Env) -i dev
    use_backend dev if is_dev
    default_backend app
backend app
    server s1 10.1.2.3:80
    server s2 db1.example:5432
backend dev
    server s3 203.0.113.7:8080
`);

async function run(file: string, requests: string[], more: { compare?: boolean; repeat?: number; runtime?: 'builtin' } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runHeadless({ file, requests, repeat: more.repeat ?? 1, compare: more.compare ?? false, json: true, ...(more.runtime ? { runtime: more.runtime } : {}), out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, json: out.length ? JSON.parse(out.join('\n')) : null, err };
}

describe('lab play headless', () => {
  it('answers every request from a stand-in named after its server, routed by the config', async () => {
    const r = await run(THREE, ['curl http://localhost/', 'curl -H "X-Env: dev" http://localhost/'], { repeat: 2 });
    expect(r.code).toBe(0);
    expect(r.json.results.map((x: { engine: { server: string } }) => x.engine.server)).toEqual(['s1', 's2', 's3', 's3']);
    expect(r.json.placement.servers.map((s: { kind: string; host: string }) => `${s.kind} ${s.host}`)).toEqual(['stand-in 127.0.0.1', 'stand-in 127.0.0.1', 'stand-in 127.0.0.1']);
  });

  it("runs the document's own apps with --runtime, in the weighted order HAProxy gives", async () => {
    const r = await run('episodes/ep9-weighted-rr/haproxy.cfg', ['curl http://localhost/'], { repeat: 6, runtime: 'builtin' });
    expect(r.code).toBe(0);
    expect(r.json.results.map((x: { engine: { body: string } }) => x.engine.body.trim())).toEqual([3, 1, 3, 2, 3, 1].map((n) => `Hello from Flask App ${n}!`));
    expect(r.json.placement.servers.map((s: { kind: string }) => s.kind)).toEqual(['app', 'app', 'app']);
  });

  it('refuses a config with errors, naming file and line, and starts nothing', async () => {
    const bad = cfg('bad.cfg', 'frontend web\n    bind *:80\n    use_backnd x\n');
    const r = await run(bad, []);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/bad\.cfg:3/);
  });

  describe.skipIf(!hasHaproxy)('--compare haproxy', () => {
    it.each([
      ['episodes/ep9-weighted-rr/haproxy.cfg', 'curl http://localhost/', 6],
      ['episodes/ep4-acl/flask-form.cfg', 'curl -X POST -d x=1 http://localhost/submit', 2],
      ['episodes/ep4-acl/user-agent.cfg', 'curl -A "Mozilla/5.0 (iPhone; Mobile)" http://localhost/', 2],
      ['episodes/ep2-tcp-proxy/haproxy.cfg', 'curl http://localhost:4000/', 3],
    ])('finds no difference on the document config %s', async (file, request, n) => {
      const r = await run(file, [request], { compare: true, repeat: n });
      expect(r.json.differing, JSON.stringify(r.json.results.flatMap((x: { differences: unknown[] }) => x.differences))).toBe(0);
      expect(r.code).toBe(0);
      expect(r.json.results).toHaveLength(n);
      for (const x of r.json.results) expect(x.haproxy.status).toBe(x.engine.status);
    });

    it('reports a difference with both values, and exits 1, where the engine warns it ignores a keyword', async () => {
      const warn = cfg('warn.cfg', `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend web
    bind *:80
    default_backend app
backend app
    http-request use-service prometheus-exporter
    server s1 10.1.2.3:80
`);
      const r = await run(warn, ['curl http://localhost/metrics'], { compare: true });
      expect(r.json.warnings.join('\n')).toMatch(/warn\.cfg:10.*use-service.*not supported/);
      expect(r.code).toBe(1);
      expect(r.json.results[0].differences).toContainEqual({ field: 'header content-type', engine: 'text/plain; charset=utf-8', haproxy: 'text/plain; version=0.0.4' });
    });
  });
});
