// The process's local time zone as localtime(3) sees it (for the ltime converter): the offset at an instant from
// the JS date (which reads the same tzdata), and the abbreviation (%Z) from the zone's TZif file, as glibc's
// tzname — ICU's names (what Intl gives) differ from tzdata's for many zones ("GST" for Dubai's "+04").
import { readFileSync } from 'node:fs';

export interface Zone {
  /** Seconds east of UTC. */
  readonly offset: number;
  readonly name: string;
}

// JS dates reach ±8.64e12 s; beyond, the zone's January offset of the last representable year stands in.
const JS_DATE_LIMIT = 8_640_000_000_000n;
const FAR_FUTURE = Date.UTC(275760, 0, 1) / 1000;
const FAR_PAST = Date.UTC(-271820, 11, 1) / 1000;

/** The local zone at an instant (seconds since the epoch). */
export function localZone(epoch: bigint): Zone {
  const s = epoch > JS_DATE_LIMIT ? FAR_FUTURE : epoch < -JS_DATE_LIMIT ? FAR_PAST : Number(epoch);
  const offset = -new Date(s * 1000).getTimezoneOffset() * 60;
  return { offset, name: abbreviation(offset) };
}

let cachedTz: string | undefined | null = null;
let cachedNames: Map<number, string> = new Map();

// The zone's abbreviations by offset.
function abbreviation(offset: number): string {
  const tz = process.env.TZ;
  if (tz !== cachedTz) {
    cachedTz = tz;
    cachedNames = readAbbreviations(tz);
  }
  return cachedNames.get(offset) ?? (offset === 0 ? 'UTC' : numericName(offset));
}

function numericName(offset: number): string {
  const a = Math.abs(offset);
  const hh = String(Math.floor(a / 3600)).padStart(2, '0');
  const mm = Math.floor((a % 3600) / 60);
  return `${offset < 0 ? '-' : '+'}${hh}${mm ? String(mm).padStart(2, '0') : ''}`;
}

function zoneFile(tz: string | undefined): string {
  if (tz === undefined || tz === '') return '/etc/localtime';
  const name = tz.startsWith(':') ? tz.slice(1) : tz;
  return name.startsWith('/') ? name : `/usr/share/zoneinfo/${name}`;
}

// TZif (RFC 8536): a v1 block, then for version 2+ a second header and block with 64-bit times; the types
// (utoff int32, isdst, desigidx) and the abbreviation characters are what is read here.
function readAbbreviations(tz: string | undefined): Map<number, string> {
  const names = new Map<number, string>();
  let b: Buffer;
  try {
    b = readFileSync(zoneFile(tz));
  } catch {
    return names;
  }
  if (b.length < 44 || b.toString('latin1', 0, 4) !== 'TZif') return names;
  const counts = (at: number): number[] => [0, 1, 2, 3, 4, 5].map((i) => b.readUInt32BE(at + 20 + 4 * i));
  let head = 0;
  let [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(0);
  let timeSize = 4;
  if (b[4]! >= 0x32) {
    head = 44 + timecnt! * 5 + typecnt! * 6 + charcnt! + leap! * 8 + isstd! + isut!;
    if (b.length < head + 44) return names;
    [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(head);
    timeSize = 8;
  }
  const types = head + 44 + timecnt! * (timeSize + 1);
  const chars = types + typecnt! * 6;
  const typeName = (i: number): [number, string] => {
    const idx = b[types + i * 6 + 5]!;
    const end = b.indexOf(0, chars + idx);
    return [b.readInt32BE(types + i * 6), b.toString('latin1', chars + idx, end < 0 ? chars + charcnt! : end)];
  };
  // the types in transition order, so an offset names what the zone used last (EDT, not 1945's EPT)
  const order = head + 44 + timecnt! * timeSize;
  for (let t = 0; t < timecnt!; t++) {
    const [utoff, name] = typeName(b[order + t]!);
    names.set(utoff, name);
  }
  for (let i = 0; i < typecnt!; i++) {
    const [utoff, name] = typeName(i);
    if (!names.has(utoff)) names.set(utoff, name);
  }
  return names;
}
