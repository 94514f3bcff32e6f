// protobuf(FIELD[,TYPE]) and ungrpc(FIELD[,TYPE]), as include/haproxy/protobuf.h walks a message: FIELD is a
// dotted path of field numbers ("1.2.3") into nested length-delimited messages; TYPE says how to read the
// value found (int32 ... double), raw bytes without one. ungrpc first splits gRPC's length-prefixed frames.
// The walk is HAProxy's to the byte, its quirks included: a matching field that is not the last of the path is
// entered without being skipped, and a lookup that fails leaves the next gRPC frame where it stopped.
import type { ArgValue, SampleValue } from './sample.ts';
import type { ConverterDef } from './converters.ts';
import { wrap64, type Int } from './int64.ts';

const WIRE_VARINT = 0;
const WIRE_64BIT = 1;
const WIRE_LD = 2;
const WIRE_32BIT = 5;

type PbufType = 'binary' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | 'enum' | 'sint32' | 'sint64' | 'fixed32' | 'sfixed32' | 'float' | 'fixed64' | 'sfixed64' | 'double';
const TYPES: ReadonlySet<string> = new Set(['int32', 'uint32', 'sint32', 'int64', 'uint64', 'sint64', 'bool', 'enum', 'fixed32', 'sfixed32', 'float', 'fixed64', 'sfixed64', 'double']);
const ZIGZAG: ReadonlySet<PbufType> = new Set(['sint32', 'sint64']);
const PLAIN_VARINT: ReadonlySet<PbufType> = new Set(['int32', 'uint32', 'int64', 'uint64', 'bool', 'enum']);

/** Where the walk is: a position in the buffer and the bytes left after it (HAProxy's pos and len). */
interface Cursor {
  pos: number;
  len: number;
}

// protobuf_decode_varint(): 7 bits a byte, at most 10 bytes; false when it runs out or is too long.
function decodeVarint(b: Buffer, c: Cursor): bigint | null {
  let v = 0n;
  let shift = 0n;
  while (c.len > 0) {
    const byte = b[c.pos]!;
    v |= BigInt(byte & 0x7f) << shift;
    c.pos++;
    c.len--;
    if (!(byte & 0x80)) break;
    if (c.len === 0) return null;
    shift += 7n;
    if (shift > 63n) return null;
  }
  return BigInt.asUintN(64, v);
}

// protobuf_varint_getlen(): the varint's length in bytes, or -1.
function varintLength(b: Buffer, pos: number, len: number): number {
  const c = { pos, len };
  return decodeVarint(b, c) === null ? -1 : c.pos - pos;
}

// C's conversion of a float or double to an unsigned integer, as gcc does it on x86-64: truncation toward
// zero through a signed conversion, kept modulo 2^bits.
function truncTo(v: number, bits: 32 | 64): bigint {
  if (!Number.isFinite(v)) return bits === 64 ? 1n << 63n : 0n;
  return BigInt.asUintN(bits, BigInt(Math.trunc(v)));
}

// The smp_store functions: the value at pos read as `type`, or undefined.
function store(b: Buffer, wire: number, type: PbufType, pos: number, len: number, vlen: number): SampleValue | undefined {
  const int = (v: bigint): Int => wrap64(BigInt.asIntN(64, v));
  switch (wire) {
    case WIRE_VARINT: {
      if (type === 'binary') {
        const n = varintLength(b, pos, len);
        return n < 0 ? undefined : b.subarray(pos, pos + n);
      }
      if (!PLAIN_VARINT.has(type) && !ZIGZAG.has(type)) return undefined;
      const v = decodeVarint(b, { pos, len });
      if (v === null) return undefined;
      return ZIGZAG.has(type) ? int((v >> 1n) ^ -(v & 1n)) : int(v);
    }
    case WIRE_64BIT: {
      if (len < 8) return undefined;
      if (type === 'binary') return b.subarray(pos, pos + 8);
      if (type === 'fixed64' || type === 'sfixed64') return int(b.readBigUInt64LE(pos));
      if (type === 'double') return int(truncTo(b.readDoubleLE(pos), 64));
      return undefined;
    }
    case WIRE_LD:
      if (len < vlen || type !== 'binary') return undefined;
      return b.subarray(pos, pos + vlen);
    case WIRE_32BIT: {
      if (len < 4) return undefined;
      if (type === 'binary') return b.subarray(pos, pos + 4);
      if (type === 'fixed32') return b.readUInt32LE(pos);
      if (type === 'sfixed32') return b.readInt32LE(pos);
      if (type === 'float') return Number(truncTo(b.readFloatLE(pos), 32));
      return undefined;
    }
  }
  return undefined;
}

// protobuf_field_lookup()
function lookup(b: Buffer, c: Cursor, path: readonly number[], type: PbufType): SampleValue | undefined {
  let elen = 0;
  let field = 0;
  while (field < path.length) {
    if (c.len <= 0) return undefined;
    let sleft = c.len;
    const key = decodeVarint(b, c);
    if (key === null) return undefined;
    const wire = Number(key & 7n);
    const found = Number((key >> 3n) & 0xffffffffn) === path[field];
    switch (wire) {
      case WIRE_VARINT:
      case WIRE_32BIT:
      case WIRE_64BIT:
        if (!found && !skip(b, c, wire)) return undefined;
        break;
      case WIRE_LD: {
        const n = decodeVarint(b, c);
        if (n === null || n > BigInt(c.len)) return undefined;
        elen = Number(n);
        sleft = c.len;
        if (!found) {
          c.pos += elen;
          c.len -= elen;
        }
        break;
      }
      default:
        return undefined;
    }
    if (found && field === path.length - 1) return store(b, wire, type, c.pos, c.len, elen);
    if (elen > 0) elen -= sleft - c.len;
    if (found) field++;
    else if (elen <= 0) field = 0;
  }
  return undefined;
}

function skip(b: Buffer, c: Cursor, wire: number): boolean {
  if (wire === WIRE_VARINT) return decodeVarintSkip(b, c);
  const n = wire === WIRE_64BIT ? 8 : 4;
  if (c.len < n) return false;
  c.pos += n;
  c.len -= n;
  return true;
}

// protobuf_skip_varint(): the same walk as the decoder, without the value.
function decodeVarintSkip(b: Buffer, c: Cursor): boolean {
  return decodeVarint(b, c) !== null;
}

// ungrpc: each gRPC frame is a compression flag byte and a 4-byte big-endian length before its message.
function ungrpc(b: Buffer, path: readonly number[], type: PbufType): SampleValue | undefined {
  const c: Cursor = { pos: 0, len: 0 };
  let left = b.length;
  while (left > 5) {
    const msgLen = b.readUInt32BE(c.pos + 1);
    c.pos += 5;
    left -= 5;
    if (left < msgLen) return undefined;
    c.len = msgLen;
    const v = lookup(b, c, path, type);
    if (v !== undefined) return v;
    left -= msgLen;
  }
  return undefined;
}

// parse_dotted_uints(): numbers separated by dots, none of them after a final dot; an empty part reads as 0.
export function parseFieldPath(s: string): number[] | null {
  const out: number[] = [];
  let i = 0;
  while (i < s.length) {
    let v = 0;
    while (i < s.length && s[i]! >= '0' && s[i]! <= '9') v = (Math.imul(v, 10) + s.charCodeAt(i++) - 48) >>> 0;
    if (i < s.length && (s[i++] !== '.' || i === s.length)) return null;
    out.push(v);
  }
  return out;
}

const checkType = (a: readonly ArgValue[]): string | null =>
  a[1] === undefined || TYPES.has(String(a[1])) ? null : `Wrong protocol buffer type '${String(a[1])}'`;

function converter(name: 'protobuf' | 'ungrpc'): ConverterDef {
  return {
    name, inType: 'bin', outType: 'bin', runOutType: 'any', args: ['pbuf', 'str'], minArgs: 1, validate: checkType,
    compile: (a) => {
      const path = parseFieldPath(String(a[0])) ?? [];
      const type = (a[1] === undefined ? 'binary' : String(a[1])) as PbufType;
      return name === 'protobuf' ? (v) => lookup(v as Buffer, { pos: 0, len: (v as Buffer).length }, path, type) : (v) => ungrpc(v as Buffer, path, type);
    },
  };
}

export const PROTOBUF_CONVERTERS: readonly ConverterDef[] = [converter('protobuf'), converter('ungrpc')];
