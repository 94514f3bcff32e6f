// Date converters (src/http_conv.c, src/sample.c of HAProxy 2.6): http_date([offset[,unit]]) writes an
// IMF-fixdate ("Tue, 14 Nov 2023 22:13:20 GMT"; with ms or us a fraction printed as %d, unpadded), and
// utime(FORMAT[,offset]) formats a UTC date with strftime's C-locale conversions, and ltime(FORMAT[,offset]) the
// same in the process's local zone (TZ), whose %Z and %z name it.
import type { ConverterDef } from './converters.ts';
import type { ArgValue } from './sample.ts';
import { toBigInt, type Int } from './int64.ts';
import { localZone, type Zone } from './local-zone.ts';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const FULL_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const FULL_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const p2 = (n: number): string => String(n).padStart(2, '0');

// The 55-bit mask HAProxy applies so that a huge value never gives a negative date.
const MASK55 = (1n << 55n) - 1n;
const seconds = (v: Int): bigint => toBigInt(v) & MASK55;

interface Civil {
  Y: number;
  m: number;
  day: number;
  H: number;
  M: number;
  S: number;
  w: number;
  yday: number;
}

// gmtime for any 55-bit second count (JS dates stop at year 275760): days to a proleptic Gregorian date, after
// Howard Hinnant's civil_from_days; exact in doubles for these magnitudes.
function gmtime(epoch: bigint): Civil {
  // the seconds may need 55 bits: split them into days (which fit a double) and the rest of the day
  let d = epoch / 86400n;
  let r = epoch % 86400n;
  if (r < 0n) {
    r += 86400n;
    d -= 1n;
  }
  const days = Number(d);
  const rem = Number(r);
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 2 : mp - 10;
  const Y = yoe + era * 400 + (m <= 1 ? 1 : 0);
  const leap = (Y % 4 === 0 && Y % 100 !== 0) || Y % 400 === 0;
  const before = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334][m]! + (leap && m > 1 ? 1 : 0);
  return { Y, m, day, H: Math.floor(rem / 3600), M: Math.floor((rem % 3600) / 60), S: rem % 60, w: (((days + 4) % 7) + 7) % 7, yday: before + day - 1 };
}

const GMT: Zone = { offset: 0, name: 'GMT' };

/** strftime(3) in the C locale on a UTC date, for the conversions glibc has; others are copied as written. */
export function strftimeUtc(fmt: string, epoch: bigint): string {
  return strftimeIn(fmt, epoch, GMT);
}

function offsetText(offset: number): string {
  const a = Math.abs(offset);
  return `${offset < 0 ? '-' : '+'}${p2(Math.floor(a / 3600))}${p2(Math.floor((a % 3600) / 60))}`;
}

function strftimeIn(fmt: string, epoch: bigint, zone: Zone): string {
  const { Y, m, day, H, M, S, w, yday } = gmtime(epoch + BigInt(zone.offset));
  const conv = (c: string): string | null => {
    switch (c) {
      case 'a': return DAYS[w]!;
      case 'A': return FULL_DAYS[w]!;
      case 'b': case 'h': return MONTHS[m]!;
      case 'B': return FULL_MONTHS[m]!;
      case 'c': return `${DAYS[w]} ${MONTHS[m]} ${String(day).padStart(2, ' ')} ${p2(H)}:${p2(M)}:${p2(S)} ${Y}`;
      case 'C': return p2(Math.floor(Y / 100));
      case 'd': return p2(day);
      case 'D': return `${p2(m + 1)}/${p2(day)}/${p2(Y % 100)}`;
      case 'e': return String(day).padStart(2, ' ');
      case 'F': return `${Y}-${p2(m + 1)}-${p2(day)}`;
      case 'H': return p2(H);
      case 'I': return p2(H % 12 || 12);
      case 'j': return String(yday + 1).padStart(3, '0');
      case 'k': return String(H).padStart(2, ' ');
      case 'l': return String(H % 12 || 12).padStart(2, ' ');
      case 'm': return p2(m + 1);
      case 'M': return p2(M);
      case 'n': return '\n';
      case 'p': return H < 12 ? 'AM' : 'PM';
      case 'P': return H < 12 ? 'am' : 'pm';
      case 'r': return `${p2(H % 12 || 12)}:${p2(M)}:${p2(S)} ${H < 12 ? 'AM' : 'PM'}`;
      case 'R': return `${p2(H)}:${p2(M)}`;
      case 's': return epoch.toString();
      case 'S': return p2(S);
      case 't': return '\t';
      case 'T': return `${p2(H)}:${p2(M)}:${p2(S)}`;
      case 'u': return String(w || 7);
      case 'w': return String(w);
      case 'x': return `${p2(m + 1)}/${p2(day)}/${p2(Y % 100)}`;
      case 'X': return `${p2(H)}:${p2(M)}:${p2(S)}`;
      case 'y': return p2(Y % 100);
      case 'Y': return String(Y);
      case 'z': return offsetText(zone.offset);
      case 'Z': return zone.name;
      case '%': return '%';
      default: return null;
    }
  };
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== '%' || i + 1 >= fmt.length) {
      out += fmt[i];
      continue;
    }
    const r = conv(fmt[i + 1]!);
    if (r === null) {
      out += fmt[i];
      continue;
    }
    out += r;
    i++;
  }
  return out;
}

const UNITS: Record<string, 's' | 'ms' | 'us'> = { s: 's', ms: 'ms', us: 'us' };

// smp_check_date_unit
const checkUnit = (a: readonly ArgValue[]): string | null =>
  a[1] === undefined || UNITS[String(a[1])] ? null : `expects 's', 'ms' or 'us', got '${String(a[1])}'`;

function httpDate(v: Int, offset: number, unit: 's' | 'ms' | 'us'): string {
  let n = BigInt.asIntN(64, toBigInt(v) + BigInt(offset));
  let frac = 0n;
  if (unit === 'ms') {
    frac = n % 1000n;
    n /= 1000n;
  } else if (unit === 'us') {
    frac = n % 1000000n;
    n /= 1000000n;
  }
  const t = gmtime(n & MASK55);
  const head = `${DAYS[t.w]}, ${p2(t.day)} ${MONTHS[t.m]} ${String(t.Y).padStart(4, '0')} ${p2(t.H)}:${p2(t.M)}:${p2(t.S)}`;
  return unit === 's' ? `${head} GMT` : `${head}.${frac} GMT`;
}

export const TIME_CONVERTERS: readonly ConverterDef[] = [
  {
    name: 'http_date', inType: 'int', outType: 'str', args: ['sint', 'str'], minArgs: 0, validate: checkUnit,
    compile: (a) => {
      const offset = typeof a[0] === 'number' ? a[0] : 0;
      const unit = a[1] === undefined ? 's' : UNITS[String(a[1])]!;
      return (v) => httpDate(v as Int, offset, unit);
    },
  },
  {
    name: 'utime', inType: 'int', outType: 'str', args: ['str', 'sint'], minArgs: 1,
    compile: (a) => {
      const fmt = String(a[0] ?? '');
      const offset = typeof a[1] === 'number' ? a[1] : 0;
      return (v) => strftimeUtc(fmt, seconds(v as Int) + BigInt(offset));
    },
  },
  {
    name: 'ltime', inType: 'int', outType: 'str', args: ['str', 'sint'], minArgs: 1,
    compile: (a) => {
      const fmt = String(a[0] ?? '');
      const offset = typeof a[1] === 'number' ? a[1] : 0;
      return (v) => {
        const t = seconds(v as Int) + BigInt(offset);
        return strftimeIn(fmt, t, localZone(t));
      };
    },
  },
];
