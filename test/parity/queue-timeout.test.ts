// How long a connection waits in the queue when `timeout queue` is 0 or not set, in mode http and mode tcp, as
// real HAProxy 2.6 decides it: one server with maxconn 1 holds its answer, a second request queues behind it,
// and we see whether (and when) the queued one is refused or served once the first answer is released.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { ask, startNamedBackends, type NamedBackends } from '../helpers/named-backends.ts';
import { fillServers, startEngine } from '../helpers/engine.ts';

const CONNECT_MS = 250;
const RELEASE_MS = 900;

const CONFIG = (mode: 'http' | 'tcp', timeouts: readonly string[]) => `
global
    log stdout format raw local0
defaults
    mode ${mode}
    timeout client 5s
    timeout server 5s
${timeouts.map((t) => `    ${t}\n`).join('')}frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    server s1 127.0.0.1:{{srv:app1}} maxconn 1
`;

const CASES: [string, string[]][] = [
  ['timeout queue 0 with timeout connect', ['timeout queue 0', `timeout connect ${CONNECT_MS}ms`]],
  ['timeout queue unset with timeout connect', [`timeout connect ${CONNECT_MS}ms`]],
  ['timeout queue 0 without timeout connect', ['timeout queue 0']],
  ['timeout queue unset without timeout connect', []],
];

/** What happened to a request, and when: at once, around the connect timeout, or once the slot freed. */
interface Outcome {
  readonly answer: string;
  readonly when: 'at once' | 'before the slot freed' | 'after the slot freed';
}

describe.skipIf(!hasHaproxy)('timeout queue 0 and unset, like HAProxy 2.6', () => {
  let backends: NamedBackends;
  beforeAll(async () => {
    backends = await startNamedBackends(['app1']);
  });
  afterAll(async () => {
    await backends?.close();
  });

  // The first request takes the only slot and is held; the second queues; the first is released at RELEASE_MS.
  async function queueBehindOne(port: number): Promise<{ first: string; queued: Outcome }> {
    const release = backends.hold();
    const before = backends.log.length;
    const first = ask(port, '/first').then((a) => String(a.status), (e: Error) => `error: ${e.message}`);
    await backends.waitForRequests(before + 1, 3000);
    const t0 = Date.now();
    const timer = setTimeout(release, RELEASE_MS);
    const answer = await ask(port, '/queued').then((a) => String(a.status), () => 'closed');
    const took = Date.now() - t0;
    clearTimeout(timer);
    release();
    backends.release();
    const when = took < CONNECT_MS / 2 ? 'at once' : took < RELEASE_MS - 100 ? 'before the slot freed' : 'after the slot freed';
    return { first: await first, queued: { answer, when } };
  }

  for (const mode of ['http', 'tcp'] as const) {
    it.each(CASES)(`mode ${mode}: %s`, async (_name, timeouts) => {
      const cfg = fillServers(CONFIG(mode, timeouts), backends.servers);
      const real = await startHaproxy(cfg);
      let expected: { first: string; queued: Outcome };
      try {
        expected = await queueBehindOne(real.port);
      } finally {
        await real.stop();
      }
      const ours = await startEngine(cfg);
      try {
        expect(await queueBehindOne(ours.port)).toEqual(expected);
      } finally {
        await ours.stop();
      }
      // the queued request never goes at once: 0 is not "no wait"
      expect(expected.queued.when).not.toBe('at once');
    });
  }
});
