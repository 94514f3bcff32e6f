// Differential test in mode tcp: tcp-request content conditions on the buffered bytes (req.len, req.payload,
// payload, src, and HTTP fetches, which haproxy answers by parsing the buffer as HTTP/1) decide like haproxy.
// haproxy reveals its decisions through a log-format line with one variable per condition.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy, type HaproxyHandle } from '../../helpers/haproxy.ts';
import { appliesTo, createAclRegistry, parseCondition, type AclParseContext } from '../../../proxy/acl/index.ts';
import { withBufferedRequest } from '../../../proxy/sample/index.ts';
import type { SampleContext } from '../../../proxy/sample/context.ts';
import type { Condition } from '../../../proxy/acl/types.ts';
import type { Word } from '../../../proxy/config/diagnostics.ts';

const ACLS: readonly string[] = [
  't_len req.len gt 4',
  't_len0 req.len 0',
  't_len5 req.len 5',
  't_len_found req.len -m found',
  't_pl1 req.payload(0,1) -m bin 16',
  't_pl_str req.payload(0,4) -m str PING',
  't_pl_beg req.payload(0,0) -m beg GET',
  't_pl_sub req.payload(0,0) -m sub HTTP',
  't_pl_len req.payload(0,0) -m len gt 10',
  't_pl_far req.payload(100,2) -m found',
  't_payload payload(0,3) 160301',
  't_src src 127.0.0.2',
  't_src_net src 127.0.0.0/31',
  't_dst_port dst_port gt 1024',
  't_path path_beg /api',
  't_hdr hdr(host) -i example.com',
  't_meth method GET',
  't_rdp req.rdp_cookie(mstshash) -i alice',
  't_rdp_any req_rdp_cookie -m found',
  't_rdp_cnt rdp_cookie_cnt(MSTSHASH) 1',
];

const RULES: readonly (readonly ['if' | 'unless', string])[] = [
  ...ACLS.map((l) => ['if', l.split(' ')[0]!] as const),
  ['unless', 't_len'],
  ['if', '!t_path'],
  ['if', 't_pl1 t_payload || t_pl_str'],
  ['if', 'REQ_CONTENT'],
  ['if', 'HTTP'],
  ['if', 'METH_GET'],
  ['if', 'LOCALHOST'],
  ['if', 'RDP_COOKIE'],
];

interface Probe {
  readonly name: string;
  readonly source: string;
  readonly bytes: Buffer;
}

const PROBES: readonly Probe[] = [
  { name: 'an HTTP request', source: '127.0.0.2', bytes: Buffer.from('GET /api/x HTTP/1.1\r\nHost: Example.com\r\n\r\n') },
  { name: 'a TLS-like record', source: '127.0.0.1', bytes: Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]) },
  { name: 'a short line', source: '127.0.0.3', bytes: Buffer.from('PING\r') },
  { name: 'nothing at all', source: '127.0.0.1', bytes: Buffer.alloc(0) },
  { name: 'an RDP connection request with a cookie', source: '127.0.0.1', bytes: Buffer.concat([Buffer.from([3, 0, 0, 0x2a, 0x25, 0xe0, 0, 0, 0, 0, 0]), Buffer.from('Cookie: mstshash=Alice\r\n'), Buffer.from([1, 0, 8, 0, 3, 0, 0, 0])]) },
  { name: 'an RDP request without the line end yet', source: '127.0.0.1', bytes: Buffer.concat([Buffer.from([3, 0, 0, 0x2a, 0x25, 0xe0, 0, 0, 0, 0, 0]), Buffer.from('Cookie: mstshash=bob')]) },
  { name: 'an unfinished HTTP request head', source: '127.0.0.2', bytes: Buffer.from('GET /api/x HTTP/1.1\r\nHost: example.com\r\n') },
  { name: 'a POST to another path', source: '127.0.0.1', bytes: Buffer.from('POST /other HTTP/1.0\r\nContent-Length: 0\r\n\r\n') },
];

function words(text: string, line: number): Word[] {
  return text.split(' ').map((t, col) => ({ text: t, loc: { file: 'tcp.cfg', line, col } }));
}

function configText(): string {
  return [
    'global',
    '  log stdout format raw local0',
    'defaults',
    '  log global',
    '  mode tcp',
    '  timeout client 3s',
    '  timeout server 3s',
    '  timeout connect 300ms',
    '  retries 0',
    'frontend ft',
    '  bind 127.0.0.1:{{port0}}',
    '  tcp-request inspect-delay 400ms',
    ...ACLS.map((l) => `  acl ${l}`),
    ...RULES.map(([pol, cond], i) => `  tcp-request content set-var(sess.r${i}) int(1) ${pol} ${cond}`),
    `  log-format "R ${RULES.map((_, i) => `r${i}=%[var(sess.r${i})]`).join(';')}"`,
    '  default_backend be',
    'backend be',
    '  server s1 127.0.0.1:{{port1}}',
  ].join('\n') + '\n';
}

// Sends the bytes (keeping the connection open) and resolves with the local address once haproxy hangs up.
function sendBytes(port: number, bytes: Buffer, source: string): Promise<{ src: string; srcPort: number }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, localAddress: source });
    let me = { src: source, srcPort: 0 };
    sock.on('connect', () => {
      me = { src: sock.localAddress ?? source, srcPort: sock.localPort ?? 0 };
      if (bytes.length > 0) sock.write(bytes);
    });
    sock.on('data', () => undefined);
    sock.on('error', () => undefined);
    sock.on('close', () => resolve(me));
    sock.setTimeout(5000, () => sock.destroy(new Error('haproxy kept the connection open for 5 s')));
    sock.on('timeout', () => reject(new Error('timeout')));
  });
}

async function nextLogLine(hap: HaproxyHandle, seen: number): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const lines = hap.logs.filter((l) => l.includes('R r0='));
    if (lines.length > seen) return lines[seen]!;
    if (Date.now() > deadline) throw new Error(`no log line from haproxy; logs:\n${hap.logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!hasHaproxy)('tcp-request content ACLs decide like real haproxy 2.6', () => {
  let hap: HaproxyHandle;
  let ours: Condition[];
  let seen = 0;

  beforeAll(async () => {
    const ctx: AclParseContext = { baseDir: '/tmp', mode: 'tcp', proxy: 'ft', warn: () => undefined };
    const reg = createAclRegistry();
    ACLS.forEach((l, i) => {
      const err = reg.define(words(l, i + 1), ctx);
      if (err) throw new Error(err);
    });
    ours = RULES.map(([pol, cond], i) => {
      const r = parseCondition(pol, words(cond, 100 + i), reg, ctx);
      if ('error' in r) throw new Error(r.error);
      return r.cond;
    });
    hap = await startHaproxy(configText(), { ports: 2, waitPorts: [] });
    // ports[1] stays closed: the backend connection fails and haproxy logs the session at once.
    for (let i = 0; i < 100 && !hap.logs.some((l) => /Proxy ft started|ft/.test(l)); i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(async () => {
    await hap?.stop();
  });

  for (const probe of PROBES) {
    it(`decides every condition like haproxy for ${probe.name}`, async () => {
      const me = await sendBytes(hap.ports[0]!, probe.bytes, probe.source);
      const line = await nextLogLine(hap, seen++);
      const theirs = new Map(line.slice(line.indexOf('R r0=') + 2).split(';').map((kv) => kv.split('=') as [string, string]));
      // haproxy parses the buffer as HTTP/1 for HTTP fetches in mode tcp; withBufferedRequest does the same.
      const ctx: SampleContext = withBufferedRequest({ src: me.src, srcPort: me.srcPort, dst: '127.0.0.1', dstPort: hap.ports[0]!, payload: probe.bytes });
      const diffs: string[] = [];
      RULES.forEach(([pol, cond], i) => {
        const want = theirs.get(`r${i}`) === '1';
        const got = appliesTo(ours[i]!, ctx);
        if (want !== got) diffs.push(`${pol} ${cond}: haproxy=${want} ours=${got}`);
      });
      expect(diffs).toEqual([]);
    });
  }
});
