// Fetch and converter argument lists, parsed as HAProxy's make_arg_list (src/arg.c) does: "(a,b)" right after
// the keyword, quotes and backslash escapes honoured, errors worded the same way.
import type { ArgType, ArgValue } from './sample.ts';
import { readInt64 } from './sample.ts';
import { isIPv4, isIPv6 } from 'node:net';
import { parseMask4, parseMask6 } from './converters-addr.ts';
import { parseFieldPath } from './converters-protobuf.ts';

export interface ParsedArgs {
  readonly values: ArgValue[];
  /** Index in the input of the first character after the list (after ')' when there was one). */
  readonly end: number;
}

const TYPE_NAMES: Record<ArgType, string> = { str: 'string', sint: 'integer', sint64: 'integer', be: 'backend', fe: 'frontend', srv: 'server', msk4: 'IPv4 mask', msk6: 'IPv6 mask', ipv4: 'IPv4 address', ipv6: 'IPv6 address', pbuf: 'Protocol buffers field number', tab: 'table' };

// Parses the argument list starting at `from` in `text`; returns the values or HAProxy's error message.
export function parseArgs(text: string, from: number, types: readonly ArgType[], min: number): ParsedArgs | { error: string; arg?: number } {
  let i = from;
  const empty = text[i] !== '(';
  if (!empty) i++;
  const values: ArgValue[] = [];
  let pos = 0;
  if (types.length > 0 && !(empty && min === 0)) {
    while (pos < types.length) {
      let out = '';
      let sq = false;
      let dq = false;
      // without a '(' every argument is empty: the text after the keyword is not an argument
      while (!empty && i < text.length) {
        const c = text[i]!;
        if (c === '"' && !sq) {
          dq = !dq;
          i++;
        } else if (c === "'" && !dq) {
          sq = !sq;
          i++;
        } else if (c === '\\' && !sq && i + 1 < text.length) {
          const n = text[i + 1]!;
          if (n === '\\' || n === ' ' || n === '"' || n === "'") out += n;
          else if (n === 'r') out += '\r';
          else if (n === 'n') out += '\n';
          else if (n === 't') out += '\t';
          else {
            out += c;
            i++;
            continue;
          }
          i += 2;
        } else if (!sq && !dq && (c === ',' || c === ')')) {
          break;
        } else {
          out += c;
          i++;
        }
      }
      const type = types[pos]!;
      if (type === 'sint' || type === 'sint64') {
        if (out === '') {
          if (pos >= min) break;
          return { error: `expected type '${TYPE_NAMES[type]}' at position ${pos + 1}, but got nothing` };
        }
        if (!/^[-+]?\d+$/.test(out)) return { error: `failed to parse '${out}' as type '${TYPE_NAMES[type]}' at position ${pos + 1}` };
        // read_int64 saturates at the 64-bit limits
        const n = readInt64(out);
        values.push(type === 'sint64' ? n : Number(n));
      } else if (type === 'msk4' || type === 'msk6') {
        if (out === '') {
          if (pos >= min) break;
          return { error: `expected type '${TYPE_NAMES[type]}' at position ${pos + 1}, but got nothing` };
        }
        if ((type === 'msk4' ? parseMask4(out) : parseMask6(out)) === null) {
          return { error: `failed to parse '${out}' as type '${TYPE_NAMES[type]}' at position ${pos + 1}` };
        }
        values.push(out);
      } else if (type === 'pbuf') {
        if (out === '') {
          if (pos >= min) break;
          return { error: `expected type '${TYPE_NAMES[type]}' at position ${pos + 1}, but got nothing` };
        }
        if (parseFieldPath(out) === null) return { error: `failed to parse '${out}' as type '${TYPE_NAMES[type]}' at position ${pos + 1}` };
        values.push(out);
      } else if (type === 'ipv4' || type === 'ipv6') {
        if (out === '') {
          if (pos >= min) break;
          return { error: `expected type '${TYPE_NAMES[type]}' at position ${pos + 1}, but got nothing` };
        }
        // inet_pton: dotted quads without leading zeros; IPv6 without a zone
        if (!(type === 'ipv4' ? isIPv4(out) : isIPv6(out) && !out.includes('%'))) {
          return { error: `failed to parse '${out}' as type '${TYPE_NAMES[type]}' at position ${pos + 1}` };
        }
        values.push(out);
      } else {
        values.push(out);
      }
      pos++;
      if (empty || i >= text.length || text[i] === ')' || pos >= types.length) break;
      i++; // skip the comma
    }
  }
  if (pos < min) {
    return { error: `missing arguments (got ${pos}/${min}), type '${TYPE_NAMES[types[pos]!]}' expected` };
  }
  if (!empty) {
    if (text[i] === ')') i++;
    else {
      const rest = text.slice(i);
      // make_arg_list's count for the message (it takes one off past the first argument)
      return { error: rest !== '' ? `expected ')' before '${rest}'` : `expected ')'`, arg: (pos > 1 ? pos - 1 : pos) + 1 };
    }
  }
  return { values, end: i };
}
