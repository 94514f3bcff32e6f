// Socket addresses as HAProxy names them.

/** "::ffff:127.0.0.1" → "127.0.0.1", as HAProxy logs IPv4 clients. */
export function normalizeAddress(a: string): string {
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
