// Context-free fetches (HAProxy's src/sample.c and src/payload.c): str(), int(), bool(), env(), rand(),
// date, date_us, uuid, thread and wait_end. rand(N) makes the classic canary split: `use_backend canary if { rand(100) lt 10 }`.
import { randomInt, randomUUID } from 'node:crypto';
import type { Int } from '../int64.ts';
import { hostname } from 'node:os';
import type { ArgValue, FetchDef, FetchFn } from '../sample.ts';
import { fetchFlags } from '../sample.ts';

function constant(value: string | Int | boolean | Buffer): FetchFn {
  return (_ctx, visit) => visit(value);
}

const checkBool = (a: readonly ArgValue[]): string | null =>
  /^(true|false|1|0)$/i.test(String(a[0] ?? '')) ? null : "Expects 'true', 'false', '0' or '1'";

// rand([range]): a 32-bit random number scaled into [0, range) with all its bits, as smp_fetch_rand does.
function compileRand(args: readonly ArgValue[]): FetchFn {
  const range = typeof args[0] === 'number' ? args[0] : null;
  return (_ctx, visit) => {
    // HAProxy flags rand as "may change": a miss during a partial evaluation waits for the final one.
    fetchFlags.mayChange = true;
    const r = randomInt(0x100000000);
    return visit(range === null ? r : Math.floor((r * range) / 0x100000000));
  };
}

// uuid([4]): a random RFC 4122 version 4 UUID on each evaluation (smp_fetch_uuid); 4 is the only version 2.6 has.
const checkUuid = (a: readonly ArgValue[]): string | null =>
  a[0] === undefined || a[0] === 4 ? null : `Unsupported UUID version: '${String(a[0])}'`;

const uuid: FetchFn = (_ctx, visit) => {
  fetchFlags.mayChange = true;
  return visit(randomUUID());
};

// wait_end: false while data may still arrive (so a rule waits), true once the evaluation is final.
const waitEnd: FetchFn = (_ctx, visit) => {
  if (fetchFlags.partial) {
    fetchFlags.mayChange = true;
    return false;
  }
  return visit(true);
};

// date([offset[,unit]]): the wall clock in s, ms or us, plus the offset (in that unit), as smp_fetch_date.
const DATE_UNITS: Record<string, 1 | 1000 | 1000000> = { s: 1, ms: 1000, us: 1000000 };
const checkDate = (a: readonly ArgValue[]): string | null =>
  a[1] === undefined || DATE_UNITS[String(a[1])] !== undefined ? null : `expects 's', 'ms' or 'us', got '${String(a[1])}'`;

function compileDate(args: readonly ArgValue[]): FetchFn {
  const unit = DATE_UNITS[String(args[1] ?? 's')] ?? 1;
  const offset = typeof args[0] === 'number' ? args[0] : 0;
  return (_ctx, visit) => {
    fetchFlags.mayChange = true;
    const us = nowMicros();
    const sec = Math.floor(us / 1e6);
    const v = unit === 1 ? sec : unit === 1000 ? sec * 1000 + Math.floor((us % 1e6) / 1000) : us;
    return visit(v + offset);
  };
}

// The clock in microseconds since the epoch (HAProxy's `date`), from the monotonic clock anchored at start-up.
const EPOCH_US = Date.now() * 1000 - Number(process.hrtime.bigint() / 1000n);
const nowMicros = (): number => EPOCH_US + Number(process.hrtime.bigint() / 1000n);


// The constant and random fetches by name.
export const constantFetches: readonly FetchDef[] = [
  { name: 'str', outType: 'str', args: ['str'], minArgs: 1, source: 'const', compile: (a) => constant(String(a[0] ?? '')) },
  { name: 'int', outType: 'int', args: ['sint64'], minArgs: 1, source: 'const', compile: (a) => constant((a[0] as Int | undefined) ?? 0) },
  {
    name: 'bool', outType: 'bool', args: ['str'], minArgs: 1, source: 'const', validate: checkBool,
    compile: (a) => constant(/^(true|1)$/i.test(String(a[0]))),
  },
  {
    name: 'env', outType: 'str', args: ['str'], minArgs: 1, source: 'const',
    compile: (a) => {
      const name = String(a[0] ?? '');
      return (_ctx, visit) => {
        const v = process.env[name];
        return v !== undefined && visit(v);
      };
    },
  },
  { name: 'rand', outType: 'int', args: ['sint'], minArgs: 0, source: 'const', compile: compileRand },
  { name: 'uuid', outType: 'str', args: ['sint'], minArgs: 0, source: 'const', validate: checkUuid, compile: () => uuid },
  { name: 'wait_end', outType: 'bool', args: [], minArgs: 0, source: 'const', compile: () => waitEnd },
  // the process: one of them (nbproc and proc are 1 since HAProxy 2.5), named as gethostname() names the host,
  // and never stopping while it still runs rules
  { name: 'hostname', outType: 'str', args: [], minArgs: 0, source: 'const', compile: () => (_ctx, visit) => visit(hostname()) },
  { name: 'nbproc', outType: 'int', args: [], minArgs: 0, source: 'const', compile: () => constant(1) },
  { name: 'proc', outType: 'int', args: [], minArgs: 0, source: 'const', compile: () => constant(1) },
  { name: 'stopping', outType: 'bool', args: [], minArgs: 0, source: 'const', compile: () => constant(false) },
  // the engine is one thread: HAProxy's first thread id (tid), 0
  { name: 'thread', outType: 'int', args: [], minArgs: 0, source: 'const', compile: () => constant(0) },
  { name: 'date', outType: 'int', args: ['sint', 'str'], minArgs: 0, source: 'const', validate: checkDate, compile: compileDate },
  {
    name: 'date_us', outType: 'int', args: [], minArgs: 0, source: 'const',
    compile: () => (_ctx, visit) => {
      fetchFlags.mayChange = true;
      return visit(nowMicros() % 1e6);
    },
  },
];
