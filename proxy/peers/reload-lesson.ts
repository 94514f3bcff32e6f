// Tables kept across a reload: HAProxy's old process, once told to stop, connects to its local peer (the new
// process now listening there) and teaches it every entry of its shared tables before it exits. The engine's
// two generations live in one process, so the lesson is given in memory, through the same messages: the old
// table's definition matched to a new table (same name, key type and size), then one timed update per entry
// (its remaining lifetime and counters; conn_cur stays local to each process, as is_local says).
import type { PeersSpec } from '../config/model.ts';
import type { StickTable } from '../stick/stick-table.ts';
import type { PeersSync } from './peer-sync.ts';
import { applyUpdate, defineBody, DictCache, readDefine, updateBody } from './table-codec.ts';

const sameListener = (a: PeersSpec, b: PeersSpec): boolean =>
  a.listen !== undefined && b.listen !== undefined && a.listen.host === b.listen.host && a.listen.port === b.listen.port;

/** Teaches the new sections what the old ones hold; returns the new sections whose lesson was complete. */
export function teachAcrossReload(old: readonly PeersSync[], next: readonly { spec: PeersSpec; tables: readonly StickTable[] }[]): Set<PeersSpec> {
  const complete = new Set<PeersSpec>();
  for (const n of next) {
    // the old process dials its own local peer address, and the new one accepts it as its local peer
    const teacher = old.find((o) => sameListener(o.spec, n.spec) && o.spec.localPeer === n.spec.localPeer);
    if (!teacher) continue;
    const txDict = new DictCache();
    const rxDict = new DictCache();
    teacher.tables.forEach((table, i) => {
      const def = readDefine(Buffer.from(defineBody(i + 1, table)), n.tables);
      if (!('remote' in def)) return;
      for (const e of table.sorted()) {
        const u = updateBody(table, e, { updateId: e.upd, timed: true }, txDict);
        applyUpdate(def.remote, u.type, Buffer.from(u.body), rxDict);
      }
    });
    // the old process ends its lesson with "finished" only when its own resync was over
    if (teacher.resyncFinished()) complete.add(n.spec);
  }
  return complete;
}
