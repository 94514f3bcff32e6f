// A response body compressed as it streams, one piece per server read, synchronously. HAProxy 2.6 (Debian's build)
// compresses with libslz, which keeps no history from one call to the next: each piece here is likewise deflated
// on its own (node:zlib, level 1 as tune.comp.maxlevel's default) and flushed to a byte boundary, so the pieces
// join into one valid stream; the last piece closes it. The gzip and zlib wrappers (header, CRC-32 / Adler-32,
// length) are written here, with the header bytes libslz writes.
import zlib from 'node:zlib';
import type { CompressionAlgo } from './compression-keyword.ts';

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x03]);
const ZLIB_HEADER = Buffer.from([0x78, 0x01]);
const SYNC = { level: 1, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const FINISH = { level: 1 };

export class BodyCompressor {
  /** Bytes in (the server's payload) and out (what the client gets), for the stats' comp_in / comp_out. */
  bytesIn = 0;
  bytesOut = 0;
  private started = false;
  private finished = false;
  private crc = 0;
  private adlerA = 1;
  private adlerB = 0;
  private length = 0;

  constructor(readonly algo: CompressionAlgo) {}

  get done(): boolean {
    return this.finished;
  }

  /** The compressed form of `data` (the body's last bytes when `last`), possibly empty. */
  push(data: Buffer, last: boolean): Buffer {
    if (this.finished) return Buffer.alloc(0);
    this.bytesIn += data.length;
    const out = this.algo === 'identity' ? data : this.deflate(data, last);
    if (last) this.finished = true;
    this.bytesOut += out.length;
    return out;
  }

  private deflate(data: Buffer, last: boolean): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      if (this.algo === 'gzip') parts.push(GZIP_HEADER);
      else if (this.algo === 'deflate') parts.push(ZLIB_HEADER);
    }
    if (this.algo === 'gzip') this.crc = zlib.crc32(data, this.crc);
    else if (this.algo === 'deflate') this.adler(data);
    this.length = (this.length + data.length) >>> 0;
    parts.push(zlib.deflateRawSync(data, last ? FINISH : SYNC));
    if (last) parts.push(this.trailer());
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  private trailer(): Buffer {
    if (this.algo === 'gzip') {
      const t = Buffer.alloc(8);
      t.writeUInt32LE(this.crc >>> 0, 0);
      t.writeUInt32LE(this.length, 4);
      return t;
    }
    if (this.algo === 'deflate') {
      const t = Buffer.alloc(4);
      t.writeUInt32BE(((this.adlerB << 16) | this.adlerA) >>> 0, 0);
      return t;
    }
    return Buffer.alloc(0);
  }

  // Adler-32 (RFC 1950), reduced often enough that the sums stay exact in doubles
  private adler(data: Buffer): void {
    let a = this.adlerA;
    let b = this.adlerB;
    for (let i = 0; i < data.length; ) {
      const end = Math.min(data.length, i + 5552);
      for (; i < end; i++) {
        a += data[i]!;
        b += a;
      }
      a %= 65521;
      b %= 65521;
    }
    this.adlerA = a;
    this.adlerB = b;
  }
}

/** One chunk of chunked framing around `data` (upper-case hex size, as h1_emit_chunk_size writes it); empty data
 *  makes no chunk. */
export function chunkOf(data: Buffer): Buffer[] {
  if (data.length === 0) return [];
  return [Buffer.from(data.length.toString(16).toUpperCase() + '\r\n', 'latin1'), data, Buffer.from('\r\n')];
}
