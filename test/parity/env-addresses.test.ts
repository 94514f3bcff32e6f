// Addresses expanded from the environment and bound on host names, live against real HAProxy 2.6: a single-quoted
// '${PORT}' on a bind line is still expanded (str2sa_range expands addresses again), "8080x" listens on 8080,
// and "localhost" listens on loopback. The client must get the same answer on each of those ports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { exchange, normalize, startRawServer, type TestServer } from '../helpers/raw-http.ts';

const CONFIG = (srv: number) => `
defaults
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 1s
frontend fe
    bind '127.0.0.1:\${LAB_ENV_PORT_A}'
    bind 127.0.0.1:\${LAB_ENV_PORT_B}x
    bind localhost:{{port}}
    default_backend be
backend be
    server s1 '\${LAB_ENV_SRV_HOST}:${srv}'
`;

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

describe.skipIf(!hasHaproxy)('addresses from the environment and on localhost listen where HAProxy 2.6 listens', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startRawServer({ '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' });
    process.env.LAB_ENV_SRV_HOST = '127.0.0.1';
  });
  afterAll(async () => {
    await srv?.close();
    delete process.env.LAB_ENV_PORT_A;
    delete process.env.LAB_ENV_PORT_B;
    delete process.env.LAB_ENV_SRV_HOST;
  });

  it('both answer on the single-quoted ${VAR} port, the digits of "${VAR}x" and localhost', async () => {
    const answers: string[][] = [];
    for (const which of ['haproxy', 'engine'] as const) {
      const a = await freePort();
      let b = await freePort();
      while (b === a) b = await freePort();
      process.env.LAB_ENV_PORT_A = String(a);
      process.env.LAB_ENV_PORT_B = String(b);
      const h = which === 'haproxy' ? await startHaproxy(CONFIG(srv.port), { waitPorts: [a, b] }) : await startEngine(CONFIG(srv.port));
      try {
        answers.push([normalize(await exchange(a, GET)), normalize(await exchange(b, GET)), normalize(await exchange(h.port, GET))]);
      } finally {
        await h.stop();
      }
    }
    expect(answers[0]).toEqual(Array(3).fill('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi'));
    expect(answers[1]).toEqual(answers[0]);
  });
});
