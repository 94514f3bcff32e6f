// What a peers section keeps about each of its peers across that peer's sessions (struct peer, struct
// shared_table in src/peers.c): the cursors of each shared table, the teaching and learning flags, the reconnect
// date and the last handshake status.
import type { StickTable } from '../stick/stick-table.ts';
import type { PeerSpec } from '../config/model.ts';
import type { RemoteTable } from './table-codec.ts';

/** One table as shared with one peer. */
export class SharedTable {
  /** The id the peer learns it by (registration order, from 1). */
  remoteId = 0;
  remoteDef: RemoteTable | null = null;
  /** The peer's last update received and the last one acknowledged to it. */
  lastGet = 0;
  lastAcked = 0;
  /** Our last update sent, the last one it acknowledged, and where a lesson started. */
  lastPushed = 0;
  update = 0;
  teachingOrigin = 0;
  /** The lesson's entries were sent (SHTABLE_F_TEACH_STAGE1|2). */
  taught = false;
  constructor(readonly table: StickTable, readonly localId: number) {}
}

export class PeerState {
  readonly tables: SharedTable[];
  /** The last handshake status (0 never tried, 100 connecting, 200 connected, 50x refused). */
  statusCode = 0;
  reconnectAt = 0;
  heartbeatAt = 0;
  alive = false;
  teachProcess = false;
  teachFinished = false;
  learnAssign = false;
  resyncRequested = false;
  notUpToDate = false;
  confirm = 0;
  rxHeartbeats = 0;
  txHeartbeats = 0;
  newConnections = 0;
  /** The peer speaks version 2.0 (PEER_F_DWNGRD): lessons go without entry lifetimes. */
  downgrade = false;
  constructor(readonly spec: PeerSpec, tables: readonly StickTable[]) {
    // HAProxy registers the tables last declared first: the first declared gets the highest id
    this.tables = tables.map((t, i) => new SharedTable(t, tables.length - i));
  }

  get name(): string {
    return this.spec.name;
  }

  /** A new session starts (init_accepted_peer / init_connected_peer): cursors from what the peer acknowledged. */
  startSession(now: number): void {
    this.heartbeatAt = now + 3000;
    this.confirm = 0;
    for (const st of this.tables) {
      st.lastGet = st.lastAcked = 0;
      // an acknowledgement from the future (our table restarted since) counts for nothing: everything is pushed
      if (st.update > st.table.localUpdate) st.update = 0;
      st.teachingOrigin = st.lastPushed = st.update;
      st.taught = false;
      st.remoteId = 0;
      st.remoteDef = null;
    }
    this.teachProcess = this.teachFinished = false;
    this.learnAssign = this.resyncRequested = this.notUpToDate = false;
  }
}
