// Custom log-format lines come out the same as real HAProxy 2.6's for the same requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { ask, startNamedBackends, type NamedBackends } from '../helpers/named-backends.ts';
import { fillServers, startEngine } from '../helpers/engine.ts';

const FORMAT = '%ci %ft %b/%s %ST %HM %HP %HQ %HV %{+Q}r %tsc %ac/%fc/%bc/%sc/%rc %[method] %[src] %fp=%[dst_port] %H %%';

const CONFIG = `
global
    log stdout format raw local0
defaults
    log global
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    log-format "${FORMAT}"
    http-request deny if { path /deny }
    default_backend be
backend be
    server s1 127.0.0.1:{{srv:app1}}
`;

const REQUESTS: [string, string][] = [['GET', '/a?x=1'], ['POST', '/form'], ['GET', '/deny']];

describe.skipIf(!hasHaproxy)('log-format', () => {
  let backends: NamedBackends;
  beforeAll(async () => {
    backends = await startNamedBackends(['app1']);
  });
  afterAll(async () => {
    await backends?.close();
  });

  it('fills the same variables as HAProxy 2.6', async () => {
    const cfg = fillServers(CONFIG, backends.servers);
    const run = async (port: number) => {
      for (const [method, path] of REQUESTS) await ask(port, path, { method, localAddress: '127.0.0.7' });
      await new Promise((r) => setTimeout(r, 80));
    };
    const real = await startHaproxy(cfg);
    let expected: string[];
    try {
      await run(real.port);
      expected = real.logs.filter((l) => l.startsWith('127.0.0.7 ')).map((l) => l.replaceAll(String(real.port), 'PORT'));
    } finally {
      await real.stop();
    }
    const ours = await startEngine(cfg);
    try {
      await run(ours.port);
      expect(ours.logs.map((l) => l.replaceAll(String(ours.port), 'PORT'))).toEqual(expected);
      expect(expected).toHaveLength(3);
    } finally {
      await ours.stop();
    }
  });
});
