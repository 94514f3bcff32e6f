// FIX (Financial Information eXchange) converters, as src/fix.c reads a message: `tag=value` fields each ended
// by SOH (0x01). fix_is_valid checks BeginString, BodyLength, MsgType first and a final CheckSum; fix_tag_value
// gives one tag's value. Too few bytes to decide is no sample yet, flagged so tcp-request content rules wait.
import type { ArgValue, SampleValue } from './sample.ts';
import { fetchFlags } from './sample.ts';
import type { ConverterDef } from './converters.ts';

const SOH = 0x01;
const EQ = 0x3d;
const TAG_BEGIN_STRING = 8;
const TAG_BODY_LENGTH = 9;
const TAG_CHECKSUM = 10;
const TAG_MSG_TYPE = 35;
const MIN_SIZE = 26;
// fix_version(): the BeginString values 2.6 knows, and the highest tag id each allows (FIXT.1.1 is 5.0 SP2's)
const VERSION_MAX_TAG: Record<string, number> = { 'FIX.4.0': 140, 'FIX.4.1': 211, 'FIX.4.2': 446, 'FIX.4.3': 659, 'FIX.4.4': 956, 'FIXT.1.1': 1621 };
// fix_tagid(): the names the converter's argument may use instead of a number (case-blind)
const TAG_NAMES: Record<string, number> = { msgtype: 35, checksum: 10, bodylength: 9, targetcompid: 56, beginstring: 8, sendercompid: 49 };

// read_uint(): decimal digits up to the first other byte, wrapping at 32 bits; `end` is where it stopped.
function readUint(b: Buffer, from: number, to: number): { value: number; end: number } {
  let v = 0;
  let i = from;
  for (; i < to; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) break;
    v = (Math.imul(v, 10) + d) >>> 0;
  }
  return { value: v, end: i };
}

// fix_check_id(): a tag made of digits only, not 0, and within its version's range (user tags 10000-19999 always).
function checkId(b: Buffer, from: number, to: number, version: string | null): number {
  const { value, end } = readUint(b, from, to);
  if (end !== to || value === 0) return 0;
  if (version === null || (value >= 10000 && value <= 19999)) return value;
  return value <= VERSION_MAX_TAG[version]! ? value : 0;
}

// One field at `at`: where its '=' is and where its value ends (the SOH), or null when no SOH follows the '='.
function field(b: Buffer, at: number): { eq: number; end: number } | null {
  const eq = b.indexOf(EQ, at);
  if (eq < 0) return null;
  const end = b.indexOf(SOH, eq);
  return end < 0 ? null : { eq, end };
}

type Verdict = 'valid' | 'invalid' | 'more';

// fix_validate_message()
export function fixValidate(b: Buffer): Verdict {
  if (b.length < MIN_SIZE) return 'more';
  let at = 0;
  let version: string | null = null;
  let tagnum = 0;
  let bodylen = 0;
  let body = -1;
  let checksum = 0;
  while (at < b.length) {
    const f = field(b, at);
    if (!f) return 'more';
    if (f.eq === at) return 'invalid';
    const tagid = checkId(b, at, f.eq, version);
    if (!tagid) return 'invalid';
    const vFrom = f.eq + 1;
    tagnum++;
    if (tagnum === 1) {
      if (tagid !== TAG_BEGIN_STRING) return 'invalid';
      const v = b.toString('latin1', vFrom, f.end);
      if (VERSION_MAX_TAG[v] === undefined) return 'invalid';
      version = v;
    } else if (tagnum === 2) {
      if (tagid !== TAG_BODY_LENGTH) return 'invalid';
      const n = readUint(b, vFrom, f.end);
      if (n.end !== f.end || n.value === 0) return 'invalid';
      bodylen = n.value;
      body = f.end + 1;
    } else if (tagnum === 3) {
      if (tagid !== TAG_MSG_TYPE) return 'invalid';
    } else if (tagid === TAG_CHECKSUM) {
      // the body runs from after BodyLength to before CheckSum; the sum is of every byte before CheckSum
      if (bodylen !== at - body) return 'invalid';
      if (f.end - vFrom !== 3) return 'invalid';
      // strl2ui(): three bytes read as digits without checking them
      let sum = 0;
      for (let i = vFrom; i < f.end; i++) sum = (Math.imul(sum, 10) - 48 + b[i]!) >>> 0;
      return sum === checksum ? 'valid' : 'invalid';
    }
    for (let i = at; i <= f.end; i++) checksum = (checksum + b[i]!) & 0xff;
    at = f.end + 1;
  }
  return body >= 0 ? 'more' : 'invalid';
}

// fix_tag_value(): the value of the first field with that tag; 'more' when the data ends before it is found.
export function fixTagValue(b: Buffer, tagid: number): Buffer | 'more' | null {
  let at = 0;
  while (at < b.length) {
    const f = field(b, at);
    if (!f) break;
    if (f.eq === at) return null;
    const id = checkId(b, at, f.eq, null);
    if (!id) return null;
    if (id === tagid) return b.subarray(f.eq + 1, f.end);
    if (id === TAG_CHECKSUM) return null;
    at = f.end + 1;
  }
  return 'more';
}

// The tag argument: a number, or one of the names fix_tagid() knows.
function tagOf(a: ArgValue): number {
  const s = String(a ?? '');
  const n = checkId(Buffer.from(s, 'latin1'), 0, s.length, null);
  return n || TAG_NAMES[s.toLowerCase()] || 0;
}

export const FIX_CONVERTERS: readonly ConverterDef[] = [
  {
    name: 'fix_is_valid', inType: 'bin', outType: 'bool', args: [], minArgs: 0,
    compile: () => (v: SampleValue) => {
      fetchFlags.mayChange = false;
      const r = fixValidate(v as Buffer);
      if (r === 'more') {
        fetchFlags.mayChange = true;
        return undefined;
      }
      return r === 'valid';
    },
  },
  {
    name: 'fix_tag_value', inType: 'bin', outType: 'bin', args: ['str'], minArgs: 1,
    validate: (a) => (tagOf(a[0]) ? null : `Unknown FIX tag name '${String(a[0] ?? '')}'`),
    compile: (a) => {
      const tag = tagOf(a[0]);
      return (v: SampleValue) => {
        fetchFlags.mayChange = false;
        const r = fixTagValue(v as Buffer, tag);
        if (r === null) return undefined;
        // an empty value found is taken as "more data needed" too, as sample_conv_fix_tag_value reads it
        if (r === 'more' || r.length === 0) {
          fetchFlags.mayChange = true;
          return undefined;
        }
        return r;
      };
    },
  },
];
