// A playground's world across reloads: a server added by an edit gets its own stand-in, kept places stay, and a
// refused edit changes nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { PlayWorld } from '../../../lab/play/play-world.ts';
import { send } from '../../../lab/traffic/client.ts';
import { parseCurl } from '../../../lab/traffic/request-spec.ts';
import { resolveTarget } from '../../../lab/traffic/port-map.ts';

const BASE = `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend web
    bind *:80
    default_backend app
backend app
    balance roundrobin
    server s1 10.0.0.1:80
`;

let world: PlayWorld | null = null;
afterAll(async () => world?.close());

async function who(w: PlayWorld): Promise<string> {
  const o = await send(parseCurl('curl http://localhost/').spec, resolveTarget('http://localhost/', { ports: w.ports() }));
  return o.body.split(' ')[0]!;
}

describe('a playground world', () => {
  it('gives a server added by a reload its own stand-in, and keeps the places it had', async () => {
    world = await PlayWorld.open({ text: BASE, name: 'haproxy.cfg' });
    const port = world.ports()['80'];
    const s1 = world.placeOf('app', 's1')!.port;
    expect(await who(world)).toBe('s1');
    const r = await world.reload(BASE + '    server s2 db.example:5432\n');
    expect(r.ok).toBe(true);
    expect(world.ports()['80']).toBe(port);
    expect(world.placeOf('app', 's1')!.port).toBe(s1);
    expect(world.placeOf('app', 's2')!.kind).toBe('stand-in');
    expect([await who(world), await who(world)].sort()).toEqual(['s1', 's2']);
  });

  it('refuses an edit with errors and keeps serving the config it had', async () => {
    const r = await world!.reload(BASE + '    server s3\n    bogus_keyword\n');
    expect(r.ok).toBe(false);
    expect(world!.placeOf('app', 's3')).toBeUndefined();
    expect(['s1', 's2']).toContain(await who(world!));
  });
});
