// The answer of a peers section's local peer to a peer's hello (peer_getline_version/host/last in src/peers.c):
// "HAProxyS 2.1", the name the caller believes we have, then "<its name> <pid> <relative pid>". Each line ends
// with LF (an optional CR before it). The status is one line: 200 welcomes a known peer, 501 a malformed hello,
// 502 another major version (or a newer minor), 503 a wrong local name, 504 an unknown peer.
const PROTO = 'HAProxyS ';
const MAJOR = 2;
const MINOR = 1;

export type HandshakeStatus = 200 | 501 | 502 | 503 | 504;

/** null: more bytes are needed; else the status to answer and close on (200: the peer is accepted). */
export function peerHandshake(received: string, localPeer: string, peerNames: readonly string[]): HandshakeStatus | null {
  const lines: string[] = [];
  let rest = received;
  for (let i = 0; i < 3; i++) {
    const nl = rest.indexOf('\n');
    if (nl < 0) break;
    let line = rest.slice(0, nl);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    lines.push(line);
    rest = rest.slice(nl + 1);
    // each line is judged as soon as it is complete, as HAProxy's applet reads them one at a time
    const verdict = judge(lines.length - 1, line, localPeer, peerNames);
    if (verdict !== undefined) return verdict;
  }
  return lines.length === 3 ? 200 : null;
}

function judge(index: number, line: string, localPeer: string, peerNames: readonly string[]): HandshakeStatus | undefined {
  if (index === 0) {
    if (!line.startsWith(PROTO)) return 501;
    const m = /^(\d+)\.(\d+)$/.exec(line.slice(PROTO.length));
    if (!m || Number(m[1]) !== MAJOR || Number(m[2]) > MINOR) return 502;
    return undefined;
  }
  if (index === 1) return line === localPeer ? undefined : 503;
  const space = line.indexOf(' ');
  if (space < 0) return 501;
  return peerNames.includes(line.slice(0, space)) ? undefined : 504;
}

/** The three hello lines once complete: the bytes they take, the peer's name and the minor version it speaks. */
export function helloPeer(received: Buffer): { used: number; name: string; minor: number } | null {
  let at = 0;
  const lines: string[] = [];
  for (let i = 0; i < 3; i++) {
    const nl = received.indexOf(10, at);
    if (nl < 0) return null;
    let line = received.subarray(at, nl).toString('latin1');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    lines.push(line);
    at = nl + 1;
  }
  const minor = Number(/\.(\d+)$/.exec(lines[0]!)?.[1] ?? MINOR);
  const last = lines[2]!;
  return { used: at, name: last.slice(0, last.indexOf(' ')), minor };
}

/** The hello this process sends to a peer it connects to (peer_prepare_hellomsg). */
export function helloMessage(remoteName: string, localPeer: string, downgrade: boolean): string {
  return `${PROTO}${MAJOR}.${downgrade ? 0 : MINOR}\n${remoteName}\n${localPeer} ${process.pid} 1\n`;
}
