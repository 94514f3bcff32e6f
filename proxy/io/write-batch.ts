// Writes made while one turn of the event loop handles its I/O go out together at the end of that turn
// (setImmediate), so each peer is woken once per turn rather than once per write: on a busy proxy that saves
// a context switch per request.
import type net from 'node:net';

const HELD = Symbol('writes held');
type Holdable = net.Socket & { [HELD]?: boolean };

// Module state on purpose: one event loop turn's held sockets, whatever engine owns them (the loop is shared).
let held: Holdable[] = [];
let scheduled = false;

// Holds the socket's writes until the current loop turn's I/O callbacks are done.
export function holdWrites(sock: net.Socket): void {
  const s = sock as Holdable;
  if (s[HELD]) return;
  s[HELD] = true;
  s.cork();
  held.push(s);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}

function flush(): void {
  scheduled = false;
  const list = held;
  held = [];
  for (const s of list) {
    s[HELD] = false;
    if (!s.destroyed) s.uncork();
  }
}
