// One established peer connection after its handshake (peer_io_handler's WAITMSG state in src/peers.c): the
// messages read one after the other, and what is owed to the peer sent back (peer_send_msgs): a resync request
// when this process learns from it, acks of the updates received, local updates pushed, a whole lesson (every
// entry, with its remaining lifetime) when it asked for one, the resync end, the confirmations, heartbeats.
import type { Socket } from 'node:net';
import type { StickEntry } from '../stick/stick-table.ts';
import { controlMessage, MSG, readMessage, tableMessage, type PeerMessage } from './messages.ts';
import { applyUpdate, defineBody, DictCache, readDefine, updateBody, type RemoteTable } from './table-codec.ts';
import { decodeVarint, encodeVarint } from './varint.ts';
import type { PeerState, SharedTable } from './peer-state.ts';

/** What a session asks of its section (struct peers). */
export interface SessionHost {
  /** This process's resync is over (both local and remote lessons done or given up). */
  resyncFinished(): boolean;
  /** A lesson from this peer ended: complete (finished) or partial. */
  learned(peer: PeerState, complete: boolean): void;
  /** The session ended (closed by either side). */
  ended(peer: PeerState, session: PeerSession): void;
}

export class PeerSession {
  private buf: Buffer = Buffer.alloc(0);
  private readonly dict = new DictCache();
  /** The table the peer's updates are about (p->remote_table). */
  private remote: { shared: SharedTable; def: RemoteTable } | null = null;
  /** The last table we announced (p->last_local_table). */
  private lastLocal: SharedTable | null = null;
  private flushQueued = false;
  private closed = false;
  /** A heartbeat is due (PEER_F_HEARTBEAT). */
  heartbeatDue = false;

  constructor(readonly peer: PeerState, private readonly socket: Socket, private readonly host: SessionHost, rest: Buffer) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.receive(d));
    socket.on('error', () => this.close());
    socket.on('end', () => this.close());
    socket.on('close', () => this.close());
    if (rest.length > 0) this.receive(rest);
    this.scheduleFlush();
  }

  /** Ends the session (peer_session_forceshutdown, or the other side's close). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.host.ended(this.peer, this);
  }

  /** Something is owed to the peer: sent once the current event is over, coalescing many table updates. */
  scheduleFlush(): void {
    if (this.flushQueued || this.closed) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      if (!this.closed) this.sendMessages();
    });
  }

  private receive(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    while (!this.closed) {
      const r = readMessage(this.buf);
      if ('need' in r) break;
      if ('error' in r) {
        this.fail(r.error === 'size' ? MSG.ERR_SIZELIMIT : MSG.ERR_PROTOCOL);
        return;
      }
      this.buf = this.buf.subarray(r.used);
      if (!this.treat(r.message)) {
        this.fail(MSG.ERR_PROTOCOL);
        return;
      }
      this.peer.alive = true;
    }
    this.scheduleFlush();
  }

  // PEER_SESS_ST_ERRPROTO / ERRSIZE: the error message, then the close.
  private fail(type: number): void {
    if (this.closed) return;
    this.socket.end(controlMessage(MSG.CLASS_ERROR, type));
    this.closed = true;
    this.host.ended(this.peer, this);
  }

  // peer_treat_awaited_msg(): false on a protocol error.
  private treat(m: PeerMessage): boolean {
    const peer = this.peer;
    if (m.cls === MSG.CLASS_CONTROL) {
      switch (m.type) {
        case MSG.CTRL_RESYNCREQ:
          // the peer wants a whole lesson: every table from the beginning
          for (const st of peer.tables) {
            st.teachingOrigin = st.lastPushed = st.update;
            st.taught = false;
          }
          peer.teachFinished = false;
          peer.teachProcess = true;
          break;
        case MSG.CTRL_RESYNCFINISHED:
        case MSG.CTRL_RESYNCPARTIAL:
          if (peer.learnAssign) this.host.learned(peer, m.type === MSG.CTRL_RESYNCFINISHED);
          peer.confirm++;
          break;
        case MSG.CTRL_RESYNCCONFIRM:
          for (const st of peer.tables) {
            st.update = st.lastPushed = st.teachingOrigin;
            st.taught = false;
          }
          peer.teachProcess = false;
          peer.teachFinished = false;
          break;
        case MSG.CTRL_HEARTBEAT:
          peer.reconnectAt = Date.now() + 5000;
          peer.rxHeartbeats++;
          break;
      }
      return true;
    }
    if (m.cls === MSG.CLASS_RESERVED) return false;
    if (m.cls !== MSG.CLASS_STICKTABLE) return true;
    switch (m.type) {
      case MSG.STKT_DEFINE: {
        const r = readDefine(m.body, peer.tables.map((s) => s.table));
        if ('malformed' in r) return false;
        this.remote = null;
        if ('remote' in r) {
          for (const st of peer.tables) if (st.remoteId === r.remote.remoteId) st.remoteId = 0;
          const shared = peer.tables.find((s) => s.table === r.remote.table)!;
          shared.remoteId = r.remote.remoteId;
          shared.remoteDef = r.remote;
          this.remote = { shared, def: r.remote };
        } else if (r.remoteId !== undefined) {
          for (const st of peer.tables) if (st.remoteId === r.remoteId) st.remoteId = 0;
        }
        return true;
      }
      case MSG.STKT_SWITCH: {
        const id = decodeVarint(m.body, 0);
        if (!id) return false;
        const shared = peer.tables.find((s) => s.remoteId === id.value && s.remoteDef);
        this.remote = shared ? { shared, def: shared.remoteDef! } : null;
        return true;
      }
      case MSG.STKT_UPDATE:
      case MSG.STKT_INCUPDATE:
      case MSG.STKT_UPDATE_TIMED:
      case MSG.STKT_INCUPDATE_TIMED: {
        // updates for a table we do not share are skipped
        if (!this.remote) return true;
        const r = applyUpdate(this.remote.def, m.type, m.body, this.dict);
        if (!r) return false;
        const st = this.remote.shared;
        st.lastGet = r.updateId !== undefined ? r.updateId : (st.lastGet + 1) >>> 0;
        return true;
      }
      case MSG.STKT_ACK: {
        // acks are not read while a lesson is given
        if (peer.teachProcess) return true;
        const id = decodeVarint(m.body, 0);
        if (!id || id.next + 4 > m.body.length) return false;
        const st = peer.tables.find((s) => s.localId === id.value);
        if (st) st.update = m.body.readUInt32BE(id.next);
        return true;
      }
    }
    return true;
  }

  private announce(st: SharedTable, out: Buffer[]): void {
    if (this.lastLocal === st) return;
    out.push(tableMessage(MSG.STKT_DEFINE, defineBody(st.localId, st.table)));
    this.lastLocal = st;
  }

  // peer_send_teachmsgs(): the updates after st.lastPushed (a push) or every entry (a lesson, with lifetimes).
  private pushUpdates(st: SharedTable, lesson: boolean, out: Buffer[]): void {
    this.announce(st, out);
    let first = true;
    const send = (e: StickEntry, id: number): void => {
      const withId = first || id !== ((st.lastPushed + 1) >>> 0);
      const u = updateBody(st.table, e, { ...(withId ? { updateId: id } : {}), timed: lesson && !this.peer.downgrade }, this.dict);
      out.push(tableMessage(u.type, u.body));
      st.lastPushed = id;
      first = false;
    };
    if (lesson) {
      // every entry the table holds, learnt ones included (HAProxy walks its whole update tree)
      for (const e of st.table.sorted()) send(e, e.upd > 0 ? e.upd : (st.table.localUpdate + 0x80000000) >>> 0);
      st.lastPushed = st.teachingOrigin;
      st.taught = true;
      return;
    }
    for (const [upd, e] of st.table.updates) if (upd > st.lastPushed) send(e, upd);
    st.lastPushed = st.table.localUpdate;
  }

  // peer_send_msgs(), with a heartbeat first when one is due.
  sendMessages(): void {
    const peer = this.peer;
    const out: Buffer[] = [];
    if (this.heartbeatDue) {
      this.heartbeatDue = false;
      out.push(controlMessage(MSG.CLASS_CONTROL, MSG.CTRL_HEARTBEAT));
      peer.txHeartbeats++;
    }
    if (peer.learnAssign && !peer.resyncRequested) {
      out.push(controlMessage(MSG.CLASS_CONTROL, MSG.CTRL_RESYNCREQ));
      peer.resyncRequested = true;
    }
    // round robin from the table after the last one announced, as HAProxy walks its list of shared tables
    const n = peer.tables.length;
    const from = Math.max(0, this.lastLocal ? peer.tables.indexOf(this.lastLocal) : 0);
    for (let k = 1; k <= n; k++) {
      const st = peer.tables[(from + k) % n]!;
      if (st.lastGet !== st.lastAcked) {
        const body: number[] = [];
        encodeVarint(st.remoteId, body);
        body.push((st.lastGet >>> 24) & 255, (st.lastGet >>> 16) & 255, (st.lastGet >>> 8) & 255, st.lastGet & 255);
        out.push(tableMessage(MSG.STKT_ACK, body));
        st.lastAcked = st.lastGet;
      }
      if (!peer.teachProcess) {
        if (!peer.learnAssign && st.lastPushed !== st.table.localUpdate) this.pushUpdates(st, false, out);
      } else if (!peer.teachFinished && !st.taught) {
        this.pushUpdates(st, true, out);
      }
    }
    if (peer.teachProcess && !peer.teachFinished) {
      out.push(controlMessage(MSG.CLASS_CONTROL, this.host.resyncFinished() ? MSG.CTRL_RESYNCFINISHED : MSG.CTRL_RESYNCPARTIAL));
      peer.teachFinished = true;
    }
    for (; peer.confirm > 0; peer.confirm--) out.push(controlMessage(MSG.CLASS_CONTROL, MSG.CTRL_RESYNCCONFIRM));
    if (out.length > 0) this.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  }
}
