// Writes made while one turn of the event loop handles its I/O go out together at the end of that turn
// (setImmediate), so each peer is woken once per turn rather than once per write: on a busy proxy that saves
// a context switch per request.
import type net from 'node:net';

const held = new Set<net.Socket>();
let scheduled = false;

// Holds the socket's writes until the current loop turn's I/O callbacks are done.
export function holdWrites(sock: net.Socket): void {
  if (held.has(sock)) return;
  held.add(sock);
  sock.cork();
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}

function flush(): void {
  scheduled = false;
  for (const sock of held) if (!sock.destroyed) sock.uncork();
  held.clear();
}
