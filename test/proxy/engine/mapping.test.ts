// The lab moves the documents' binds (port 80) and servers (app1:5001) onto free loopback ports; the config
// must still decide as written: dst_port sees the port of the bind line, servers are reached where mapped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../proxy/index.ts';
import { freePort } from '../../helpers/haproxy.ts';
import { ask, startNamedBackends, type NamedBackends } from '../../helpers/named-backends.ts';

describe('an engine whose binds and servers are mapped', () => {
  let backends: NamedBackends;
  let engine: Engine;
  let port: number;

  beforeAll(async () => {
    backends = await startNamedBackends(['app1']);
    port = await freePort();
    engine = createEngine({
      source: {
        name: 'haproxy.cfg',
        text: `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend http_front
    bind *:80
    http-request return status 200 content-type text/plain string eighty if { dst_port 80 } { path /port }
    default_backend servers
backend servers
    server server1 app1:5001
`,
      },
      mapBind: () => ({ host: '127.0.0.1', port }),
      mapServer: () => ({ host: '127.0.0.1', port: backends.servers[0]!.port }),
    });
    await engine.start();
  });
  afterAll(async () => {
    await engine?.stop();
    await backends?.close();
  });

  it('lets dst_port ACLs see the port the config binds, not the one the lab chose', async () => {
    expect((await ask(port, '/port')).body).toBe('eighty');
  });

  it('reaches a server named by host name where the lab mapped it', async () => {
    expect((await ask(port, '/')).body).toBe('app1');
    expect(engine.snapshot().backends[0]!.servers[0]!.address).toBe(`127.0.0.1:${backends.servers[0]!.port}`);
  });
});
