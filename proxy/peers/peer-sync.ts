// One peers section at run time (struct peers and process_peer_sync() in src/peers.c): the remote peers it
// connects to and the ones that connect to it, the stick tables it shares with them, and this process's resync
// (learning every table from one peer at start). Only loopback peers are dialled: the lab never opens a
// connection off this machine, so a peer elsewhere is left unconnected (with a warning), as if it were down.
import net, { type Socket } from 'node:net';
import type { PeersSpec } from '../config/model.ts';
import type { StickTable } from '../stick/stick-table.ts';
import { helloMessage, helloPeer, peerHandshake } from './peer-handshake.ts';
import { PeerSession, type SessionHost } from './peer-session.ts';
import { PeerState } from './peer-state.ts';

const RESYNC_TIMEOUT = 5000;
const RECONNECT_TIMEOUT = 5000;
const HEARTBEAT_TIMEOUT = 3000;
const TICK_MS = 100;
/** The peers frontend's client timeout: a connection that never completes its hello is closed. */
const HELLO_TIMEOUT = 5000;

const isLoopback = (host: string): boolean => host.startsWith('127.') || host === '::1' || host === 'localhost';
const randomDelay = (): number => 50 + Math.floor(Math.random() * 2000);

export interface PeersSyncOptions {
  /** This process already learnt its tables (a reload whose old tables were taught): no resync is asked. */
  readonly resyncDone?: boolean;
  readonly warn?: (message: string) => void;
}

export class PeersSync implements SessionHost {
  readonly peers: PeerState[];
  private readonly sessions = new Map<PeerState, PeerSession>();
  private readonly connecting = new Map<PeerState, Socket>();
  private readonly accepted = new Set<Socket>();
  /** PEERS_F_RESYNC_LOCAL / _REMOTE: this process starts without an old one, so only the remote lesson is left. */
  private remoteDone: boolean;
  private assigned: PeerState | null = null;
  private resyncTimeout: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly spec: PeersSpec, readonly tables: readonly StickTable[], private readonly opts: PeersSyncOptions = {}) {
    this.peers = spec.peers.filter((p) => p.name !== '').map((p) => new PeerState(p, tables));
    this.remoteDone = opts.resyncDone ?? false;
    this.resyncTimeout = Date.now() + RESYNC_TIMEOUT;
  }

  start(): void {
    const wake = { onLocalUpdate: () => this.localUpdate() };
    for (const t of this.tables) t.share(wake);
    for (const p of this.peers) {
      const a = p.spec.address;
      if (!p.spec.local && a && !isLoopback(a.host)) {
        this.opts.warn?.(`peers '${this.spec.name}': peer '${p.name}' (${a.host}:${a.port}) is not on loopback; HAProxy Lab never connects off this machine, so it is not dialled.`);
      }
    }
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    this.tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const t of this.tables) t.share(null);
    for (const s of [...this.sessions.values()]) s.close();
    for (const s of this.connecting.values()) s.destroy();
    for (const s of this.accepted) s.destroy();
    this.connecting.clear();
    this.accepted.clear();
  }

  resyncFinished(): boolean {
    return this.remoteDone;
  }

  /** Who this process is learning from, and whether its resync is over (what `show peers` would tell). */
  get resyncState(): { finished: boolean; learningFrom: string | null } {
    return { finished: this.remoteDone, learningFrom: this.assigned?.name ?? null };
  }

  private localUpdate(): void {
    for (const s of this.sessions.values()) s.scheduleFlush();
  }

  // A lesson's end (PEER_MSG_CTRL_RESYNCFINISHED / PARTIAL while this peer was assigned).
  learned(peer: PeerState, complete: boolean): void {
    peer.learnAssign = false;
    peer.resyncRequested = false;
    this.assigned = null;
    if (complete) this.remoteDone = true;
    else {
      peer.notUpToDate = true;
      this.resyncTimeout = Date.now() + RESYNC_TIMEOUT;
    }
  }

  ended(peer: PeerState, session: PeerSession): void {
    if (this.sessions.get(peer) !== session) return;
    this.sessions.delete(peer);
    if (peer.learnAssign) {
      peer.learnAssign = false;
      peer.resyncRequested = false;
      this.assigned = null;
      this.resyncTimeout = Date.now() + RESYNC_TIMEOUT;
    }
    peer.teachProcess = peer.teachFinished = false;
  }

  // The first peer connected while the remote lesson is due learns us (init_*_peer, process_peer_sync).
  private maybeAssign(p: PeerState): void {
    if (this.remoteDone || this.assigned || p.spec.local || p.notUpToDate) return;
    p.learnAssign = true;
    this.assigned = p;
  }

  private attach(p: PeerState, socket: Socket, rest: Buffer): void {
    p.statusCode = 200;
    p.alive = true;
    p.startSession(Date.now());
    this.maybeAssign(p);
    const session = new PeerSession(p, socket, this, rest);
    this.sessions.set(p, session);
  }

  /** A connection to the local peer's listener: the hello, its status line, then the session. */
  accept(socket: Socket): void {
    this.accepted.add(socket);
    socket.setTimeout(HELLO_TIMEOUT, () => socket.destroy());
    socket.on('close', () => this.accepted.delete(socket));
    socket.on('error', () => socket.destroy());
    const names = this.peers.map((p) => p.name);
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const status = peerHandshake(received.toString('latin1'), this.spec.localPeer, names);
      if (status === null) return;
      socket.off('data', onData);
      if (status !== 200) {
        socket.end(`${status}\n`);
        return;
      }
      const hello = helloPeer(received)!;
      const p = this.peers.find((x) => x.name === hello.name)!;
      const existing = this.sessions.get(p) ?? this.connecting.get(p);
      if (existing) {
        if (p.spec.local) {
          // another session of our own local peer is running: the newcomer tries again later
          socket.end('300\n');
          return;
        }
        // both sides dialled each other: the accepted connection wins, ours retries after a random delay
        p.reconnectAt = Date.now() + randomDelay();
        this.sessions.get(p)?.close();
        this.connecting.get(p)?.destroy();
        this.connecting.delete(p);
      }
      p.downgrade = hello.minor === 0;
      socket.setTimeout(0);
      this.accepted.delete(socket);
      socket.write('200\n');
      this.attach(p, socket, received.subarray(hello.used));
    };
    socket.on('data', onData);
  }

  // peer_session_create() and the GETSTATUS state: our hello, then the peer's status line.
  private connect(p: PeerState): void {
    const a = p.spec.address!;
    p.newConnections++;
    p.reconnectAt = Date.now() + RECONNECT_TIMEOUT;
    p.heartbeatAt = Number.POSITIVE_INFINITY;
    p.statusCode = 100;
    const socket = net.connect({ host: a.host === 'localhost' ? '127.0.0.1' : a.host, port: a.port });
    this.connecting.set(p, socket);
    let received = Buffer.alloc(0);
    const done = (): void => {
      if (this.connecting.get(p) === socket) this.connecting.delete(p);
    };
    socket.on('error', () => socket.destroy());
    socket.on('close', done);
    socket.on('connect', () => {
      p.statusCode = 110;
      socket.write(helloMessage(p.name, this.spec.localPeer, p.downgrade));
    });
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const nl = received.indexOf(10);
      if (nl < 0) return;
      socket.off('data', onData);
      done();
      p.statusCode = Number.parseInt(received.subarray(0, nl).toString('latin1'), 10) || 0;
      if (p.statusCode !== 200) {
        if (p.statusCode === 502) p.downgrade = true;
        socket.destroy();
        return;
      }
      this.attach(p, socket, received.subarray(nl + 1));
    };
    socket.on('data', onData);
  }

  // process_peer_sync(): reconnects, resync assignment and timeout, heartbeats and dead sessions.
  private tick(): void {
    const now = Date.now();
    for (const p of this.peers) {
      if (p.spec.local) continue;
      const session = this.sessions.get(p);
      if (!session) {
        const a = p.spec.address;
        if (!a || !isLoopback(a.host) || this.connecting.has(p)) continue;
        if (p.statusCode === 0 || ((p.statusCode === 100 || p.statusCode === 110 || p.statusCode === 200) && now >= p.reconnectAt)) this.connect(p);
        continue;
      }
      if (!this.remoteDone && !this.assigned && !p.notUpToDate) {
        this.maybeAssign(p);
        session.scheduleFlush();
        continue;
      }
      if (p.tables.some((st) => st.lastPushed !== st.table.localUpdate && !p.learnAssign && !p.teachProcess)) {
        // updates to push make a heartbeat unnecessary
        p.heartbeatAt = now + HEARTBEAT_TIMEOUT;
        session.scheduleFlush();
        continue;
      }
      if (now >= p.reconnectAt) {
        if (p.alive) {
          p.alive = false;
          p.reconnectAt = now + RECONNECT_TIMEOUT;
        } else {
          // nothing heard from the peer for a whole period: the session is dead
          p.reconnectAt = now + randomDelay();
          p.heartbeatAt = Number.POSITIVE_INFINITY;
          session.close();
        }
      } else if (now >= p.heartbeatAt) {
        p.heartbeatAt = now + HEARTBEAT_TIMEOUT;
        session.heartbeatDue = true;
        session.scheduleFlush();
      }
    }
    if (!this.remoteDone && !this.assigned && now >= this.resyncTimeout) this.remoteDone = true;
  }
}
