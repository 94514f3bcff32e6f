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

export class ChunkedScanner {
  private st = St.Size;
  private size = 0;
  private left = 0;
  private digits = 0;

  get done(): boolean {
    return this.st === St.Done;
  }

  // Consumes buf[from..); returns how many bytes belong to this message, or -1 when the framing is invalid.
  scan(buf: Buffer, from = 0): number {
    let i = from;
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
            this.endSize();
          } else if (c === 59 || c === 32 || c === 9) {
            this.st = St.SizeExt;
            i++;
          } else return -1;
          break;
        }
        case St.SizeExt:
          if (c === 10) this.endSize();
          else if (c === 13) this.st = St.SizeLf;
          i++;
          break;
        case St.SizeLf:
          if (c !== 10) return -1;
          i++;
          this.endSize();
          break;
        case St.Data: {
          const take = Math.min(this.left, n - i);
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
    return i - from;
  }

  private endSize(): void {
    if (this.size === 0) this.st = St.TrailerStart;
    else {
      this.left = this.size;
      this.st = St.Data;
    }
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
