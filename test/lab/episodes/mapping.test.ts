import { describe, expect, it } from 'vitest';
import { bindPorts, makeMapping, planMapping, splitAddress, type AppPlacement } from '../../../lab/episodes/mapping.ts';

const apps: AppPlacement[] = [
  { name: 'app1', app: 'ep9-app1', docPort: 5001, addresses: ['app1:5001'], hostPort: 41001 },
  { name: 'app2', app: 'ep9-app2', docPort: 5002, addresses: ['app2:5002'], hostPort: 41002 },
];
const CFG = `global
    log stdout format raw local0
frontend http_front
    bind *:80  # the web port
    default_backend servers
backend servers
    timeout server 5s
    server server1 app1:5001 weight 2 check
    server server2 127.0.0.1:5002 check
    server server3 app3:5003 check
`;

describe('address mapping', () => {
  it('splits the address forms bind and server lines use', () => {
    expect(splitAddress('*:80')).toEqual({ host: '*', port: 80 });
    expect(splitAddress(':4000')).toEqual({ host: '', port: 4000 });
    expect(splitAddress('ipv4@127.0.0.1:81')).toEqual({ host: '127.0.0.1', port: 81 });
    expect(splitAddress('app1')).toBeNull();
  });

  it("finds the document's listener ports", () => {
    expect(bindPorts(CFG)).toEqual([80]);
    expect(bindPorts('listen x\n  bind :4000,:4001\n')).toEqual([4000, 4001]);
  });

  it('sends a server to its app by name or by the local port the document used, and nowhere else to the dead port', () => {
    const m = makeMapping(new Map([[80, 40080]]), apps, 40999);
    expect(m.server('app1', 5001)).toEqual({ host: '127.0.0.1', port: 41001, app: 'app1' });
    expect(m.server('127.0.0.1', 5002)).toEqual({ host: '127.0.0.1', port: 41002, app: 'app2' });
    expect(m.server('app3', 5003)).toEqual({ host: '127.0.0.1', port: 40999 });
    expect(m.server('10.0.0.7', 5001)).toEqual({ host: '127.0.0.1', port: 40999 });
  });

  it('rewrites binds and server addresses for haproxy, keeping everything else of each line', () => {
    const out = makeMapping(new Map([[80, 40080]]), apps, 40999).rewrite(CFG).split('\n');
    expect(out[3]).toBe('    bind 127.0.0.1:40080  # the web port');
    expect(out[6]).toBe('    timeout server 5s');
    expect(out[7]).toBe('    server server1 127.0.0.1:41001 weight 2 check');
    expect(out[8]).toBe('    server server2 127.0.0.1:41002 check');
    expect(out[9]).toBe('    server server3 127.0.0.1:40999 check');
  });

  it('shows the mapping as the learner reads it', () => {
    const lines = makeMapping(new Map([[80, 40080]]), apps, 40999).describe(CFG);
    expect(lines[0]).toBe('localhost:80 → 127.0.0.1:40080  (bind *:80 of http_front)');
    expect(lines).toContain('servers/server1 app1:5001 → 127.0.0.1:41001  (app app1)');
    expect(lines).toContain('servers/server3 app3:5003 → 127.0.0.1:40999  (no app of this step answers there)');
  });

  it('publishes document ports for lab curl, listeners and apps alike', () => {
    const pm = makeMapping(new Map([[80, 40080]]), apps, 40999).portMap({ episode: 'ep9' });
    expect(pm.ports).toEqual({ '80': 40080, '5001': 41001, '5002': 41002 });
    expect(pm.episode).toBe('ep9');
  });

  it('plans fresh listener ports that collide with no app, and keeps those it was given', async () => {
    const offered = [41001, 41001, 42000, 42001];
    const m = await planMapping('frontend f\n bind *:80\n bind *:8080\n', apps, { freePort: async () => offered.shift()!, listeners: new Map([[8080, 45000]]) });
    expect(m.listeners.get(80)).toBe(42000);
    expect(m.listeners.get(8080)).toBe(45000);
    expect(m.deadPort).toBe(42001);
  });
});
