// A tiny DNS server on 127.0.0.1 (node:dgram) whose answers a test changes while proxies query it: each name
// maps to a list of IPv4 addresses (A records; AAAA questions get an empty answer) or to NXDOMAIN. Names it
// does not know are NXDOMAIN too, so nothing ever needs a real DNS server.
import dgram from 'node:dgram';
import net from 'node:net';

export type DnsAnswer = readonly string[] | 'NXDOMAIN' | 'REFUSED' | 'SILENT';

export interface FakeDns {
  readonly port: number;
  /** The same answers over TCP (each message after its 2-byte length), for `nameserver NAME tcp@...`. */
  readonly tcpPort: number;
  /** Sets what a name resolves to from now on. */
  set(name: string, answer: DnsAnswer): void;
  /** Questions received, as "TYPE name". */
  readonly queries: string[];
  close(): Promise<void>;
}

function readName(msg: Buffer, off: number): { name: string; end: number } {
  const labels: string[] = [];
  let p = off;
  while (p < msg.length && msg[p] !== 0) {
    const len = msg[p]!;
    labels.push(msg.toString('latin1', p + 1, p + 1 + len));
    p += 1 + len;
  }
  return { name: labels.join('.').toLowerCase(), end: p + 1 };
}

function answerFor(query: Buffer, answers: Map<string, DnsAnswer>, log: string[]): Buffer | null {
  if (query.length < 12) return null;
  const { name, end } = readName(query, 12);
  const qtype = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  log.push(`${qtype === 1 ? 'A' : qtype === 28 ? 'AAAA' : String(qtype)} ${name}`);
  const a = answers.get(name.replace(/\.$/, '')) ?? 'NXDOMAIN';
  if (a === 'SILENT') return null;
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  const rd = query[2]! & 0x01;
  const rcode = a === 'NXDOMAIN' ? 3 : a === 'REFUSED' ? 5 : 0;
  const records = Array.isArray(a) && qtype === 1 ? (a as readonly string[]) : [];
  header[2] = 0x80 | 0x04 | rd; // response, authoritative
  header[3] = 0x80 | rcode; // recursion available
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const rrs = records.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
    rr.writeUInt16BE(1, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((o, i) => (rr[12 + i] = Number(o)));
    return rr;
  });
  return Buffer.concat([header, question, ...rrs]);
}

// Starts the server on a free UDP port of 127.0.0.1.
export async function startFakeDns(initial: Record<string, DnsAnswer> = {}): Promise<FakeDns> {
  const answers = new Map<string, DnsAnswer>(Object.entries(initial));
  const queries: string[] = [];
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const reply = answerFor(msg, answers, queries);
    if (reply && rinfo.address.startsWith('127.')) sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  const conns = new Set<net.Socket>();
  const tcp = net.createServer((c) => {
    conns.add(c);
    let buf = Buffer.alloc(0);
    c.on('close', () => conns.delete(c));
    c.on('error', () => c.destroy());
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const query = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + query.length);
        const reply = answerFor(query, answers, queries);
        if (!reply) continue;
        queries[queries.length - 1] = `tcp ${queries[queries.length - 1]}`;
        const len = Buffer.alloc(2);
        len.writeUInt16BE(reply.length);
        c.write(Buffer.concat([len, reply]));
      }
    });
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: sock.address().port,
    tcpPort: (tcp.address() as net.AddressInfo).port,
    queries,
    set(name, answer) {
      answers.set(name, answer);
    },
    close: async () => {
      for (const c of conns) c.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      await new Promise<void>((resolve) => sock.close(() => resolve()));
    },
  };
}
