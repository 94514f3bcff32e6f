// Follows a chunked body as it streams past, without copying it, to know where the message ends.

const enum St {
  Size,
  SizeExt,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  TrailerLine,
  TrailerLf,
  FinalLf,
  Done,
}

/** What a scan saw, for re-chunking: payload bytes, the last chunk ("0"), trailer bytes (final CRLF included). */
export const enum ChunkPart {
  Data = 0,
  Last = 1,
  Trailer = 2,
}

export type ChunkSink = (part: ChunkPart, start: number, end: number) => void;

export class ChunkedScanner {
  private st = St.Size;
  private size = 0;
  private left = 0;
  private digits = 0;

  get done(): boolean {
    return this.st === St.Done;
  }

  /** Payload bytes the chunk being read still announces (0 between chunks). */
  get pending(): number {
    return this.st === St.Data ? this.left : 0;
  }

  // Consumes buf[from..); returns how many bytes belong to this message, or -1 when the framing is invalid.
  // With a sink, reports where the payload and trailers lie so a caller can re-chunk them.
  scan(buf: Buffer, from = 0, sink?: ChunkSink): number {
    let i = from;
    let trailerFrom = -1;
    const n = buf.length;
    while (i < n && this.st !== St.Done) {
      const c = buf[i]!;
      switch (this.st) {
        case St.Size: {
          const d = hexValue(c);
          if (d >= 0) {
            if (++this.digits > 14) return -1;
            this.size = this.size * 16 + d;
            i++;
          } else if (this.digits === 0) {
            return -1;
          } else if (c === 13) {
            this.st = St.SizeLf;
            i++;
          } else if (c === 10) {
            i++;
            trailerFrom = this.endSize(sink, i);
          } else if (c === 59 || c === 32 || c === 9) {
            this.st = St.SizeExt;
            i++;
          } else return -1;
          break;
        }
        case St.SizeExt:
          if (c === 10) trailerFrom = this.endSize(sink, i + 1);
          else if (c === 13) this.st = St.SizeLf;
          i++;
          break;
        case St.SizeLf:
          if (c !== 10) return -1;
          i++;
          trailerFrom = this.endSize(sink, i);
          break;
        case St.Data: {
          const take = Math.min(this.left, n - i);
          if (sink) sink(ChunkPart.Data, i, i + take);
          this.left -= take;
          i += take;
          if (this.left === 0) this.st = St.DataCr;
          break;
        }
        case St.DataCr:
          if (c === 13) this.st = St.DataLf;
          else if (c === 10) this.resetSize();
          else return -1;
          i++;
          break;
        case St.DataLf:
          if (c !== 10) return -1;
          i++;
          this.resetSize();
          break;
        case St.TrailerStart:
          if (c === 13) this.st = St.FinalLf;
          else if (c === 10) this.st = St.Done;
          else this.st = St.TrailerLine;
          i++;
          break;
        case St.TrailerLine:
          if (c === 10) this.st = St.TrailerStart;
          i++;
          break;
        case St.FinalLf:
          if (c !== 10) return -1;
          i++;
          this.st = St.Done;
          break;
        default:
          return -1;
      }
    }
    if (sink && this.st >= St.TrailerStart) {
      const start = trailerFrom >= 0 ? trailerFrom : from;
      if (i > start) sink(ChunkPart.Trailer, start, i);
    }
    return i - from;
  }

  // After a size line: the last chunk starts the trailers (returns where they begin), else data follows.
  private endSize(sink: ChunkSink | undefined, at: number): number {
    if (this.size === 0) {
      this.st = St.TrailerStart;
      if (sink) sink(ChunkPart.Last, at, at);
      return at;
    }
    this.left = this.size;
    this.st = St.Data;
    return -1;
  }

  private resetSize(): void {
    this.st = St.Size;
    this.size = 0;
    this.digits = 0;
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const CRLF = Buffer.from('\r\n');
const LAST_CHUNK = Buffer.from('0\r\n');

// Re-chunks what one read carried, as HAProxy's HTX does: one chunk for all its payload, then the last chunk
// and the trailers. Returns the bytes consumed (-1 on invalid framing) and what to send on.
export function rechunk(scanner: ChunkedScanner, buf: Buffer): { consumed: number; out: Buffer[]; bytes: number; payload: number } {
  const out: Buffer[] = [];
  let run: Buffer[] = [];
  let runLen = 0;
  let bytes = 0;
  let payload = 0;
  const flush = () => {
    // hextab in h1_emit_chunk_size(): upper-case hex digits
    if (runLen === 0) return;
    const size = Buffer.from(runLen.toString(16).toUpperCase() + '\r\n', 'latin1');
    out.push(size, ...run, CRLF);
    bytes += size.length + runLen + 2;
    payload += runLen;
    run = [];
    runLen = 0;
  };
  const consumed = scanner.scan(buf, 0, (part, start, end) => {
    if (part === ChunkPart.Data) {
      if (end > start) {
        run.push(buf.subarray(start, end));
        runLen += end - start;
      }
      return;
    }
    flush();
    const piece = part === ChunkPart.Last ? LAST_CHUNK : buf.subarray(start, end);
    out.push(piece);
    bytes += piece.length;
  });
  flush();
  return { consumed, out, bytes, payload };
}
