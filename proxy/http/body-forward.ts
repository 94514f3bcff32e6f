// Request and response bodies on their way through: how each is framed (length, chunked, until close, none),
// how much of each read belongs to it, and the byte counts the stats and the log show. Reading pauses on the side
// whose bytes the other side cannot take yet.
import { collect } from '../cache/cache-exchange.ts';
import type net from 'node:net';
import { ChunkedScanner, rechunk } from './chunked.ts';
import type { Txn } from './exchange.ts';
import type { ResponseHead } from './response-head.ts';
import type { RequestHead } from './request-head.ts';
import { bufferedBody } from './request-body.ts';
import { forwardCompressed } from '../compression/compressed-forward.ts';

/** Once the request head is sent: what of its body is left to forward, and how it is framed. */
export function startRequestBody(t: Txn): void {
  const req = t.req;
  t.reqDone = !req.hasBody;
  if (req.contentLength > 0) t.reqLeft = req.contentLength;
  else if (req.chunked) t.reqChunks = new ChunkedScanner();
}

/** How many bytes of `buf` are the request's whole body, or -1 while some of it is still to come. */
export function wholeRequestBody(req: RequestHead, buf: Buffer | null): number {
  if (!buf) return -1;
  if (req.chunked) {
    const sc = new ChunkedScanner();
    const n = sc.scan(buf);
    return n >= 0 && sc.done ? n : -1;
  }
  return buf.length >= req.contentLength ? req.contentLength : -1;
}

/** Before an answer of the proxy's own: a request body that arrived whole in `buf` is dropped, so the connection
 *  can stay open for the next request (haproxy 2.6.12 does so); one still arriving makes the answer close it.
 *  Returns what is left of `buf` after the body, or undefined when nothing was dropped. */
export function dropWholeBody(t: Txn, buf: Buffer | null): Buffer | null | undefined {
  const req = t.req;
  // once a server connection took the request, its body is that connection's, not the buffer's
  if (!req.hasBody || t.closeClient || t.bodyDropped || t.tConnected >= 0) return undefined;
  const take = wholeRequestBody(req, buf);
  if (take < 0) return undefined;
  // a body larger than HAProxy's buffer was never all read, whatever arrived here: the answer closes
  if (bufferedBody(req, buf).full) return undefined;
  t.droppedBody = buf!.subarray(0, take);
  t.bodyDropped = true;
  return buf!.length > take ? buf!.subarray(take) : null;
}

/** Forwards client bytes of the request body (or of a tunnel) to the server. Returns how many bytes of `d` were
 *  the body's (the rest is the next pipelined request), or -1 when a chunk is malformed. */
export function forwardRequestBody(t: Txn, d: Buffer, client: net.Socket): number {
  const server = t.conn!.sock;
  if (t.tunnel) {
    t.backend!.bytesIn += d.length;
    t.server!.bytesIn += d.length;
    if (!server.write(d)) client.pause();
    return d.length;
  }
  if (t.reqChunks) {
    const r = rechunk(t.reqChunks, d);
    if (r.consumed < 0) return -1;
    if (t.reqChunks.done) t.reqDone = true;
    t.backend!.bytesIn += r.bytes;
    t.server!.bytesIn += r.bytes;
    let ok = true;
    for (const part of r.out) ok = server.write(part);
    if (!ok) client.pause();
    return r.consumed;
  }
  const take = Math.min(t.reqLeft, d.length);
  t.reqLeft -= take;
  if (t.reqLeft === 0) t.reqDone = true;
  t.backend!.bytesIn += take;
  t.server!.bytesIn += take;
  if (!server.write(take === d.length ? d : d.subarray(0, take))) client.pause();
  return take;
}

/** Once the response head is sent: how its body is framed, and whether there is any. */
export function startResponseBody(t: Txn, resp: ResponseHead): void {
  if (resp.framing === 'none') t.respDone = true;
  else if (resp.framing === 'length') {
    t.respLeft = resp.contentLength;
    if (t.respLeft === 0) t.respDone = true;
  } else if (resp.framing === 'chunked') t.respChunks = new ChunkedScanner();
}

/** The response head and the part of its length-framed body that came in the same read, in one write: one
 *  syscall and one wake-up of the client, where head then body cost two writes (or a cork held to the end of the
 *  loop turn and a writev). The body part is copied out of the server connection's read buffer with the head. */
export function sendHeadWithBody(t: Txn, head: string, rest: Buffer, client: net.Socket): void {
  const take = Math.min(t.respLeft, rest.length);
  t.respLeft -= take;
  if (t.respLeft === 0) t.respDone = true;
  t.bytesOut += take;
  if (t.cache?.storing) collect(t.cache, rest.subarray(0, take));
  // the head is latin1 text: one byte a character, written straight into the buffer that carries both
  const one = Buffer.allocUnsafe(head.length + take);
  one.write(head, 0, head.length, 'latin1');
  rest.copy(one, head.length, 0, take);
  if (!client.write(one)) t.conn!.sock.pause();
}

/** Forwards server bytes of the response body to the client; false when a chunk is malformed. `d` may be a view
 *  of the server connection's read buffer: it leaves through that connection's `forward`. */
export function forwardResponseBody(t: Txn, d: Buffer, client: net.Socket): boolean {
  if (t.compressor) return forwardCompressed(t, d, client);
  const conn = t.conn!;
  if (t.respChunks) {
    const r = rechunk(t.respChunks, d);
    if (r.consumed < 0) return false;
    t.bytesOut += r.payload;
    if (t.respChunks.done) {
      t.respDone = true;
      if (!conn.h2) t.bytesOut += 1; // HTX's end-of-trailers block (an HTTP/2 message without trailers has none)
    }
    let ok = true;
    for (const part of r.out) ok = conn.reads.forward(client, part);
    if (!ok) conn.sock.pause();
    return true;
  }
  let take = d.length;
  if (t.resp!.framing === 'length') {
    take = Math.min(t.respLeft, d.length);
    t.respLeft -= take;
    if (t.respLeft === 0) t.respDone = true;
  }
  t.bytesOut += take;
  if (t.cache?.storing) collect(t.cache, take === d.length ? d : d.subarray(0, take));
  if (!conn.reads.forward(client, take === d.length ? d : d.subarray(0, take))) conn.sock.pause();
  return true;
}
