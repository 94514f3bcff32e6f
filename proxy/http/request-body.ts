// The part of a request body HAProxy holds in its buffer when the http-request rules run (what req.body* read).
// HAProxy keeps the request as HTX blocks in one tune.bufsize buffer (16384 bytes, a 48-byte header, and
// tune.maxrewrite's 1024 bytes left free while receiving): each block costs 8 bytes plus its data — the start
// line 20 + its three words, a header its name + value, the end of headers 1, each chunk of a chunked body (or
// the whole of a Content-Length one) one data block. Measured against haproxy 2.6.12 (test/parity/request-body).
import { ChunkedScanner, ChunkPart } from './chunked.ts';
import type { RequestHead } from './request-head.ts';

const HTX_ROOM = 16384 - 48 - 1024;
const BLOCK = 8;

/** What of the body is buffered: the bytes (de-chunked), the size announced so far, and why waiting may stop. */
export interface BufferedBody {
  readonly data: Buffer;
  /** req.body_size: the Content-Length, or for a chunked body the bytes of the chunks seen so far. */
  readonly size: number;
  /** The whole body is here. */
  readonly complete: boolean;
  /** The buffer is full: no more of the body fits before the rules run. */
  readonly full: boolean;
}

function headRoom(req: RequestHead): number {
  let n = 20 + BLOCK + req.method.length + req.uri.length + 8 + 1 + BLOCK;
  const h = req.headers;
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i]!;
    const v = h[i + 1]!;
    // HTX drops Connection: close / keep-alive (the usual values)
    if (name.length === 10 && name.toLowerCase() === 'connection' && /^(keep-alive|close)$/i.test(v)) continue;
    n += name.length + v.length + BLOCK;
  }
  return HTX_ROOM - n;
}

export const NO_BODY: BufferedBody = { data: Buffer.alloc(0), size: 0, complete: true, full: false };

/** The body held for the request whose head was parsed, from the bytes after its head (`buf`, may be null). */
export function bufferedBody(req: RequestHead, buf: Buffer | null): BufferedBody {
  if (!req.hasBody) return NO_BODY;
  const bytes = buf ?? Buffer.alloc(0);
  if (!req.chunked) {
    const room = headRoom(req) - BLOCK;
    const have = Math.min(bytes.length, req.contentLength);
    const take = Math.max(0, Math.min(have, room));
    return { data: bytes.subarray(0, take), size: req.contentLength, complete: have >= req.contentLength && take === have, full: take < req.contentLength && take >= room };
  }
  // a chunked body: one data block per chunk (the scan reports each chunk's payload once, in one piece)
  let room = headRoom(req);
  const parts: Buffer[] = [];
  let taken = 0;
  let full = false;
  // after the buffer filled: the rest of the chunk it filled in (HAProxy knows that chunk's whole size)
  let cutRest = 0;
  let chunksAfterCut = 0;
  const sc = new ChunkedScanner();
  sc.scan(bytes, 0, (part, start, end) => {
    if (part !== ChunkPart.Data) return;
    if (full) {
      chunksAfterCut++;
      return;
    }
    room -= BLOCK;
    const take = Math.max(0, Math.min(end - start, room));
    if (take > 0) parts.push(bytes.subarray(start, start + take));
    taken += take;
    room -= take;
    if (take < end - start || room <= 0) {
      full = true;
      cutRest = end - start - take;
    }
  });
  // the chunk being read (the cut one, or the last one) still announces sc.pending bytes
  const open = !full || chunksAfterCut === 0 ? sc.pending : 0;
  return { data: Buffer.concat(parts), size: taken + cutRest + open, complete: sc.done && !full, full };
}
