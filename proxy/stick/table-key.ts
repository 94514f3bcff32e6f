// Samples turned into stick-table keys (smp_to_stkey() in src/stick_table.c) and keys as "show table" prints them
// (inet_ntop, %u, dump_text, dump_binary). A key is the bytes HAProxy stores, so entries sort as its tree does.
import { castSample } from '../sample/cast.ts';
import { isInt, low32 } from '../sample/int64.ts';
import { parseIpv4, parseIpv6 } from '../sample/ip.ts';
import { ipv6ToString } from '../sample/converters-addr.ts';
import type { SampleType, SampleValue } from '../sample/sample.ts';
import type { TableKeyType } from './table-spec.ts';

/** The sample type a table's keys are cast to (what stktable_compatible_sample checks). */
export function keySampleType(type: TableKeyType): SampleType {
  return type === 'integer' ? 'int' : type === 'string' ? 'str' : type === 'binary' ? 'bin' : 'ip';
}

const words = new Uint16Array(8);

function ipv6Bytes(text: string): Buffer | undefined {
  if (!parseIpv6(text, words)) return undefined;
  const b = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) b.writeUInt16BE(words[i]!, i * 2);
  return b;
}

function ipv4Bytes(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

/** The key for a sample of type `from`, or undefined when it does not convert (no tracking then, as HAProxy). */
export function sampleToKey(value: SampleValue, from: SampleType, type: TableKeyType, keySize: number): Buffer | undefined {
  switch (type) {
    case 'ip': {
      const ip = castSample(value, from, 'ip');
      if (typeof ip !== 'string') return undefined;
      const v4 = parseIpv4(ip);
      if (v4 >= 0) return ipv4Bytes(v4);
      // an IPv6 sample fits an ip table only as an IPv4-mapped address (v6tov4)
      const b = ipv6Bytes(ip);
      if (!b || !b.subarray(0, 10).equals(Buffer.alloc(10)) || b.readUInt16BE(10) !== 0xffff) return undefined;
      return Buffer.from(b.subarray(12));
    }
    case 'ipv6': {
      const ip = castSample(value, from, 'ip');
      if (typeof ip !== 'string') return undefined;
      const v4 = parseIpv4(ip);
      if (v4 >= 0) return Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]), ipv4Bytes(v4)]);
      return ipv6Bytes(ip);
    }
    case 'integer': {
      const n = castSample(value, from, 'int');
      if (!isInt(n)) return undefined;
      const b = Buffer.alloc(4);
      // the table keeps a 32-bit unsigned int in host order (little-endian here)
      b.writeUInt32LE(low32(n));
      return b;
    }
    case 'string': {
      const s = castSample(value, from, 'str');
      if (typeof s !== 'string') return undefined;
      const b = Buffer.from(s, 'latin1');
      const nul = b.indexOf(0);
      return Buffer.from(b.subarray(0, Math.min(nul < 0 ? b.length : nul, keySize - 1)));
    }
    case 'binary': {
      const v = castSample(value, from, 'bin');
      if (!Buffer.isBuffer(v)) return undefined;
      const b = Buffer.alloc(keySize);
      v.copy(b, 0, 0, Math.min(v.length, keySize));
      return b;
    }
  }
}

/** The key a runtime API command names ("show table t key 10.0.0.1"), or an error message as HAProxy's CLI says it. */
export function cliKey(text: string, type: TableKeyType, keySize: number): Buffer | { error: string } {
  switch (type) {
    case 'ip': {
      // inetaddr_host(): what the resolver reads; a bad address becomes 0.0.0.0
      const v4 = parseIpv4(text);
      return ipv4Bytes(v4 < 0 ? 0 : v4);
    }
    case 'ipv6':
      return ipv6Bytes(text) ?? { error: 'Invalid key\n' };
    case 'integer': {
      if (!/^\d+$/.test(text.trim()) && !/^\s*\+?\d/.test(text)) return { error: 'Invalid key\n' };
      const n = Number.parseInt(text, 10);
      if (!Number.isFinite(n) || n > 0xffffffff) return { error: 'Invalid key\n' };
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n);
      return b;
    }
    case 'string':
      return Buffer.from(Buffer.from(text, 'latin1').subarray(0, keySize - 1));
    case 'binary':
      return { error: 'binary' };
  }
}

// glibc inet_ntop(AF_INET6), as the ipv6 sample converters print it.
function ipv6Text(b: Buffer): string {
  const w = new Uint16Array(8);
  for (let i = 0; i < 8; i++) w[i] = b.readUInt16BE(i * 2);
  return ipv6ToString(w);
}

// dump_text(): printable ASCII as is, a few escapes, the rest as \xHH; stops at the first NUL.
function dumpText(b: Buffer): string {
  let out = '';
  for (const c of b) {
    if (c === 0) break;
    const ch = String.fromCharCode(c);
    if (c > 32 && c < 127 && ch !== '\\' && ch !== '=') out += ch;
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 27) out += '\\e';
    else if (ch === '\\' || ch === ' ' || ch === '=') out += `\\${ch}`;
    else out += `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The key as "show table" prints it after "key=". */
export function keyText(key: Buffer, type: TableKeyType): string {
  switch (type) {
    case 'ip':
      return `${key[0]}.${key[1]}.${key[2]}.${key[3]}`;
    case 'ipv6':
      return ipv6Text(key);
    case 'integer':
      return String(key.readUInt32LE(0));
    case 'string':
      return dumpText(key);
    case 'binary':
      return key.toString('hex').toUpperCase();
  }
}
