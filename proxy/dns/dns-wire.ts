// DNS messages as HAProxy's resolver writes and reads them (src/resolvers.c resolv_build_query,
// resolv_validate_dns_response): one question with recursion desired and an EDNS0 OPT record announcing
// accepted_payload_size; answers judged as valid (A/AAAA records), NXDOMAIN, REFUSED, or another error.

export type QueryType = 'A' | 'AAAA';

const TYPE_CODE: Record<QueryType, number> = { A: 1, AAAA: 28 };

export interface DnsAddress {
  readonly family: 'ipv4' | 'ipv6';
  readonly ip: string;
}

/** What a response says (HAProxy's RSLV_RESP_*), folded into the statuses the resolution keeps. */
export type DnsVerdict =
  | { readonly kind: 'valid'; readonly addresses: readonly DnsAddress[] }
  | { readonly kind: 'nx' | 'refused' | 'other' | 'invalid' };

export function encodeQuery(id: number, name: string, type: QueryType, payloadSize: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // standard query, recursion desired
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(1, 10); // the OPT record
  const labels = name.replace(/\.$/, '').split('.').map((l) => {
    const b = Buffer.from(l, 'latin1');
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(TYPE_CODE[type], 0);
  tail.writeUInt16BE(1, 2); // class IN
  const opt = Buffer.alloc(11);
  opt.writeUInt16BE(41, 1); // name root, type OPT
  opt.writeUInt16BE(payloadSize, 3);
  return Buffer.concat([header, ...labels, Buffer.from([0]), tail, opt]);
}

export function queryId(msg: Buffer): number | undefined {
  return msg.length >= 2 ? msg.readUInt16BE(0) : undefined;
}

// Skips a (possibly compressed) name; returns the offset after it, or -1 when it runs off the message.
function skipName(msg: Buffer, off: number): number {
  let p = off;
  for (let guard = 0; guard < 128; guard++) {
    if (p >= msg.length) return -1;
    const len = msg[p]!;
    if (len === 0) return p + 1;
    if ((len & 0xc0) === 0xc0) return p + 2 <= msg.length ? p + 2 : -1;
    p += 1 + len;
  }
  return -1;
}

function ipv6Text(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // the shortest form, as inet_ntop writes it: the longest run of zero groups becomes "::"
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

// Judges one response to a question of `type`.
export function decodeResponse(msg: Buffer, type: QueryType): DnsVerdict {
  if (msg.length < 12) return { kind: 'invalid' };
  const flags = msg.readUInt16BE(2);
  if (!(flags & 0x8000)) return { kind: 'invalid' };
  const rcode = flags & 0x000f;
  if (rcode === 3) return { kind: 'nx' };
  if (rcode === 5) return { kind: 'refused' };
  if (rcode !== 0) return { kind: 'other' };
  if (flags & 0x0200) return { kind: 'other' }; // truncated
  const qd = msg.readUInt16BE(4);
  const an = msg.readUInt16BE(6);
  if (qd !== 1) return { kind: 'invalid' };
  if (an === 0) return { kind: 'other' };
  let p = skipName(msg, 12);
  if (p < 0 || p + 4 > msg.length) return { kind: 'invalid' };
  p += 4;
  const addresses: DnsAddress[] = [];
  for (let i = 0; i < an; i++) {
    p = skipName(msg, p);
    if (p < 0 || p + 10 > msg.length) return { kind: 'invalid' };
    const rtype = msg.readUInt16BE(p);
    const rdlen = msg.readUInt16BE(p + 8);
    const data = msg.subarray(p + 10, p + 10 + rdlen);
    if (data.length !== rdlen) return { kind: 'invalid' };
    if (rtype === 1 && rdlen === 4) addresses.push({ family: 'ipv4', ip: [...data].join('.') });
    else if (rtype === 28 && rdlen === 16) addresses.push({ family: 'ipv6', ip: ipv6Text(data) });
    p += 10 + rdlen;
  }
  const wanted = type === 'A' ? 'ipv4' : 'ipv6';
  if (!addresses.some((a) => a.family === wanted)) return { kind: 'other' };
  return { kind: 'valid', addresses };
}
