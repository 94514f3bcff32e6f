// Custom log-format lines come out the same as real HAProxy 2.6's for the same requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { ask, startNamedBackends, type NamedBackends } from '../helpers/named-backends.ts';
import { fillServers, startEngine } from '../helpers/engine.ts';

const FORMAT =
  '%ci %ft %b/%s %ST %HM %HP %HQ %HV %{+Q}r %tsc %ac/%fc/%bc/%sc/%rc %[method] %[src] %fp=%[dst_port] %H %% ' +
  // samples read as the line is written: names and ids (the backend is the frontend until one is chosen),
  // converters, and empty or missing values with and without quotes. (Not %[status]: haproxy reads it from the
  // response buffer, so whether it is still there when the line is written depends on timing.)
  'srv=%[srv_name] %{+Q}[srv_name] id=%[srv_id] be=%[be_name]/%[be_id] fe=%[fe_name]/%[fe_id] ' +
  'm=%[method,lower] e=%[str()] %{+Q}[str()] up=%[srv_is_up(be/s1)] n=%[nbsrv(be)]';

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
    use_backend none if { path /none }
    default_backend be
backend be
    server s1 127.0.0.1:{{srv:app1}}
backend none
    server s1 127.0.0.1:{{srv:app1}} disabled
`;

const REQUESTS: [string, string][] = [['GET', '/a?x=1'], ['POST', '/form'], ['GET', '/deny'], ['GET', '/none']];

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
      expect(expected).toHaveLength(4);
      expect(expected[0]).toContain('srv=s1 "s1" id=1 be=be/');
      expect(expected[3]).toContain('srv=- "" id=- be=none/');
    } finally {
      await ours.stop();
    }
  });
});
