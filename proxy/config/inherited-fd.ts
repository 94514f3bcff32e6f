// "fd@N" addresses on bind lines: a listening socket the process inherited (systemd, a supervisor, VTest). Read as
// str2sa_range() reads AF_CUST_EXISTING_FD with PA_O_SOCKET_FD: an integer, then a check that it is a socket.
import { fstatSync } from 'node:fs';

export type InheritedFdResult = { ok: true; fd: number } | { ok: false; error: string };

// True when the (expanded) address names an inherited file descriptor.
export function isInheritedFd(expanded: string): boolean {
  return expanded.startsWith('fd@');
}

// Reads "fd@N" (already env-expanded); errors are HAProxy's, without the "'bind' : " prefix the caller adds.
export function parseInheritedFd(expanded: string): InheritedFdResult {
  const digits = expanded.slice(3);
  if (!/^\+?\d+$/.test(digits)) {
    return { ok: false, error: `file descriptor '${digits}' is not a valid integer in '${expanded}'` };
  }
  const fd = Number(digits);
  // getsockname() is what HAProxy asks; fstat tells the same two failures apart (no such fd / not a socket)
  try {
    if (!fstatSync(fd).isSocket()) return { ok: false, error: `cannot use file descriptor '${fd}' : Socket operation on non-socket.` };
  } catch {
    return { ok: false, error: `cannot use file descriptor '${fd}' : Bad file descriptor.` };
  }
  return { ok: true, fd };
}
