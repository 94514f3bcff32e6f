// The resolver's own pieces: XXH32 (HAProxy's record order), DNS wire format, parse-resolv-conf on a temp file,
// and the rule that no DNS question ever leaves loopback.
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { xxh32 } from '../../../proxy/sample/xxh32.ts';
import { decodeResponse, encodeQuery } from '../../../proxy/dns/dns-wire.ts';
import { ResolverSet } from '../../../proxy/dns/resolvers.ts';
import { RESOLV_CONF } from '../../../proxy/config/keywords-resolvers.ts';
import { loadConfig } from '../../../proxy/load-config.ts';
import { startFakeDns } from '../../helpers/dns-server.ts';

const TAIL = 'defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n';

describe('xxh32', () => {
  it('gives the reference values of the XXH32 specification', () => {
    expect(xxh32(new Uint8Array(0), 0)).toBe(0x02cc5d05);
    expect(xxh32(new TextEncoder().encode('abc'), 0)).toBe(0x32d153ff);
    expect(xxh32(new TextEncoder().encode('Nobody inspects the spammish repetition'), 0)).toBe(0xe2293b2f);
  });
});

describe('dns wire format', () => {
  it('asks one question with recursion desired and an EDNS0 record carrying the payload size', () => {
    const q = encodeQuery(0x1234, 'app.lab.test', 'A', 1232);
    expect(q.readUInt16BE(0)).toBe(0x1234);
    expect(q.readUInt16BE(2)).toBe(0x0100);
    expect([q.readUInt16BE(4), q.readUInt16BE(6), q.readUInt16BE(8), q.readUInt16BE(10)]).toEqual([1, 0, 0, 1]);
    expect(q.subarray(12, 26).toString('latin1')).toBe('\x03app\x03lab\x04test\x00');
    expect(q.readUInt16BE(q.length - 8)).toBe(1232);
  });

  it('tells NXDOMAIN, REFUSED, an empty answer and a truncated message apart from a valid one', () => {
    const base = encodeQuery(7, 'x.test', 'A', 512).subarray(0, 12 + 8 + 4);
    const reply = (flags: number, an = 0, rr = Buffer.alloc(0)) => {
      const m = Buffer.from(base);
      m.writeUInt16BE(flags, 2);
      m.writeUInt16BE(an, 6);
      m.writeUInt16BE(0, 10);
      return Buffer.concat([m, rr]);
    };
    const a = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 7]);
    expect(decodeResponse(reply(0x8183), 'A')).toEqual({ kind: 'nx' });
    expect(decodeResponse(reply(0x8185), 'A')).toEqual({ kind: 'refused' });
    expect(decodeResponse(reply(0x8180), 'A')).toEqual({ kind: 'other' });
    expect(decodeResponse(reply(0x8380, 1, a), 'A')).toEqual({ kind: 'other' });
    expect(decodeResponse(reply(0x8180, 1, a), 'A')).toEqual({ kind: 'valid', addresses: [{ family: 'ipv4', ip: '127.0.0.7' }] });
    // an A record does not answer an AAAA question
    expect(decodeResponse(reply(0x8180, 1, a), 'AAAA')).toEqual({ kind: 'other' });
  });
});

describe('parse-resolv-conf', () => {
  let dir = '';
  afterEach(() => {
    RESOLV_CONF.path = '/etc/resolv.conf';
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads each nameserver line, named by its address on port 53, and warns about the ones it cannot use', () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-resolvconf-'));
    RESOLV_CONF.path = join(dir, 'resolv.conf');
    writeFileSync(RESOLV_CONF.path, '# comment\nnameserver 10.9.8.7\nnameserver 127.0.0.53\nnameserver bogus\nsearch lab.test\nnameserver 10.9.8.7\n');
    const r = loadConfig({ text: `resolvers sys\n    parse-resolv-conf\n${TAIL}`, name: 'r.cfg' });
    const spec = r.model!.global.resolvers.get('sys')!;
    expect(spec.nameservers.map((n) => [n.name, n.host, n.port])).toEqual([
      ['10.9.8.7', '10.9.8.7', 53],
      ['127.0.0.53', '127.0.0.53', 53],
    ]);
    expect(r.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message)).toEqual([
      "parsing [/etc/resolv.conf:4] : address 'bogus' could not be recognized, nameserver will be excluded.",
      "Parsing [/etc/resolv.conf:6] : generated name for /etc/resolv.conf nameserver '10.9.8.7' conflicts with another nameserver (declared at r.cfg:2), it appears to be a duplicate and will be excluded.",
    ]);
  });
});

describe('ResolverSet', () => {
  it('never sends a question to a name server off loopback, and says so once', async () => {
    const dns = await startFakeDns({ 'app.lab.test': ['127.0.0.2'] });
    const sent: string[] = [];
    const realSend = dgram.Socket.prototype.send;
    const spy = vi.spyOn(dgram.Socket.prototype, 'send').mockImplementation(function (this: dgram.Socket, ...args: unknown[]) {
      sent.push(String(args[2]));
      return (realSend as (...a: unknown[]) => void).apply(this, args) as never;
    });
    const warnings: string[] = [];
    const model = loadConfig({
      text: `resolvers mixed\n    nameserver far 10.9.8.7:53\n    nameserver near 127.0.0.1:${dns.port}\n    hold valid 100ms\n${TAIL}`,
      name: 'm.cfg',
    }).model!;
    const set = new ResolverSet(model.global.resolvers.get('mixed')!, { warn: (m) => warnings.push(m) });
    const answers: string[] = [];
    set.add({ fqdn: 'app.lab.test', prefer: 'A', answered: (records, via) => answers.push(`${records.pick({ backend: 'b' }, '', 'ipv4')} ${via}`), failed: () => true });
    set.start();
    try {
      for (let i = 0; i < 40 && answers.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    } finally {
      set.stop();
      spy.mockRestore();
      await dns.close();
    }
    expect(warnings).toEqual(["resolvers 'mixed': nameserver 'far' (10.9.8.7) is not on loopback; HAProxy Lab sends no DNS query off this machine, so it is not used."]);
    expect(answers[0]).toBe('127.0.0.2 mixed/near');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((host) => host === '127.0.0.1')).toBe(true);
  });
});
