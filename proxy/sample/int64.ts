// HAProxy's integer samples are signed 64-bit (SMP_T_SINT, long long). The engine keeps one as a JS number while
// it is a safe integer (|x| < 2^53, every fetch and nearly every converter result) and as a bigint beyond, so the
// hot path stays on doubles and the rare big value is still exact. The invariant that makes `===` and `<` work on
// either form: a bigint is never in the safe range (intOf() is the only way to make one).

/** A SINT sample's value: a number while safe, a bigint only outside ±(2^53-1). */
export type Int = number | bigint;

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = -SAFE_MAX;

/** The Int for an exact bigint already within 64 bits: a number when it is safe. */
export function intOf(b: bigint): Int {
  return b >= SAFE_MIN && b <= SAFE_MAX ? Number(b) : b;
}

/** Saturates to the 64-bit limits, as HAProxy's capped arithmetic and read_int64 do. */
export function saturate(b: bigint): Int {
  return intOf(b > INT64_MAX ? INT64_MAX : b < INT64_MIN ? INT64_MIN : b);
}

/** Keeps the low 64 bits as a signed value, as C's casts of an unsigned 64-bit hash to long long do. */
export function wrap64(b: bigint): Int {
  return intOf(BigInt.asIntN(64, b));
}

export function toBigInt(x: Int): bigint {
  return typeof x === 'bigint' ? x : BigInt(x);
}

/** The value as a double (exact when safe), for the consumers that need no more (times, ports, statuses). */
export function toNumber(x: Int): number {
  return typeof x === 'bigint' ? Number(x) : x;
}

export function isInt(v: unknown): v is Int {
  return typeof v === 'number' || typeof v === 'bigint';
}

/** The low 32 bits, unsigned (what a cast to unsigned int keeps). */
export function low32(x: Int): number {
  return typeof x === 'number' && x >= 0 && x <= 0xffffffff ? x : Number(BigInt.asUintN(32, toBigInt(x)));
}

// The capped operations of HAProxy's arith_add & co (src/sample.c): on overflow the result is the limit.
export function addInt(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return saturate(toBigInt(a) + toBigInt(b));
}

export function subInt(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r;
  }
  return saturate(toBigInt(a) - toBigInt(b));
}

export function mulInt(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  return saturate(toBigInt(a) * toBigInt(b));
}

/** div: a zero divisor gives the largest value; LLONG_MIN / -1 is capped too. Truncates toward zero. */
export function divInt(a: Int, b: Int): Int {
  if (b === 0) return intOf(INT64_MAX);
  // a double quotient truncates exactly while the dividend is below 2^32
  if (typeof a === 'number' && typeof b === 'number' && Math.abs(a) < 4294967296) return Math.trunc(a / b) + 0;
  return saturate(toBigInt(a) / toBigInt(b));
}

/** mod: a zero divisor gives 0; the sign follows the dividend, as C's %. */
export function modInt(a: Int, b: Int): Int {
  if (b === 0) return 0;
  if (typeof a === 'number' && typeof b === 'number') return (a % b) + 0;
  return intOf(toBigInt(a) % toBigInt(b));
}

export function negInt(a: Int): Int {
  return typeof a === 'number' ? -a + 0 : saturate(-a);
}

/**
 * HAProxy's read_int64: an optional sign, then digits up to the first non-digit, saturating at the limits.
 * `end` is where the digits stopped.
 */
export function readInt64At(s: string): { value: Int; end: number } {
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i = 1;
  }
  const start = i;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  // 15 digits always fit a double exactly; longer runs go through bigint
  if (i - start <= 15) {
    const v = i === start ? 0 : Number(s.slice(start, i));
    return { value: neg ? -v + 0 : v, end: i };
  }
  const b = BigInt(s.slice(start, i));
  return { value: saturate(neg ? -b : b), end: i };
}

/** A decimal literal that must be a signed 64-bit value exactly (ACL int patterns): null when out of range. */
export function exactInt64(digits: string, neg: boolean): Int | null {
  if (digits.length <= 15) {
    const v = digits === '' ? 0 : Number(digits);
    return neg ? -v + 0 : v;
  }
  const b = neg ? -BigInt(digits) : BigInt(digits);
  return b > INT64_MAX || b < INT64_MIN ? null : intOf(b);
}
