// MQTT converters, as src/mqtt.c reads a packet: mqtt_is_valid checks a CONNECT or CONNACK packet (3.1, 3.1.1
// and 5.0, with 5.0's properties) and calls every other packet type invalid; mqtt_field_value gives one field
// of a valid packet of the named type. Too few bytes to decide is no sample yet, flagged so rules wait.
import type { ArgValue, SampleValue } from './sample.ts';
import { fetchFlags } from './sample.ts';
import type { ConverterDef } from './converters.ts';

const TYPES = ['', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH'];
const CONNECT = 1;
const CONNACK = 2;
// the flags each packet type must carry in its first byte (PUBLISH's vary, and 2.6 only accepts 0x0F)
const TYPE_FLAGS = [0, 0, 0, 0x0f, 0, 0, 0x02, 0, 0x02, 0, 0x02, 0, 0, 0, 0, 0];

// mqtt_fields_string, in MQTT_FN_* order ("" is MQTT_FN_INVALID); 5.0 properties go by their number
const FIELDS = ['', 'flags', 'reason_code', 'protocol_name', 'protocol_version', 'client_identifier', 'will_topic', 'will_payload', 'username', 'password', 'keepalive', '1', '2', '3', '8', '9', '11', '17', '18', '19', '21', '22', '23', '24', '25', '26', '28', '31', '33', '34', '35', '36', '37', '38', '39', '40', '41', '42'];
const REASON = ['reason_code', '31', '38'];
// mqtt_fields_per_packet: the fields the converter may ask of each packet type
const FIELDS_PER_TYPE: readonly (readonly string[])[] = [
  [],
  ['protocol_name', 'protocol_version', 'flags', 'keepalive', '17', '33', '39', '34', '25', '23', '38', '21', '22', 'client_identifier', '24', '1', '2', '3', '8', '9', 'will_topic', 'will_payload', 'username', 'password'],
  ['flags', 'protocol_version', 'reason_code', '17', '33', '36', '37', '39', '18', '34', '31', '40', '41', '42', '19', '26', '28', '38', '21', '22'],
  ['1', '2', '3', '8', '9', '11', '35', '38'],
  REASON, REASON, REASON, REASON,
  ['11', '38'], ['31', '38'], ['38'], ['31', '38'], [], [],
  ['reason_code', '17', '28', '31', '38'],
  ['21', '22', '31', '38'],
];

type Verdict = 'valid' | 'invalid' | 'more';
type Value = number | Buffer;
/** A parsed CONNECT or CONNACK: its type, version, flags and the fields read, by FIELDS name. */
interface Packet {
  type: number;
  version: number;
  flags: number;
  readonly fields: Map<string, Value>;
}

/** A reading position in the packet (HAProxy's struct ist parser); null once a read failed (IST_NULL). */
class Reader {
  constructor(readonly b: Buffer, public pos: number, public end: number) {}
  get left(): number {
    return this.end - this.pos;
  }
  // mqtt_read_1byte_int / 2byte / 4byte: big-endian, null when too short
  int(n: 1 | 2 | 4): number | null {
    if (this.left < n) return null;
    const v = n === 1 ? this.b[this.pos]! : n === 2 ? this.b.readUInt16BE(this.pos) : this.b.readUInt32BE(this.pos);
    this.pos += n;
    return v;
  }
  // mqtt_read_varint: at most 4 bytes; running out of bytes first is not an error
  varint(): number | null {
    let v = 0;
    let m = 0;
    let off = 0;
    for (; off < 4 && this.left > 0; off++) {
      const byte = this.b[this.pos++]!;
      v = (v + ((byte & 127) << m)) >>> 0;
      m += 7;
      if (byte <= 127) break;
    }
    return off === 4 ? null : v;
  }
  // mqtt_read_string: a 2-byte length and that many bytes
  string(): Buffer | null {
    if (this.left < 2) return null;
    const len = this.b.readUInt16BE(this.pos);
    if (this.left - 2 < len) return null;
    this.pos += 2 + len;
    return this.b.subarray(this.pos - len, this.pos);
  }
}

type PropKind = 1 | 2 | 4 | 's';
// The properties each packet's property lists accept: their field name, how they are read, and the largest
// value a one-byte flag may take (a 0 receive maximum or packet size is refused too).
interface Prop {
  readonly field: string;
  readonly kind: PropKind;
  readonly max?: number;
  readonly nonZero?: true;
}
const CONNECT_PROPS: ReadonlyMap<number, Prop> = new Map([
  [0x11, { field: '17', kind: 4 }], [0x21, { field: '33', kind: 2, nonZero: true }], [0x27, { field: '39', kind: 4, nonZero: true }],
  [0x22, { field: '34', kind: 2 }], [0x19, { field: '25', kind: 1, max: 1 }], [0x17, { field: '23', kind: 1, max: 1 }],
  [0x15, { field: '21', kind: 's' }], [0x16, { field: '22', kind: 's' }],
]);
const WILL_PROPS: ReadonlyMap<number, Prop> = new Map([
  [0x18, { field: '24', kind: 4 }], [0x01, { field: '1', kind: 1, max: 1 }], [0x02, { field: '2', kind: 4 }],
  [0x03, { field: '3', kind: 's' }], [0x08, { field: '8', kind: 's' }], [0x09, { field: '9', kind: 's' }],
]);
const CONNACK_PROPS: ReadonlyMap<number, Prop> = new Map([
  [0x11, { field: '17', kind: 4 }], [0x21, { field: '33', kind: 2, nonZero: true }], [0x24, { field: '36', kind: 1, max: 1 }],
  [0x25, { field: '37', kind: 1, max: 1 }], [0x27, { field: '39', kind: 4, nonZero: true }], [0x12, { field: '18', kind: 's', nonZero: true }],
  [0x22, { field: '34', kind: 2 }], [0x1f, { field: '31', kind: 's' }], [0x28, { field: '40', kind: 1, max: 1 }],
  [0x29, { field: '41', kind: 1, max: 1 }], [0x2a, { field: '42', kind: 1, max: 1 }], [0x13, { field: '19', kind: 2 }],
  [0x1a, { field: '26', kind: 's' }], [0x1c, { field: '28', kind: 's' }], [0x15, { field: '21', kind: 's' }], [0x16, { field: '22', kind: 's' }],
]);
const USER_PROPERTY = 0x26;

// A property list: its varint length, then id/value pairs, each property at most once (user properties any
// number of times). An unknown id is invalid, except in CONNACK where mqtt_parse_connack answers "need more".
function readProps(r: Reader, known: ReadonlyMap<number, Prop>, into: Map<string, Value>, unknown: Verdict): Verdict | null {
  const plen = r.varint();
  if (plen === null || r.left < plen) return 'invalid';
  const p = new Reader(r.b, r.pos, r.pos + plen);
  r.pos += plen;
  const seen = new Set<number>();
  while (p.left > 0) {
    const id = p.b[p.pos++]!;
    if (id === USER_PROPERTY) {
      if (p.string() === null || p.string() === null) return 'invalid';
      continue;
    }
    const prop = known.get(id);
    if (!prop) return unknown;
    if (seen.has(id)) return 'invalid';
    seen.add(id);
    const v = prop.kind === 's' ? p.string() : p.int(prop.kind);
    if (v === null) return 'invalid';
    if (prop.nonZero && (typeof v === 'number' ? v === 0 : v.length === 0)) return 'invalid';
    if (prop.max !== undefined && (v as number) > prop.max) return 'invalid';
    into.set(prop.field, v);
  }
  return null;
}

const isName = (s: Buffer, name: string): boolean => s.toString('latin1').toLowerCase() === name.toLowerCase();

// mqtt_parse_connect: the parser holds the rest of the message, which must be exactly the remaining length
function parseConnect(r: Reader, remaining: number, pkt: Packet): Verdict {
  const start = r.left;
  const name = r.string();
  if (name === null || !(isName(name, 'MQTT') || isName(name, 'MQIsdp'))) return 'invalid';
  pkt.fields.set('protocol_name', name);
  const version = r.int(1);
  if (version === null || (version !== 3 && version !== 4 && version !== 5)) return 'invalid';
  pkt.version = version;
  const flags = r.int(1);
  if (flags === null || flags & 0x01) return 'invalid';
  // a will QoS without a will
  if ((flags & (0x04 | 0x18 | 0x20)) === 0x18) return 'invalid';
  pkt.flags = flags;
  const keepalive = r.int(2);
  if (keepalive === null) return 'invalid';
  pkt.fields.set('keepalive', keepalive);
  if (version === 5) {
    const bad = readProps(r, CONNECT_PROPS, pkt.fields, 'invalid');
    if (bad) return bad;
  }
  if (!has(pkt, '21') && has(pkt, '22')) return 'invalid';
  const id = r.string();
  if (id === null) return 'invalid';
  pkt.fields.set('client_identifier', id);
  const will = (flags & 0x04) !== 0;
  if (version === 5 && will) {
    const bad = readProps(r, WILL_PROPS, pkt.fields, 'invalid');
    if (bad) return bad;
  }
  const strings: [boolean, string][] = [[will, 'will_topic'], [will, 'will_payload'], [(flags & 0x80) !== 0, 'username'], [(flags & 0x40) !== 0, 'password']];
  for (const [present, field] of strings) {
    if (!present) continue;
    const s = r.string();
    if (s === null) return 'invalid';
    pkt.fields.set(field, s);
  }
  return start - r.left === remaining ? 'valid' : 'invalid';
}

// mqtt_parse_connack: two bytes of the rest mean 3.1.1, more mean 5.0 (with properties)
function parseConnack(r: Reader, remaining: number, pkt: Packet): Verdict {
  const start = r.left;
  if (r.left < 2) return 'invalid';
  pkt.version = r.left === 2 ? 4 : 5;
  const flags = r.int(1)!;
  if (flags & 0xfe) return 'invalid';
  pkt.flags = flags;
  pkt.fields.set('reason_code', r.int(1)!);
  if (pkt.version === 5) {
    const bad = readProps(r, CONNACK_PROPS, pkt.fields, 'more');
    if (bad) return bad;
  }
  return start - r.left === remaining ? 'valid' : 'invalid';
}

const has = (pkt: Packet, field: string): boolean => {
  const v = pkt.fields.get(field);
  return v !== undefined && (typeof v === 'number' || v.length > 0);
};

// mqtt_validate_message
export function mqttValidate(b: Buffer, pkt: Packet = { type: 0, version: 0, flags: 0, fields: new Map() }): Verdict {
  if (b.length < 2) return 'more';
  const type = b[0]! >> 4;
  if (type === 0 || (b[0]! & 0x0f) !== TYPE_FLAGS[type]) return 'invalid';
  pkt.type = type;
  const r = new Reader(b, 1, b.length);
  const remaining = r.varint();
  if (remaining === null) return 'invalid';
  if (r.left < remaining) return 'more';
  if (type === CONNECT) return parseConnect(r, remaining, pkt);
  if (type === CONNACK) return parseConnack(r, remaining, pkt);
  return 'invalid';
}

// Fields that exist only in 5.0 (and, for CONNECT's will properties, only with a will); numbers are always
// found (0 when absent), strings only when not empty.
const CONNECT_WILL_ONLY: ReadonlySet<string> = new Set(['1', '2', '3', '8', '9', '24']);
const CONNECT_V5: ReadonlySet<string> = new Set(['17', '21', '22', '23', '25', '33', '34', '39']);
const CONNECT_NUMBERS: ReadonlySet<string> = new Set(['1', '2', '24', '17', '23', '25', '33', '34', '39', 'keepalive']);
const CONNECT_STRINGS: ReadonlySet<string> = new Set(['protocol_name', 'client_identifier', 'will_topic', 'will_payload', 'username', 'password', '3', '8', '9', '21', '22']);
const CONNACK_NUMBERS: ReadonlySet<string> = new Set(['17', '19', '33', '34', '36', '37', '39', '40', '41', '42']);
const CONNACK_STRINGS: ReadonlySet<string> = new Set(['18', '21', '22', '26', '28', '31']);

// mqtt_field_value
export function mqttFieldValue(b: Buffer, type: number, field: string): string | 'more' | null {
  const pkt: Packet = { type: 0, version: 0, flags: 0, fields: new Map() };
  const v = mqttValidate(b, pkt);
  if (v === 'more') return 'more';
  if (v === 'invalid' || pkt.type !== type) return null;
  const num = (f: string): string => String(pkt.fields.get(f) ?? 0);
  const str = (f: string): string | null => (has(pkt, f) ? (pkt.fields.get(f) as Buffer).toString('latin1') : null);
  if (field === 'flags') return String(pkt.flags);
  if (field === 'protocol_version') return String(pkt.version);
  if (type === CONNECT) {
    if (CONNECT_WILL_ONLY.has(field) && (pkt.version !== 5 || !(pkt.flags & 0x04))) return null;
    if (CONNECT_V5.has(field) && pkt.version !== 5) return null;
    if (CONNECT_NUMBERS.has(field)) return num(field);
    return CONNECT_STRINGS.has(field) ? str(field) : null;
  }
  if (field === 'reason_code') return num(field);
  if (pkt.version !== 5) return null;
  if (CONNACK_NUMBERS.has(field)) return num(field);
  return CONNACK_STRINGS.has(field) ? str(field) : null;
}

// strl2ui(): every byte read as a digit, unchecked, wrapping at 32 bits (and read back as an int)
function strl2ui(s: string): number {
  let v = 0;
  for (let i = 0; i < s.length; i++) v = (Math.imul(v, 10) - 48 + (s.charCodeAt(i) & 0xff)) >>> 0;
  return v | 0;
}

// mqtt_typeid: a number from 1 to 15 or a type's name, case-blind; 0 when neither
export function mqttTypeId(s: string): number {
  const id = strl2ui(s);
  if (id >= 1 && id < TYPES.length) return id;
  const i = TYPES.indexOf(s.toUpperCase());
  return i > 0 ? i : 0;
}

// mqtt_check_type_fieldname: the field's name (case-blind) if that packet type has it
function fieldOf(type: number, s: string): string | null {
  const name = FIELDS.find((f) => f === s.toLowerCase());
  return name !== undefined && FIELDS_PER_TYPE[type]!.includes(name) ? name : null;
}

function checkField(a: readonly ArgValue[]): string | null {
  const t = String(a[0] ?? '');
  const f = String(a[1] ?? '');
  const type = mqttTypeId(t);
  if (!type) return `Unknown MQTT type '${t}'`;
  return fieldOf(type, f) === null ? `Unknown MQTT field name '${f}' for packet type '${t}'` : null;
}

export const MQTT_CONVERTERS: readonly ConverterDef[] = [
  {
    name: 'mqtt_is_valid', inType: 'bin', outType: 'bool', args: [], minArgs: 0,
    compile: () => (v: SampleValue) => {
      fetchFlags.mayChange = false;
      const r = mqttValidate(v as Buffer);
      if (r === 'more') {
        fetchFlags.mayChange = true;
        return undefined;
      }
      return r === 'valid';
    },
  },
  {
    name: 'mqtt_field_value', inType: 'bin', outType: 'str', args: ['str', 'str'], minArgs: 2, validate: checkField,
    compile: (a) => {
      const type = mqttTypeId(String(a[0]));
      const field = fieldOf(type, String(a[1])) ?? '';
      return (v: SampleValue) => {
        fetchFlags.mayChange = false;
        const r = mqttFieldValue(v as Buffer, type, field);
        if (r === 'more') {
          fetchFlags.mayChange = true;
          return undefined;
        }
        return r ?? undefined;
      };
    },
  },
];
