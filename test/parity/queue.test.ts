// Server maxconn and the backend queue: requests beyond a server's maxconn wait in the queue and are served when
// a slot frees, or get a 503 when `timeout queue` expires first — as real HAProxy 2.6 does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { ask, startNamedBackends, type NamedBackends } from '../helpers/named-backends.ts';
import { fillServers, startEngine } from '../helpers/engine.ts';

const TRAFFIC_LINE = /^\d+\.\d+\.\d+\.\d+:\d+ \[/;
/** Keeps only what does not depend on timing: server, status, termination state and queue figures. */
const shape = (line: string) => {
  const f = line.split(' ');
  return `${f[3]} ${f[5]} ${f[9]}`;
};

const CONFIG = (queueMs: number) => `
global
    log stdout format raw local0
defaults
    log global
    mode http
    option httplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout queue ${queueMs}ms
frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    server s1 127.0.0.1:{{srv:app1}} maxconn 1
`;

describe.skipIf(!hasHaproxy)('queueing at server maxconn, like HAProxy 2.6', () => {
  let backends: NamedBackends;
  beforeAll(async () => {
    backends = await startNamedBackends(['app1']);
  });
  afterAll(async () => {
    await backends?.close();
  });

  /** Three requests at once while the server holds its answers for holdMs. */
  async function burst(port: number, holdMs: number): Promise<{ statuses: number[] }> {
    const release = backends.hold();
    const pending = [0, 1, 2].map((i) => new Promise((r) => setTimeout(r, i * 30)).then(() => ask(port, '/')));
    setTimeout(release, holdMs);
    const answers = await Promise.all(pending);
    backends.release();
    return { statuses: answers.map((a) => a.status) };
  }

  it.each([
    ['requests wait in the queue and are all served when the slot frees in time', 1500, 300],
    ['queued requests get a 503 when timeout queue expires first', 250, 700],
  ])('%s', async (_name, queueMs, holdMs) => {
    const cfg = fillServers(CONFIG(queueMs), backends.servers);
    const real = await startHaproxy(cfg);
    let expected: { statuses: number[] };
    let expectedLogs: string[];
    try {
      expected = await burst(real.port, holdMs);
      await new Promise((r) => setTimeout(r, 100));
      expectedLogs = real.logs.filter((l) => TRAFFIC_LINE.test(l)).map(shape).sort();
    } finally {
      await real.stop();
    }
    const ours = await startEngine(cfg);
    try {
      const got = await burst(ours.port, holdMs);
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toEqual(expected);
      expect(ours.logs.filter((l) => TRAFFIC_LINE.test(l)).map(shape).sort()).toEqual(expectedLogs);
    } finally {
      await ours.stop();
    }
  });
});
