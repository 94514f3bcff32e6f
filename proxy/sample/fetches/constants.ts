// Context-free fetches (HAProxy's src/sample.c and src/payload.c): str(), int(), bool(), bin(), env(), rand(),
// uuid() and wait_end. rand(N) makes the classic canary split: `use_backend canary if { rand(100) lt 10 }`.
import { randomInt, randomUUID } from 'node:crypto';
import type { Int } from '../int64.ts';
import { hostname } from 'node:os';
import type { ArgValue, FetchDef, FetchFn } from '../sample.ts';
import { fetchFlags } from '../sample.ts';
import { parseHex } from '../../acl/match.ts';

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
  // bin(HEX): the bytes the hex digits spell (smp_check_const_bin's parse_binary)
  {
    name: 'bin', outType: 'bin', args: ['str'], minArgs: 1,
    validate: (a) => {
      // parse_binary fails on an empty string without a message, which HAProxy prints as "(null)"
      if (String(a[0] ?? '') === '') return '(null)';
      const b = parseHex(String(a[0] ?? ''));
      return typeof b === 'string' ? b : null;
    },
    source: 'const', compile: (a) => constant(parseHex(String(a[0] ?? '')) as Buffer),
  },
  { name: 'uuid', outType: 'str', args: ['sint'], minArgs: 0, source: 'const', validate: checkUuid, compile: () => uuid },
  { name: 'wait_end', outType: 'bool', args: [], minArgs: 0, source: 'const', compile: () => waitEnd },
  // the process: one of them (nbproc and proc are 1 since HAProxy 2.5), named as gethostname() names the host,
  // and never stopping while it still runs rules
  { name: 'hostname', outType: 'str', args: [], minArgs: 0, source: 'const', compile: () => (_ctx, visit) => visit(hostname()) },
  { name: 'nbproc', outType: 'int', args: [], minArgs: 0, source: 'const', compile: () => constant(1) },
  { name: 'proc', outType: 'int', args: [], minArgs: 0, source: 'const', compile: () => constant(1) },
  { name: 'stopping', outType: 'bool', args: [], minArgs: 0, source: 'const', compile: () => constant(false) },
];
