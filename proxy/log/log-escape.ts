// How HAProxy escapes what it copies into a log line (lf_encode_string in src/log.c): '#' and two upper-case hex
// digits for control bytes, bytes from 127, and the characters each map names.

const hex2 = (c: number) => c.toString(16).toUpperCase().padStart(2, '0');

function encoder(special: string): (s: string) => string {
  const set = new Set([...special].map((ch) => ch.charCodeAt(0)));
  return (s) => {
    let out = '';
    let from = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 32 || c >= 127 || set.has(c)) {
        out += s.slice(from, i) + '#' + hex2(c & 0xff);
        from = i + 1;
      }
    }
    return from === 0 ? s : out + s.slice(from);
  };
}

/** url_encode_map: the request line and its parts (%r %HM %HP %HU ...). */
export const urlEncode = encoder('"#');

/** hdr_encode_map: captured header values, which the log frames with '{', '|' and '}'. */
export const hdrEncode = encoder('"#{|}');

/** %hr / %hs: "{a|b|}" when the frontend has slots on that side (empty slots print nothing), else null: nothing. */
export function headerCaptures(caps: readonly (string | undefined)[] | undefined, quote: boolean): string | null {
  if (!caps || caps.length === 0) return null;
  const inner = `{${caps.map((v) => (v === undefined ? '' : hdrEncode(v))).join('|')}}`;
  return quote ? `"${inner}"` : inner;
}

/** %hrl / %hsl: the slots separated by spaces, an empty one '-' (or "" with +Q). */
export function headerCaptureList(caps: readonly (string | undefined)[] | undefined, quote: boolean): string | null {
  if (!caps || caps.length === 0) return null;
  return caps.map((v) => (quote ? `"${v === undefined ? '' : hdrEncode(v)}"` : v === undefined ? '-' : hdrEncode(v))).join(' ');
}
