import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../../proxy/events.ts';
import { loadEpisode } from '../../../../lab/episodes/loader.ts';
import { BuiltinRuntime } from '../../../../lab/runtimes/builtin.ts';
import { openStepSession, type StepSession } from '../../../../lab/tui/session/step-session.ts';

const canConnect = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      done(true);
    });
    s.on('error', () => done(false));
  });

describe('a step session on the builtin runtime and the lab engine', () => {
  let session: StepSession;
  const events: EngineEvent[] = [];

  beforeAll(async () => {
    session = await openStepSession(loadEpisode('ep9-weighted-rr'), 0, { runtime: new BuiltinRuntime(), publishPorts: false });
    session.events.onAny((e) => events.push(e));
  });
  afterAll(async () => {
    await session?.close();
  });

  it('lists the config’s servers with the apps and runtime behind them', () => {
    const rows = session.rows();
    expect(rows.map((r) => [r.key, r.app, r.runtime, r.state])).toEqual([
      ['servers/server1', 'app1', 'builtin', 'UP'],
      ['servers/server2', 'app2', 'builtin', 'UP'],
      ['servers/server3', 'app3', 'builtin', 'UP'],
    ]);
    expect(session.mapping.some((m) => m.startsWith('localhost:80 → 127.0.0.1:'))).toBe(true);
  });

  it('sends the step’s request to the mapped port and the engine reports who answered', async () => {
    const r = await session.fire({ count: 6, concurrency: 1 });
    expect(r).toEqual({ sent: 6, failed: 0 });
    const servers = events.filter((e): e is Extract<EngineEvent, { kind: 'response' }> => e.kind === 'response').map((e) => e.server);
    expect(servers).toEqual(['server1', 'server2', 'server3', 'server1', 'server2', 'server3']);
  });

  it('refuses a broken config with its line and keeps serving the running one', async () => {
    const good = readFileSync(session.configPath!, 'utf8');
    writeFileSync(session.configPath!, good.replace('server server1 app1:5001 check', 'server server1 app1:5001 wieght 3 check'));
    const r = await session.reload();
    expect(r.ok).toBe(false);
    const line = good.split('\n').findIndex((l) => l.includes('server server1')) + 1;
    expect(session.lastErrors()[0]?.loc?.line).toBe(line);
    expect(session.configText()).toBe(good);
    expect((await session.fire({ count: 1, concurrency: 1 })).failed).toBe(0);
    writeFileSync(session.configPath!, good.replace('server server1 app1:5001 check', 'server server1 app1:5001 weight 3 check'));
    expect((await session.reload()).ok).toBe(true);
    expect(session.lastErrors()).toEqual([]);
    expect(session.rows()[0]!.weight).toBe(3);
  });

  it('changes a weight live and stops and starts the app behind a server', async () => {
    expect(session.setWeight('servers/server2', 4)).toBe(4);
    expect(session.rows()[1]!.weight).toBe(4);
    expect(await session.toggleApp('servers/server3')).toMatch(/^Stopped app3 \(builtin\)/);
    expect(session.rows()[2]!.stage).toBe('stopped');
    expect(await session.toggleApp('servers/server3')).toMatch(/^Started app3 again/);
    expect(session.rows()[2]!.stage).toBe('running');
  });

  it('runs the step’s experiments and checks against the config on screen', async () => {
    writeFileSync(session.configPath!, readFileSync(loadEpisode('ep9-weighted-rr').steps[0]!.config!, 'utf8'));
    const results = await session.runChecks();
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((r) => !r.ok).map((r) => `${r.check.title}: ${r.observed}`)).toEqual([]);
  });

  it('answers a typed request with the app’s body and the server the engine says answered it', async () => {
    const r = await session.send('curl http://localhost/');
    expect(r.engine.status).toBe(200);
    const who = /^server([123])$/.exec(r.engine.server);
    expect(who, r.engine.server).not.toBeNull();
    expect(r.engine.serverFrom).toBe('engine');
    expect(r.engine.body).toBe(`Hello from Flask App ${who![1]}!`);
  });

  it('stops the proxy and every app on close', async () => {
    const ports = session.mapping.map((m) => Number(/127\.0\.0\.1:(\d+)/.exec(m)![1]));
    expect(ports.length).toBeGreaterThanOrEqual(4);
    await session.close();
    for (const p of ports) expect(await canConnect(p)).toBe(false);
  });
});

describe('the request prompt of an EP 4 step (flask-form), on the builtin runtime', () => {
  let session: StepSession;

  beforeAll(async () => {
    const ep = loadEpisode('ep4-acl');
    session = await openStepSession(ep, ep.steps.findIndex((st) => st.id === 'flask-form'), { runtime: new BuiltinRuntime(), publishPorts: false });
  });
  afterAll(async () => {
    await session?.close();
  });

  it('sends a typed POST of /submit to app2 and a GET of / to app1, each with its body and who answered', async () => {
    const post = await session.send('curl -X POST http://localhost/submit');
    expect(post.engine.status).toBe(200);
    expect(post.engine.body).toContain('Form submitted successfully!');
    expect(post.engine.server).toBe('app2');
    const get = await session.send('curl http://localhost/');
    expect(get.engine.body).toContain('Welcome to the main page!');
    expect(get.engine.server).toBe('app1');
    expect(get.engine.server).not.toBe(post.engine.server);
  });

  it('sends a typed GET of /submit where the document says: to app1, which has no such page', async () => {
    const r = await session.send('curl -X GET http://localhost/submit');
    const home = await session.send('curl http://localhost/');
    expect(r.engine.status).toBe(404);
    expect(r.engine.server).toBe('app1');
    expect(home.engine.server).toBe('app1');
  });

  it('counts -n repeats and names a bad line', async () => {
    const r = await session.send('curl http://localhost/ -n 3');
    expect(r.sent).toBe(3);
    await expect(session.send('wget http://localhost/')).rejects.toThrow();
  });
});
