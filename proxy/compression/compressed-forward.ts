// Where compression meets an exchange: the algorithm chosen once the request's rules ran, the response checks
// before the http-response rules, the head the client gets, and the body forwarded compressed in chunks.
import type net from 'node:net';
import { ChunkPart } from '../http/chunked.ts';
import type { Txn } from '../http/exchange.ts';
import type { ResponseHead } from '../http/response-head.ts';
import { BodyCompressor, chunkOf } from './body-compressor.ts';
import { chooseAlgorithm, compressedHead, compressesResponse, type StreamCompression } from './negotiate.ts';

const LAST_CHUNK = Buffer.from('0\r\n');
const CRLF = Buffer.from('\r\n');

function settings(t: Txn): StreamCompression {
  return { fe: t.fe.spec.compression, be: t.backend?.spec.compression };
}

/** After the backend's request rules (the filters' request headers callback): the request's algorithm, if any;
 *  `compression offload` removes Accept-Encoding from what the server gets. */
export function negotiateRequest(t: Txn): void {
  if (!t.fe.spec.compression && !t.backend?.spec.compression) return;
  t.compAlgo = chooseAlgorithm(settings(t), t.req.headers);
}

/** Before the http-response rules (res.comp reads the outcome): whether this response is compressed. */
export function checkResponse(t: Txn, resp: ResponseHead): void {
  if (!t.compAlgo) return;
  const facts = { reqVersion: t.req.version, method: t.req.method, status: resp.status, version: resp.version, headers: resp.headers, framing: resp.framing, contentLength: resp.contentLength };
  if (compressesResponse(settings(t), facts)) resp.compAlgo = t.compAlgo;
  else t.compAlgo = null;
}

/** Once every rule ran: the compressed response's head, and the compressor its body goes through. */
export function startCompression(t: Txn, resp: ResponseHead): void {
  if (!t.compAlgo || !resp.compAlgo) return;
  compressedHead(resp.headers, t.compAlgo, resp.framing === 'chunked');
  t.compressor = new BodyCompressor(t.compAlgo);
}

function send(t: Txn, parts: Buffer[], client: net.Socket): void {
  if (parts.length === 0) return;
  if (!client.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts))) t.conn?.sock.pause();
}

/** Server bytes of a compressed response's body: compressed, sent as chunks; false when a chunk is malformed. */
export function forwardCompressed(t: Txn, d: Buffer, client: net.Socket): boolean {
  const c = t.compressor!;
  const before = c.bytesOut;
  const parts: Buffer[] = [];
  if (t.respChunks) {
    const data: Buffer[] = [];
    let ended = false;
    const consumed = t.respChunks.scan(d, 0, (part, start, end) => {
      if (part === ChunkPart.Data) {
        if (end > start) data.push(d.subarray(start, end));
        return;
      }
      if (part === ChunkPart.Last) {
        ended = true;
        parts.push(...chunkOf(c.push(data.length === 1 ? data[0]! : Buffer.concat(data), true)), LAST_CHUNK);
        data.length = 0;
        return;
      }
      parts.push(Buffer.from(d.subarray(start, end)));
    });
    if (consumed < 0) return false;
    if (!ended && data.length > 0) parts.push(...chunkOf(c.push(data.length === 1 ? data[0]! : Buffer.concat(data), false)));
    if (t.respChunks.done) {
      t.respDone = true;
      if (!t.conn?.h2) t.bytesOut += 1; // HTX's end-of-trailers block
    }
  } else {
    const take = Math.min(t.respLeft, d.length);
    t.respLeft -= take;
    if (t.respLeft === 0) t.respDone = true;
    parts.push(...chunkOf(c.push(d.subarray(0, take), t.respDone)));
    if (t.respDone) parts.push(LAST_CHUNK, CRLF);
  }
  t.bytesOut += c.bytesOut - before;
  send(t, parts, client);
  return true;
}
