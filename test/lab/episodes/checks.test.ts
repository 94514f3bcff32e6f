import { describe, expect, it } from 'vitest';
import { evaluateCheck, type AttributedObservation, type ExperimentRun, type StepObservations } from '../../../lab/episodes/checks.ts';
import type { Check, Experiment } from '../../../lab/episodes/schema.ts';
import { Tally } from '../../../lab/traffic/tally.ts';

const loc = { file: 'episode.yaml', line: 1, col: 1 };
const exp: Experiment = { id: 'x', curl: 'curl http://localhost/', repeat: 6, concurrency: 1, loc };
const CFG = 'backend servers\n    balance roundrobin\n    server server1 app1:5001 weight 2 check\n    server server2 app2:5002 weight 1 check\n';

// Answers from the named servers (backend "servers"), in order; "deny" makes a 403 with no backend.
function answers(...who: string[]): AttributedObservation[] {
  return who.map((w, index) => ({
    index, method: 'GET', url: 'http://localhost/', status: w === 'deny' ? 403 : w === 'err' ? 0 : 200, statusText: '', headers: [],
    body: w === 'deny' ? '<html><body><h1>403 Forbidden</h1></body></html>' : `Hello from ${w}!`,
    ...(w === 'err' ? { error: 'connect ECONNREFUSED 127.0.0.1:1' } : {}),
    localAddress: '127.0.0.1', localPort: 30000 + index, startedAt: 0, ms: 1,
    ...(w === 'deny' || w === 'err' ? {} : { backend: 'servers', server: w }), ...(w === 'deny' ? { answeredBy: 'deny' } : {}), who: w,
  }));
}

function observe(obs: AttributedObservation[], extra: Partial<StepObservations> = {}): StepObservations {
  const tally = new Tally();
  for (const o of obs) tally.add(o.who, o.status);
  const run: ExperimentRun = { experiment: exp, target: { host: '127.0.0.1', port: 1, hostHeader: 'localhost', path: '/' }, observations: obs, tally, logs: extra.logs ?? [] };
  return { configFile: '/x/haproxy.cfg', configText: CFG, report: { ok: true, alerts: [], warnings: [] }, experiments: new Map([['x', run]]), logs: [], ...extra };
}

const base = { title: 't', hint: 'do the thing', loc };

describe('checks', () => {
  it('distribution passes within tolerance and fails naming the shares it saw and the server lines', () => {
    const c: Check = { kind: 'distribution', ...base, involves: ['server server'], experiment: 'x', shares: { server1: 2, server2: 1 }, tolerance: 0.05 };
    expect(evaluateCheck(c, observe(answers('server1', 'server2', 'server1', 'server1', 'server2', 'server1'))).ok).toBe(true);
    const bad = evaluateCheck(c, observe(answers('server1', 'server2', 'server1', 'server2', 'server1', 'server2')));
    expect(bad.ok).toBe(false);
    expect(bad.expected).toBe('shares server1 66.7%, server2 33.3% (±5%)');
    expect(bad.observed).toBe('server1 50% (3), server2 50% (3) of 6 answers');
    expect(bad.lines).toEqual(['haproxy.cfg:3: server server1 app1:5001 weight 2 check', 'haproxy.cfg:4: server server2 app2:5002 weight 1 check']);
  });

  it('distribution fails when a server outside the expected ones takes a share', () => {
    const c: Check = { kind: 'distribution', ...base, involves: [], experiment: 'x', shares: { server1: 1 }, tolerance: 0.2 };
    expect(evaluateCheck(c, observe(answers('server1', 'server1', 'server1', 'server1', 'server1', 'server1'))).ok).toBe(true);
    expect(evaluateCheck(c, observe(answers('server1', 'server1', 'server1', 'server1', 'server2', 'server2'))).ok).toBe(false);
  });

  it('order passes on the exact sequence and says where another one first differs', () => {
    const c: Check = { kind: 'order', ...base, involves: [], experiment: 'x', sequence: ['server3', 'server1', 'server3'] };
    expect(evaluateCheck(c, observe(answers('server3', 'server1', 'server3', 'server2'))).ok).toBe(true);
    const bad = evaluateCheck(c, observe(answers('server3', 'server3', 'server1')));
    expect(bad.ok).toBe(false);
    expect(bad.observed).toBe('server3, server3, server1; request 2 went to server3 instead of server1');
  });

  it('route passes when every request reached the backend and server, and fails on a denied one', () => {
    const c: Check = { kind: 'route', ...base, involves: [], experiment: 'x', backend: 'servers', server: 'server1' };
    expect(evaluateCheck(c, observe(answers('server1', 'server1'))).ok).toBe(true);
    const bad = evaluateCheck(c, observe(answers('server1', 'deny')));
    expect(bad.ok).toBe(false);
    expect(bad.observed).toContain('servers/server1 (status 200)');
    expect(bad.observed).toContain('no backend');
  });

  it('status compares every answer and reports a failed connection as no answer', () => {
    const c: Check = { kind: 'status', ...base, involves: [], experiment: 'x', status: 403 };
    expect(evaluateCheck(c, observe(answers('deny', 'deny'))).ok).toBe(true);
    const bad = evaluateCheck(c, observe(answers('server1', 'err')));
    expect(bad.ok).toBe(false);
    expect(bad.observed).toBe('200 from server1; no answer (connect ECONNREFUSED 127.0.0.1:1)');
  });

  it('body wants the text in every answer', () => {
    const c: Check = { kind: 'body', ...base, involves: [], experiment: 'x', contains: 'Hello from' };
    expect(evaluateCheck(c, observe(answers('server1', 'server2'))).ok).toBe(true);
    const bad = evaluateCheck(c, observe(answers('server1', 'deny')));
    expect(bad.ok).toBe(false);
    expect(bad.observed).toMatch(/^1 of 2 did not: 403 "<html>/);
  });

  it('config-valid fails on alerts, and on warnings when told to', () => {
    const c: Check = { kind: 'config-valid', ...base, involves: ['acl'], warnings: false };
    expect(evaluateCheck(c, observe([])).ok).toBe(true);
    const warned = evaluateCheck(c, observe([], { report: { ok: true, alerts: [], warnings: ["[WARNING] : config : parsing acl keyword 'src' : no pattern"] } }));
    expect(warned.ok).toBe(false);
    expect(warned.observed).toMatch(/^1 warning\(s\): \[WARNING\]/);
    const lenient: Check = { ...c, warnings: true };
    expect(evaluateCheck(lenient, observe([], { report: { ok: true, alerts: [], warnings: ['w'] } })).ok).toBe(true);
    expect(evaluateCheck(lenient, observe([], { report: { ok: false, alerts: ['[ALERT] : bad'], warnings: [] } })).ok).toBe(false);
  });

  it("log-line looks in the experiment's lines only", () => {
    const c: Check = { kind: 'log-line', ...base, involves: [], experiment: 'x', pattern: 'servers/server[12] ' };
    expect(evaluateCheck(c, observe(answers('server1'), { logs: ['a', '1.2.3.4:5 [d] fe servers/server1 0/0/0/0/0 200'] })).ok).toBe(true);
    const bad = evaluateCheck(c, observe(answers('server1'), { logs: ['fe servers/server3 0/0/0/0/0 200'] }));
    expect(bad.ok).toBe(false);
    expect(bad.observed).toMatch(/1 line\(s\), none matching/);
  });

  it('fails a check whose experiment did not run, saying so', () => {
    const c: Check = { kind: 'status', ...base, involves: [], experiment: 'nope', status: 200 };
    expect(evaluateCheck(c, observe(answers('server1')))).toMatchObject({ ok: false, observed: 'it did not run' });
  });

  it('instances judges who received each request, not the server the log named', () => {
    const c: Check = { kind: 'instances', ...base, involves: ['server'], experiment: 'x', shares: { app1: 1, app2: 1 }, tolerance: 0 };
    const received = (...by: string[]) => answers('server1', 'server2', 'server1', 'server2').map((o, i) => ({ ...o, receivedBy: by[i] ? [by[i]!] : [] }));
    expect(evaluateCheck(c, observe(received('app1', 'app2', 'app1', 'app2'))).ok).toBe(true);
    // Two server lines, one process: the log alternates, the receiving end does not.
    const same = evaluateCheck(c, observe(received('app1', 'app1', 'app1', 'app1')));
    expect(same.ok).toBe(false);
    expect(same.expected).toBe('requests received by app1 50%, app2 50%');
    expect(same.observed).toBe("app1 4, app2 0 of 4; the proxy's log named server1 ×2; server2 ×2");
    // Nobody received a request the proxy answered itself.
    const denied = evaluateCheck(c, observe(received('app1', 'app2', 'app1', '')));
    expect(denied.ok).toBe(false);
    expect(denied.observed).toMatch(/no app \(the proxy answered itself\) 1 of 4/);
  });

  it('passthrough passes on bytes that arrived as sent and fails on re-written header names, or none received', () => {
    const c: Check = { kind: 'passthrough', ...base, involves: ['mode'], experiment: 'x' };
    const got = (verbatim: boolean, by: string[] = ['app1']) => answers('server1', 'server1').map((o) => ({ ...o, receivedBy: by, verbatim }));
    expect(evaluateCheck(c, observe(got(true))).ok).toBe(true);
    const http = evaluateCheck(c, observe(got(false)));
    expect(http.ok).toBe(false);
    expect(http.observed).toBe('2 of 2 arrived with header names re-written in lower case: a proxy parsed them as HTTP (mode http)');
    expect(evaluateCheck(c, observe(got(false, []))).observed).toBe('2 of 2 reached no app');
  });
});
