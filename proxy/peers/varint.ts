// The peers protocol's variable-length integers (intencode/intdecode in src/peers.c): below 240 one byte; above,
// the first byte carries the low 4 bits with 0xf0 set, then 7 bits per byte, each byte but the last >= 0x80.
// Values stay below 2^53 here (JavaScript numbers), which covers every counter a stick table keeps in practice.

export function encodeVarint(value: number, out: number[]): void {
  let i = value;
  if (i < 0xf0) {
    out.push(i);
    return;
  }
  out.push((i % 256) | 0xf0);
  i = Math.floor((i - 0xf0) / 16);
  while (i >= 0x80) {
    out.push((i % 256) | 0x80);
    i = Math.floor((i - 0x80) / 128);
  }
  out.push(i);
}

/** A decoded value and the offset after it, or null when the buffer ends inside the number. */
export function decodeVarint(buf: Buffer, offset: number, end = buf.length): { value: number; next: number } | null {
  let p = offset;
  if (p >= end) return null;
  let value = buf[p++]!;
  if (value >= 0xf0) {
    let shift = 4;
    let byte: number;
    do {
      if (p >= end) return null;
      byte = buf[p++]!;
      value += byte * 2 ** shift;
      shift += 7;
    } while (byte >= 0x80);
  }
  return { value, next: p };
}
