// tcp-request content rules decide as soon as the bytes allow, and wait for more data (up to the inspect delay)
// while an ACL may still change its mind: testPartial() must agree with haproxy on "decide now" vs "wait".
import { connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasHaproxy, startHaproxy, type HaproxyHandle } from '../../helpers/haproxy.ts';
import { createAclRegistry, parseCondition, type AclParseContext, type CompiledCondition } from '../../../proxy/acl/index.ts';
import { withBufferedRequest } from '../../../proxy/sample/index.ts';
import type { Word } from '../../../proxy/config/diagnostics.ts';

const DELAY = 1200;

const RULES: readonly (readonly ['accept' | 'reject', string])[] = [
  ['reject', '{ path_beg /deny }'],
  ['reject', '{ req.payload(0,4) -m str PING }'],
  ['accept', '{ req.len ge 4 }'],
  ['reject', 'WAIT_END'],
];

type Outcome = 'reject now' | 'accept now' | 'reject later' | 'accept later';

const PROBES: readonly (readonly [string, Buffer])[] = [
  ['an HTTP request to /deny', Buffer.from('GET /deny HTTP/1.1\r\nHost: x\r\n\r\n')],
  ['an HTTP request elsewhere', Buffer.from('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n')],
  ['"PING", which could still become an HTTP request', Buffer.from('PING')],
  ['a TLS record start', Buffer.from([0x16, 0x03, 0x01, 0x00])],
  ['two bytes that are not HTTP', Buffer.from([0x16, 0x03])],
  ['an unfinished HTTP head', Buffer.from('GET /deny HTTP/1.1\r\nHost')],
];

function words(text: string): Word[] {
  return text.split(' ').map((t, col) => ({ text: t, loc: { file: 'timing.cfg', line: 1, col } }));
}

// What our rules decide on these bytes: now if every rule up to the deciding one is sure, else after the delay.
function ourOutcome(conds: readonly CompiledCondition[], bytes: Buffer): Outcome {
  const ctx = withBufferedRequest({ src: '127.0.0.1', srcPort: 1, dst: '127.0.0.1', dstPort: 2, payload: bytes });
  for (let i = 0; i < RULES.length; i++) {
    const r = conds[i]!.testPartial(ctx);
    if (r === undefined) {
      for (let j = 0; j < RULES.length; j++) if (conds[j]!.test(ctx)) return `${RULES[j]![0]} later`;
      return 'accept later';
    }
    if (r) return `${RULES[i]![0]} now`;
  }
  return 'accept now';
}

describe.skipIf(!hasHaproxy)('tcp-request content waits for data exactly when haproxy does', () => {
  let hap: HaproxyHandle;
  let backend: Server;
  let conds: CompiledCondition[];
  const reached: number[] = [];

  beforeAll(async () => {
    const ctx: AclParseContext = { baseDir: '/tmp', mode: 'tcp', proxy: 'ft', warn: () => undefined };
    const reg = createAclRegistry();
    conds = RULES.map(([, c]) => {
      const r = parseCondition('if', words(c), reg, ctx);
      if ('error' in r) throw new Error(r.error);
      return r.cond;
    });
    const port = await freePort();
    backend = createServer((s) => {
      reached.push(Date.now());
      s.on('data', () => undefined);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => backend.listen(port, '127.0.0.1', r));
    hap = await startHaproxy(
      [
        'defaults',
        '  mode tcp',
        '  timeout client 5s',
        '  timeout server 5s',
        '  timeout connect 1s',
        'frontend ft',
        '  bind 127.0.0.1:{{port}}',
        `  tcp-request inspect-delay ${DELAY}ms`,
        ...RULES.map(([action, c]) => `  tcp-request content ${action} if ${c}`),
        '  default_backend be',
        'backend be',
        `  server s1 127.0.0.1:${port}`,
      ].join('\n') + '\n',
    );
  });
  afterAll(async () => {
    await hap?.stop();
    await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
  });

  // Sends the bytes and watches which comes first, haproxy closing on us or the backend getting a connection.
  async function theirOutcome(bytes: Buffer): Promise<Outcome> {
    const before = reached.length;
    const start = Date.now();
    return new Promise<Outcome>((resolve) => {
      const sock = connect({ host: '127.0.0.1', port: hap.port });
      let settled = false;
      const done = (what: 'reject' | 'accept'): void => {
        if (settled) return;
        settled = true;
        clearInterval(poll);
        sock.destroy();
        resolve(`${what} ${Date.now() - start < DELAY / 2 ? 'now' : 'later'}`);
      };
      const poll = setInterval(() => {
        if (reached.length > before) done('accept');
      }, 10);
      sock.on('connect', () => sock.write(bytes));
      sock.on('close', () => setTimeout(() => done(reached.length > before ? 'accept' : 'reject'), 30));
      sock.on('error', () => undefined);
    });
  }

  for (const [name, bytes] of PROBES) {
    it(`decides like haproxy, and as early, on ${name}`, async () => {
      const theirs = await theirOutcome(bytes);
      expect(ourOutcome(conds, bytes)).toBe(theirs);
    });
  }
});
