// The local peers' listeners: each complete peers section with an address listens there, as HAProxy's peers
// frontend does, and answers a peer's hello. The synchronisation that follows a 200 is not spoken: what the peer
// sends is read and dropped, and the connection closes after 5 s without input (the peers frontend's client
// timeout), as HAProxy closes a session that sends no message. The engine never connects to remote peers.
import { createServer, type Server, type Socket } from 'node:net';
import type { PeersSpec } from '../config/model.ts';
import { peerHandshake } from './peer-handshake.ts';

const IDLE_MS = 5000;

export interface PeerListeners {
  close(): Promise<void>;
}

function serve(spec: PeersSpec, socket: Socket): void {
  const names = spec.peers.map((p) => p.name).filter((n) => n !== '');
  let received = '';
  let accepted = false;
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('end', () => socket.end());
  socket.on('data', (chunk: Buffer) => {
    if (accepted) return;
    received += chunk.toString('latin1');
    const status = peerHandshake(received, spec.localPeer, names);
    if (status === null) return;
    socket.write(`${status}\n`);
    if (status === 200) accepted = true;
    else socket.end();
  });
}

/** Opens one listener per complete peers section that has an address; rejects (closing what opened) on failure. */
export async function startPeerListeners(sections: Iterable<PeersSpec>): Promise<PeerListeners> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  };
  try {
    for (const spec of sections) {
      if (!spec.complete || !spec.listen) continue;
      const server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        serve(spec, socket);
      });
      servers.push(server);
      const { host, port } = spec.listen;
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(new Error(`Starting peers ${spec.name}: cannot bind socket (${err.code ?? err.message}) [${host}:${port}]`)));
        server.listen({ host, port }, () => resolve());
      });
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { close };
}
