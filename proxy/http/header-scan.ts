// Header values as HAProxy's HTX holds them (http_find_header): comma-split values outside quotes, the Connection
// and Content-Length rewrites, counted or walked without copies.

function isLws(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

// ASCII case-insensitive equality against an already lowercased name, without allocating.
function nameIs(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

// End of one comma-delimited value (http_find_hdr_value_end): commas inside "quoted strings" do not count.
function valueEnd(v: string, from: number): number {
  let quoted = false;
  let pair = false;
  for (let i = from; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (pair) pair = false;
    else if (quoted) {
      if (c === 92) pair = true;
      else if (c === 34) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 44) return i;
  }
  return v.length;
}

function isConnToken(v: string, a: number, b: number): boolean {
  const n = b - a;
  if (n !== 5 && n !== 10) return false;
  const w = n === 5 ? 'close' : 'keep-alive';
  for (let i = 0; i < n; i++) {
    let c = v.charCodeAt(a + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== w.charCodeAt(i)) return false;
  }
  return true;
}

/** A Connection value that is exactly "close" or "keep-alive", in any case: HTX drops it. Header values are
 *  latin1 strings, so lower-casing matches what a case-insensitive regex would, without one per message. */
export function isCloseOrKeepAlive(v: string): boolean {
  const n = v.length;
  if (n !== 5 && n !== 10) return false;
  const l = v.toLowerCase();
  return l === 'close' || l === 'keep-alive';
}

/**
 * The Connection header as HAProxy's HTX holds it (h1_parse_connection_header): "close" and "keep-alive"
 * tokens are removed, and the header disappears (null) when nothing else is left.
 */
export function cleanConnection(v: string): string | null {
  let out: string | null = null;
  let removed = false;
  let keptEnd = 0;
  for (let p = 0; p < v.length; ) {
    if (isLws(v.charCodeAt(p))) {
      p++;
      continue;
    }
    const n = valueEnd(v, p);
    let e = n;
    while (e > p && isLws(v.charCodeAt(e - 1))) e--;
    if (isConnToken(v, p, e)) removed = true;
    else if (!removed) keptEnd = n;
    else {
      if (out === null) out = v.slice(0, keptEnd);
      out = out === '' ? v.slice(p, e) : `${out},${v.slice(p, e)}`;
    }
    p = n + 1;
  }
  if (!removed) return v;
  if (out === null) out = v.slice(0, keptEnd);
  return out === '' ? null : out;
}

// Name check for headers HAProxy rewrites on the way in.
function isConnection(name: string): boolean {
  return name.length === 10 && nameIs(name, 'connection');
}

function isContentLength(name: string): boolean {
  return name.length === 14 && nameIs(name, 'content-length');
}

function hasTransferEncoding(headers: readonly string[]): boolean {
  for (let h = 0; h < headers.length; h += 2) if (headers[h]!.length === 17 && nameIs(headers[h]!, 'transfer-encoding')) return true;
  return false;
}

/**
 * A header value as HAProxy's HTX holds it, or null when HTX drops the header: Connection loses its close and
 * keep-alive tokens; only the first Content-Length stays, reduced to its first value, and none stays next to
 * Transfer-Encoding. `state.cl` remembers a Content-Length already seen during one walk.
 */
function htxValue(headers: readonly string[], h: number, state: { cl: number }): string | null {
  const name = headers[h]!;
  const v = headers[h + 1]!;
  if (isConnection(name)) return cleanConnection(v);
  if (isContentLength(name)) {
    if (state.cl === 0) state.cl = hasTransferEncoding(headers) ? 2 : 1;
    else if (state.cl === 1) state.cl = 3;
    if (state.cl !== 1) return null;
    const comma = v.indexOf(',');
    return comma < 0 ? v : v.slice(0, comma).replace(/[ \t]+$/, '');
  }
  return v;
}

const NO_STATE = { cl: 0 };

/** Walks the headers as HTX holds them (see htxValue), name and whole value; fn returns true to stop. */
export function eachHtxHeader(headers: readonly string[], fn: (name: string, value: string) => boolean): boolean {
  const state = { cl: 0 };
  for (let h = 0; h + 1 < headers.length; h += 2) {
    const v = htxValue(headers, h, state);
    if (v !== null && fn(headers[h]!, v)) return true;
  }
  return false;
}

// Whether a walk over `lowerName` may meet a header that HTX rewrites.
function mayRewrite(lowerName: string): boolean {
  return lowerName === '' || lowerName === 'connection' || lowerName === 'content-length';
}

/** Walks header values in order; each callback returns true to stop. `full` keeps whole lines (fhdr). */
export function eachHeaderValue(headers: readonly string[], lowerName: string, full: boolean, fn: (value: string) => boolean): boolean {
  const rewrite = mayRewrite(lowerName);
  const state = rewrite ? { cl: 0 } : NO_STATE;
  for (let h = 0; h + 1 < headers.length; h += 2) {
    if (lowerName !== '' && !nameIs(headers[h]!, lowerName)) continue;
    let v: string | null = headers[h + 1]!;
    if (rewrite) {
      v = htxValue(headers, h, state);
      if (v === null) continue;
    }
    let p = 0;
    for (;;) {
      while (p < v.length && isLws(v.charCodeAt(p))) p++;
      let e = full ? v.length : valueEnd(v, p);
      const next = e;
      while (e > p && isLws(v.charCodeAt(e - 1))) e--;
      if (fn(p === 0 && e === v.length ? v : v.slice(p, e))) return true;
      if (full || next >= v.length) break;
      p = next + 1; // skip the comma
    }
  }
  return false;
}

// Counts values (or lines, when full) of a header; every header when the name is empty. No callback, no copy.
export function countHeaderValues(headers: readonly string[], lowerName: string, full: boolean): number {
  let n = 0;
  const rewrite = mayRewrite(lowerName);
  const state = rewrite ? { cl: 0 } : NO_STATE;
  for (let h = 0; h + 1 < headers.length; h += 2) {
    if (lowerName !== '' && !nameIs(headers[h]!, lowerName)) continue;
    let v: string | null = headers[h + 1]!;
    if (rewrite) {
      v = htxValue(headers, h, state);
      if (v === null) continue;
    }
    if (full) {
      n++;
      continue;
    }
    let p = 0;
    for (;;) {
      n++;
      while (p < v.length && isLws(v.charCodeAt(p))) p++;
      const next = valueEnd(v, p);
      if (next >= v.length) break;
      p = next + 1;
    }
  }
  return n;
}
