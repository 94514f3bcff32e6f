// HTTP/2's connection preface (RFC 9113 3.4), which a prior-knowledge client sends first on clear text.
export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

// True when the bytes so far are the preface or its beginning.
export function isH2Preface(buf: Buffer): boolean {
  const n = Math.min(buf.length, H2_PREFACE.length);
  return buf.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
}
