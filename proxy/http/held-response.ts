// What mode http's tcp-response content rules see of a response held for them: whether the message is whole
// (HAProxy's end of input, which makes their evaluation final) and its size as HTX holds it, which res.len gives
// there (the start line and headers once the head is whole, the payload, the end-of-trailers block of a chunked
// message). Interim (1xx) responses are not looked through: the held bytes start with the response's head.
import { findHeadEnd } from './request-head.ts';
import { parseResponseHead } from './response-head.ts';
import { htxSize } from './status-pages.ts';
import { ChunkedScanner, ChunkPart } from './chunked.ts';

export interface HeldResponse {
  readonly complete: boolean;
  readonly htxSize: number;
}

export function measureHeldResponse(buf: Buffer, headRequest: boolean): HeldResponse {
  const end = findHeadEnd(buf);
  if (end < 0) return { complete: false, htxSize: 0 };
  const resp = parseResponseHead(buf, end, headRequest);
  if (typeof resp === 'string') return { complete: true, htxSize: 0 };
  const head = htxSize(resp.status, resp.reason, resp.headers, 0);
  const rest = buf.length - end;
  switch (resp.framing) {
    case 'none':
      return { complete: true, htxSize: head };
    case 'length':
      return { complete: rest >= resp.contentLength, htxSize: head + Math.min(rest, resp.contentLength) };
    case 'chunked': {
      const scanner = new ChunkedScanner();
      let payload = 0;
      scanner.scan(buf, end, (part, from, to) => {
        if (part === ChunkPart.Data) payload += to - from;
      });
      return { complete: scanner.done, htxSize: head + payload + (scanner.done ? 1 : 0) };
    }
    default:
      // delimited by the server's close: whole only when it closes
      return { complete: false, htxSize: head + rest };
  }
}
