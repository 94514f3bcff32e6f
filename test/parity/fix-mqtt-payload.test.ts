// fix_* and mqtt_* on req.payload in tcp-request content rules against real HAProxy 2.6: a message that is
// still arriving has no answer yet, so the rules wait for more bytes (inspect-delay) instead of rejecting it;
// complete messages are judged and routed by a field. The servers are tiny TCP servers that answer their name.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { fillServers, startEngine } from '../helpers/engine.ts';

// Hex messages: a valid FIX.4.4 Logon (MsgType A), the same with a wrong checksum; a valid MQTT 5.0 CONNECT
// (client "cli5"), a 3.1.1 one (client "cli1") and a PUBLISH.
const FIX_VALID = Buffer.from('383d4649582e342e3401393d35310133353d410134393d53454e4445520135363d5441524745540133343d310135323d32303230303130312d30303a30303a30300131303d31333101', 'hex');
const FIX_BAD = Buffer.from('383d4649582e342e3401393d35310133353d410134393d53454e4445520135363d5441524745540133343d310135323d32303230303130312d30303a30303a30300131303d31333201', 'hex');
const MQTT_V5 = Buffer.from('106600044d51545405c6003c241100000078210014270000ffff2600016b0001761500046d6574681600046461746117010004636c69351e180000000703000a746578742f706c61696e080002727401010200000063000377743500037770350002753500027035', 'hex');
const MQTT_V311 = Buffer.from('101000044d5154540402003c0004636c6931', 'hex');
const MQTT_PUBLISH = Buffer.from('300c0005746f70696368656c6c6f', 'hex');

const CONFIG = `
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fix
    bind 127.0.0.1:{{port0}}
    tcp-request inspect-delay 3s
    tcp-request content reject unless { req.payload(0,0),fix_is_valid }
    tcp-request content set-var(txn.sender) req.payload(0,0),fix_tag_value(SenderCompID)
    use_backend fix_logon if { req.payload(0,0),fix_tag_value(MsgType) -m str A } { var(txn.sender) -m str SENDER }
    default_backend other
frontend mqtt
    bind 127.0.0.1:{{port1}}
    tcp-request inspect-delay 3s
    tcp-request content reject unless { req.payload(0,0),mqtt_is_valid }
    use_backend mqtt_v5 if { req.payload(0,0),mqtt_field_value(connect,protocol_version) -m str 5 } { req.payload(0,0),mqtt_field_value(connect,client_identifier) -m str cli5 }
    default_backend other
backend fix_logon
    server s1 127.0.0.1:{{srv:fix_logon}}
backend mqtt_v5
    server s2 127.0.0.1:{{srv:mqtt_v5}}
backend other
    server s3 127.0.0.1:{{srv:other}}
`;

/** TCP servers that answer their name to the first bytes they get, then close. */
async function nameServers(names: readonly string[]): Promise<{ servers: { name: string; port: number }[]; close(): Promise<void> }> {
  const list = await Promise.all(names.map((name) => new Promise<{ name: string; port: number; srv: net.Server }>((resolve) => {
    const srv = net.createServer((s) => {
      s.on('error', () => {});
      s.once('data', () => s.end(name));
    });
    srv.listen(0, '127.0.0.1', () => resolve({ name, port: (srv.address() as net.AddressInfo).port, srv }));
  })));
  return {
    servers: list.map(({ name, port }) => ({ name, port })),
    close: () => Promise.all(list.map((l) => new Promise<void>((r) => l.srv.close(() => r())))).then(() => undefined),
  };
}

/** Sends the parts with pauses between them; what came back, or '<closed>' when the proxy closed unanswered. */
function sendInParts(port: number, parts: readonly Buffer[], gapMs: number): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let out = '';
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('close', () => resolve(out === '' ? '<closed>' : out));
    sock.on('error', () => {});
    sock.on('connect', async () => {
      for (const [i, p] of parts.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
        if (!sock.destroyed) sock.write(p);
      }
    });
  });
}

const pieces = (b: Buffer, ...at: number[]): Buffer[] => [0, ...at].map((from, i) => b.subarray(from, [...at, b.length][i]));
const CASES: [string, number, Buffer[], string][] = [
  ['a valid FIX Logon in one piece is routed by its MsgType and sender', 0, [FIX_VALID], 'fix_logon'],
  ['a FIX message arriving in three pieces is held until complete, then routed', 0, pieces(FIX_VALID, 10, 40), 'fix_logon'],
  ['a FIX message with a wrong checksum is rejected', 0, [FIX_BAD], '<closed>'],
  ['an MQTT 5.0 CONNECT in pieces is held, then routed by version and client id', 1, pieces(MQTT_V5, 1, 30), 'mqtt_v5'],
  ['an MQTT 3.1.1 CONNECT goes to the default backend', 1, [MQTT_V311], 'other'],
  ['an MQTT PUBLISH is not a valid first packet and is rejected', 1, [MQTT_PUBLISH], '<closed>'],
];

describe.skipIf(!hasHaproxy)('FIX and MQTT converters on the request payload, as real HAProxy 2.6 runs them', () => {
  let named: Awaited<ReturnType<typeof nameServers>>;
  const expected = new Map<string, string>();
  const got = new Map<string, string>();

  beforeAll(async () => {
    named = await nameServers(['fix_logon', 'mqtt_v5', 'other']);
    const cfg = fillServers(CONFIG, named.servers);
    for (const [target, into] of [['haproxy', expected], ['engine', got]] as const) {
      const proxy = target === 'haproxy' ? await startHaproxy(cfg, { ports: 2 }) : await startEngine(cfg, { ports: 2, healthChecks: false });
      try {
        for (const [name, port, parts] of CASES) into.set(name, await sendInParts(proxy.ports[port]!, parts, 150));
      } finally {
        await proxy.stop();
      }
    }
  }, 60_000);
  afterAll(async () => {
    await named?.close();
  });

  it.each(CASES)('%s', (name, _port, _parts, answer) => {
    expect(expected.get(name)).toBe(answer);
    expect(got.get(name)).toBe(expected.get(name));
  });
});
