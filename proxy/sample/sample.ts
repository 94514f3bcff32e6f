// What a sample is: its type (HAProxy's SMP_T_*), how fetches hand samples out, and which casts exist.
import type { SampleContext } from './context.ts';
import { readInt64At, type Int } from './int64.ts';

/**
 * HAProxy's sample types; 'meth' is a method name, 'bin' raw bytes. IP samples travel as text. 'any' is a fetch
 * whose type is known only when it runs (var()): its values carry their type in their JS type (see vars.ts).
 */
export type SampleType = 'bool' | 'int' | 'ip' | 'str' | 'bin' | 'meth' | 'any';

/** The JS value for each sample type. */
export interface SampleValues {
  bool: boolean;
  /** Signed 64-bit: a number while safe, a bigint beyond (int64.ts). */
  int: Int;
  ip: string;
  str: string;
  bin: Buffer;
  meth: string;
  any: boolean | Int | string | Buffer;
}
export type SampleValue = SampleValues[SampleType];

/**
 * Set by fetches that found too little data yet (or a value that may still grow), for partial evaluations of
 * tcp-request content rules (HAProxy's SMP_F_MAY_CHANGE). Reset by whoever reads it; test() never does.
 * `partial` is true during such an evaluation (HAProxy's SMP_OPT_FINAL unset). Module state on purpose: it lives
 * only inside one synchronous evaluation, which nothing else can interleave with.
 */
export const fetchFlags = { mayChange: false, partial: false };

/** Receives one sample; returns true to stop (a pattern matched). */
export type Visit = (value: SampleValue) => boolean;

/** A compiled fetch: hands each sample to visit; returns true as soon as visit does, false otherwise. */
export type FetchFn = (ctx: SampleContext, visit: Visit) => boolean;

/**
 * Where a fetch's data comes from, which decides where it may be used (HAProxy's SMP_USE_* classes):
 * const/l4 work everywhere; l5 (session) from tcp-request session on; l6req and http-req need request contents
 * (not at tcp-request connection/session); http-res needs a response (http-response rules only), and
 * http-res-persist (status) is still known when the log line is written; backend needs
 * the backend chosen (backend rules, responses); server a connected server (responses).
 */
export type FetchSource = 'const' | 'l4' | 'l5' | 'l6req' | 'http-req' | 'http-req-persist' | 'http-res' | 'http-res-persist' | 'frontend' | 'backend' | 'server';

/**
 * Argument types HAProxy's make_arg_list knows that our fetches use; be/fe/srv name proxies and servers, tab a stick
 * table. 'sint' gives a number (saturated, so a huge one is only near); 'sint64' is the same integer kept exact (Int)
 * for the one place that needs all 64 bits, the int() fetch. ipv4/ipv6 are addresses as inet_pton reads them,
 * kept as text; pbuf a dotted protobuf field path ("1.2.3"), kept as written.
 */
export type ArgType = 'str' | 'sint' | 'sint64' | 'be' | 'fe' | 'srv' | 'msk4' | 'msk6' | 'ipv4' | 'ipv6' | 'pbuf' | 'tab';
export type ArgValue = string | number | bigint | undefined;

export interface FetchDef {
  readonly name: string;
  readonly outType: SampleType;
  /** Argument types in order, and how many are mandatory. */
  readonly args: readonly ArgType[];
  readonly minArgs: number;
  readonly source: FetchSource;
  /** Checks parsed arguments (HAProxy's val_args); returns an error message or null. */
  readonly validate?: (args: readonly ArgValue[]) => string | null;
  /** `proxy` is the section the ACL is written in (what an omitted backend/frontend argument means). */
  compile(args: readonly ArgValue[], proxy: string): FetchFn;
  /** HAProxy has it and the engine does not: it loads, gives no sample, and the config reader warns (lacking.ts). */
  readonly lacking?: true;
}

// Which conversions HAProxy's sample_casts table allows, from a fetch's type to a match's expected type.
const CASTS: Record<SampleType, readonly (SampleType | 'addr')[]> = {
  bool: ['bool', 'int', 'str', 'bin'],
  int: ['bool', 'int', 'addr', 'ip', 'str', 'bin'],
  ip: ['int', 'addr', 'ip', 'str', 'bin'],
  str: ['bool', 'int', 'addr', 'ip', 'str', 'bin', 'meth'],
  bin: ['str', 'bin', 'meth'],
  meth: ['str', 'bin', 'meth'],
  any: ['bool', 'int', 'addr', 'ip', 'str', 'bin', 'meth'],
};

/** True when HAProxy can convert a `from` sample into what a match method expects. */
export function canCast(from: SampleType, to: SampleType | 'addr'): boolean {
  return to === 'any' || CASTS[from].includes(to);
}

// HAProxy's read_int64: optional sign then digits, stopping at the first non-digit, saturating at 64 bits.
export function readInt64(s: string): Int {
  return readInt64At(s).value;
}

// HAProxy's strl2ic (used by hdr_val, urlp_val): digits until a char above '9'; lower chars still add.
export function strl2ic(s: string): number {
  let i = 0;
  if (s.length === 0) return 0;
  if (s.charCodeAt(0) !== 45) {
    for (let p = 0; p < s.length; p++) {
      const j = s.charCodeAt(p) - 48;
      if (j > 9) break;
      i = (i * 10 + j) | 0;
    }
  } else {
    for (let p = 1; p < s.length; p++) {
      const j = s.charCodeAt(p) - 48;
      if (j > 9) break;
      i = (i * 10 - j) | 0;
    }
  }
  return i;
}
