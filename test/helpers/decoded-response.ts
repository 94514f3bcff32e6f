// A raw HTTP/1.1 answer read back as a client would: the head as sent (Date dropped), the body de-chunked and
// decompressed (gzip, zlib or raw deflate, told apart by their first bytes), so two proxies whose compressed bytes
// differ can still be compared on what the client ends up with.
import zlib from 'node:zlib';

export interface DecodedResponse {
  readonly head: string;
  /** How the body was framed and encoded on the wire: "chunked:gzip", "length:plain", ... */
  readonly wire: string;
  readonly body: string;
  /** Bytes left after the first response (a pipelined answer, or garbage). */
  readonly rest: number;
}

function decompress(b: Buffer): { form: string; text: string } {
  try {
    return inflate(b);
  } catch {
    return { form: 'opaque', text: b.toString('latin1') }; // an encoding the proxy passed on, not its own
  }
}

function inflate(b: Buffer): { form: string; text: string } {
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return { form: 'gzip', text: zlib.gunzipSync(b).toString('latin1') };
  if (b.length >= 2 && b[0] === 0x78 && ((b[0] << 8) | b[1]!) % 31 === 0) return { form: 'zlib', text: zlib.inflateSync(b).toString('latin1') };
  return { form: 'raw', text: zlib.inflateRawSync(b).toString('latin1') };
}

/** Decodes the first response in `raw` (latin1, as exchange() returns it). */
export function decodeResponse(raw: string, headRequest = false): DecodedResponse {
  const buf = Buffer.from(raw, 'latin1');
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { head: raw, wire: 'no head', body: '', rest: 0 };
  const head = raw.slice(0, end + 4).replace(/^date: .*\r\n/gim, '');
  const lines = raw.slice(0, end).split('\r\n');
  const status = Number(lines[0]!.split(' ')[1]);
  const header = (n: string) => lines.slice(1).filter((l) => l.toLowerCase().startsWith(n + ':')).map((l) => l.slice(n.length + 1).trim());
  const encoded = header('content-encoding').length > 0;
  let pos = end + 4;
  let body: Buffer;
  let framing: string;
  if (headRequest || status === 204 || status === 304) {
    framing = 'none';
    body = Buffer.alloc(0);
  } else if (header('transfer-encoding').some((v) => v.toLowerCase().includes('chunked'))) {
    framing = 'chunked';
    const parts: Buffer[] = [];
    for (;;) {
      const eol = raw.indexOf('\r\n', pos);
      if (eol < 0) throw new Error(`unterminated chunk size at ${pos}`);
      const size = parseInt(raw.slice(pos, eol), 16);
      if (!Number.isFinite(size)) throw new Error(`bad chunk size ${JSON.stringify(raw.slice(pos, eol))}`);
      pos = eol + 2;
      if (size === 0) {
        const fin = raw.indexOf('\r\n\r\n', pos - 2);
        pos = fin < 0 ? raw.length : fin + 4;
        break;
      }
      parts.push(buf.subarray(pos, pos + size));
      pos += size + 2;
    }
    body = Buffer.concat(parts);
  } else if (header('content-length').length > 0) {
    framing = 'length';
    const n = Number(header('content-length')[0]);
    body = buf.subarray(pos, pos + n);
    pos += n;
  } else {
    framing = 'close';
    body = buf.subarray(pos);
    pos = buf.length;
  }
  if (!encoded || body.length === 0) return { head, wire: `${framing}:plain`, body: body.toString('latin1'), rest: buf.length - pos };
  const d = decompress(body);
  return { head, wire: `${framing}:${d.form}`, body: d.text, rest: buf.length - pos };
}
