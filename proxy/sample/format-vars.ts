// How HAProxy prints each kind of format variable (lf_text, ltoa_o, lf_ip, lf_port in src/log.c), for any input
// the variable reads: a finished transaction's log record, or the stream a rule runs on.
import { hostname } from 'node:os';
import { absentText, type FormatVar } from './format-string.ts';
import { urlEncode } from '../log/log-escape.ts';

// %H is the host's name, as gethostname() gives it to HAProxy
export const HOSTNAME = hostname();

export const hex = (n: number, width: number) => (n >>> 0).toString(16).toUpperCase().padStart(width, '0');

/** lf_text: text, quoted with +Q; absent or empty is '-' in log lines (nothing between quotes with +Q). */
export function textVar<In>(get: (input: In) => string | undefined): FormatVar<In> {
  return (input, o) => {
    const v = get(input);
    if (o.quote) return `"${v ?? ''}"`;
    return v === undefined || v === '' ? absentText(o) : v;
  };
}

/** ltoa_o: a number, never quoted; `hexWidth` where +X writes it as "%04X" (or "%02X"). */
export function numVar<In>(get: (input: In) => number | string, hexWidth = 0): FormatVar<In> {
  return (input, o) => {
    const v = get(input);
    return hexWidth > 0 && o.hex && typeof v === 'number' ? hex(v, hexWidth) : String(v);
  };
}

/** lf_ip: +X is the address's bytes in hex; an unknown address is lf_text's absent value. */
export function ipVar<In>(get: (input: In) => string | undefined): FormatVar<In> {
  const plain = textVar(get);
  return (input, o) => {
    const v = get(input);
    if (!o.hex || v === undefined) return plain(input, o);
    const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(v);
    return m ? m.slice(1).map((b) => hex(Number(b), 2)).join('') : plain(input, o);
  };
}

/** lf_port: +X is "%04X"; an unknown port is lf_text's absent value. */
export function portVar<In>(get: (input: In) => number | undefined): FormatVar<In> {
  return (input, o) => {
    const v = get(input);
    if (v === undefined) return absentText(o);
    return o.hex ? hex(v, 4) : String(v);
  };
}

/** %r %HM %HP ...: the request's parts, '#'-encoded like a URL. */
export function requestVar<In>(get: (input: In) => string): FormatVar<In> {
  return (input, o) => {
    const v = urlEncode(get(input));
    return o.quote ? `"${v}"` : v;
  };
}

/** %ft: the frontend's name, with '~' after it on a TLS bind; +Q quotes both. */
export function frontendXprtVar<In>(get: (input: In) => { name: string; tls: boolean }): FormatVar<In> {
  return (input, o) => {
    const f = get(input);
    const v = f.tls ? `${f.name}~` : f.name;
    return o.quote ? `"${v}"` : v;
  };
}

/** %HP: the target up to its query, an absolute-form one with its scheme and authority. */
export function beforeQuery(uri: string): string {
  const q = uri.indexOf('?');
  return q < 0 ? uri : uri.slice(0, q);
}
