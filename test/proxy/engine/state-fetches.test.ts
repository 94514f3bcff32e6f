// ACLs that read the proxy's own state (nbsrv, srv_is_up) see the live servers: the classic "send traffic to a
// fallback backend when the main one has no server left" works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, startNamedBackends, type NamedBackends } from '../../helpers/named-backends.ts';
import { startEngine, type EngineHandle } from '../../helpers/engine.ts';

describe('state fetches in the engine', () => {
  let backends: NamedBackends;
  let proxy: EngineHandle;
  beforeAll(async () => {
    backends = await startNamedBackends(['main1', 'sorry']);
    proxy = await startEngine(`
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    use_backend fallback if { nbsrv(main) lt 1 }
    default_backend main
backend main
    server m1 127.0.0.1:${backends.servers[0]!.port}
backend fallback
    server s1 127.0.0.1:${backends.servers[1]!.port}
`);
  });
  afterAll(async () => {
    await proxy?.stop();
    await backends?.close();
  });

  it('routes to the fallback once nbsrv(main) drops to zero, and back when a server returns', async () => {
    expect((await ask(proxy.port, '/')).body).toBe('main1');
    proxy.engine.setServerAdmin('main', 'm1', 'maint');
    expect((await ask(proxy.port, '/')).body).toBe('sorry');
    proxy.engine.setServerAdmin('main', 'm1', 'ready');
    expect((await ask(proxy.port, '/')).body).toBe('main1');
  });
});
