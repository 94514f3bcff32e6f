// The peers protocol's encodings: varints at each length boundary HAProxy's peers.c names, and entries through
// a definition and a timed update into another table (lifetimes left, counters, rates, server keys, conn_cur).
import { describe, expect, it } from 'vitest';
import { decodeVarint, encodeVarint } from '../../../proxy/peers/varint.ts';
import { applyUpdate, defineBody, DictCache, readDefine, updateBody } from '../../../proxy/peers/table-codec.ts';
import { parseStickTable } from '../../../proxy/stick/table-spec.ts';
import { StickTable, DATA_INDEX } from '../../../proxy/stick/stick-table.ts';
import { dataTypeIndex } from '../../../proxy/stick/data-types.ts';

const enc = (v: number): number[] => {
  const out: number[] = [];
  encodeVarint(v, out);
  return out;
};

describe('peers varints', () => {
  it('take one more byte at each of HAProxy’s PEER_ENC_*BYTES_MIN and decode back', () => {
    const mins = [0xf0, 0x8f0, 0x408f0, 0x20408f0, 0x1020408f0, 0x81020408f0];
    mins.forEach((min, i) => {
      expect(enc(min - 1)).toHaveLength(i + 1);
      expect(enc(min)).toHaveLength(i + 2);
    });
    for (const v of [0, 1, 239, 240, 241, 2287, 2288, 600000, 2 ** 32 - 1, 2 ** 32, 2 ** 45 + 7]) {
      const b = Buffer.from(enc(v));
      expect(decodeVarint(b, 0)).toEqual({ value: v, next: b.length });
    }
    expect(enc(600000)).toEqual([0xf0, 0xed, 0xa3, 0x01]);
  });

  it('report a number cut short', () => {
    expect(decodeVarint(Buffer.from([0xf4]), 0)).toBeNull();
    expect(decodeVarint(Buffer.from([0xf4, 0x80]), 0)).toBeNull();
    expect(decodeVarint(Buffer.alloc(0), 0)).toBeNull();
  });
});

function table(line: string, now: { t: number }): StickTable {
  const r = parseStickTable(line.split(' '), 'p/t', { file: 'x', line: 1, col: 1 }, 'peers');
  if ('error' in r) throw new Error(r.error);
  return new StickTable(r.table, () => now.t);
}

describe('entries through the wire encoding', () => {
  it('arrive with their lifetime left, counters, rates and server key, and without the sender’s conn_cur', () => {
    const clock = { t: 10_000_000 };
    const spec = 'stick-table type string len 8 size 10 expire 1m store server_id,server_key,conn_cur,http_req_cnt,http_req_rate(10s),gpc(2),bytes_in_cnt';
    const a = table(spec, clock);
    const b = table(spec, clock);
    const e = a.getEntry(Buffer.from('alice'))!;
    a.startCounters(e);
    a.add(e, dataTypeIndex('http_req_cnt'), dataTypeIndex('http_req_rate'), 3);
    a.storeServer(e, 2, 'srv2');
    (e.data[dataTypeIndex('gpc')] as number[])[1] = 5;
    e.data[dataTypeIndex('bytes_in_cnt')] = 2 ** 40;
    clock.t += 4000;
    const def = readDefine(Buffer.from(defineBody(1, a)), [b]);
    if (!('remote' in def)) throw new Error('not matched');
    const tx = new DictCache();
    const rx = new DictCache();
    const u = updateBody(a, e, { updateId: 9, timed: true }, tx);
    expect(u.type).toBe(0x85);
    expect(applyUpdate(def.remote, u.type, Buffer.from(u.body), rx)).toEqual({ updateId: 9 });
    const got = b.lookup(Buffer.from('alice'))!;
    expect(got.expire - clock.t).toBe(56_000);
    expect(b.counter(got, DATA_INDEX.conn_cur)).toBe(0);
    expect(a.counter(e, DATA_INDEX.conn_cur)).toBe(1);
    expect(b.counter(got, dataTypeIndex('http_req_cnt'))).toBe(3);
    expect(b.rate(got, dataTypeIndex('http_req_rate'))).toBe(a.rate(e, dataTypeIndex('http_req_rate')));
    expect(got.data[dataTypeIndex('server_key')]).toBe('srv2');
    expect(b.serverId(got)).toBe(2);
    expect(got.data[dataTypeIndex('gpc')]).toEqual([0, 5]);
    expect(got.data[dataTypeIndex('bytes_in_cnt')]).toBe(2 ** 40);
    // the second time, the server key goes by its dictionary id alone
    const again = updateBody(a, e, { timed: false }, tx);
    expect(again.type).toBe(0x81);
    expect(again.body.length).toBeLessThan(u.body.length - 4 - 4);
    got.data[dataTypeIndex('server_key')] = null;
    expect(applyUpdate(def.remote, again.type, Buffer.from(again.body), rx)).toEqual({});
    expect(got.data[dataTypeIndex('server_key')]).toBe('srv2');
    // an untimed update takes the receiver's own expiry
    expect(got.expire - clock.t).toBe(60_000);
  });

  it('reads a rate whose period started a little ahead of the sender’s clock as HAProxy’s 32-bit ticks do', () => {
    const clock = { t: 5_000_000 };
    const a = table('stick-table type ip size 10 store http_req_rate(10s)', clock);
    const b = table('stick-table type ip size 10 store http_req_rate(10s)', clock);
    const def = readDefine(Buffer.from(defineBody(1, a)), [b]);
    if (!('remote' in def)) throw new Error('not matched');
    const e = a.getEntry(Buffer.from([127, 0, 0, 2]))!;
    const rate = dataTypeIndex('http_req_rate');
    e.data[rate] = { currTick: clock.t + 6, currCtr: 1, prevCtr: 0 };
    const u = updateBody(a, e, { updateId: 1, timed: false }, new DictCache());
    // (unsigned)(now - tick) is 2^32 - 6: five bytes
    expect(Buffer.from(u.body).subarray(8, 13)).toEqual(Buffer.from(enc(2 ** 32 - 6)));
    applyUpdate(def.remote, u.type, Buffer.from(u.body), new DictCache());
    const got = b.lookup(Buffer.from([127, 0, 0, 2]))!;
    expect(got.data[rate]).toEqual({ currTick: clock.t + 6, currCtr: 1, prevCtr: 0 });
    expect(b.rate(got, rate)).toBe(1);
  });

  it('is ignored for a table of another key type or size, and malformed when cut short', () => {
    const clock = { t: 1_000_000 };
    const a = table('stick-table type string len 8 size 10 store gpc0', clock);
    const other = table('stick-table type string len 9 size 10 store gpc0', clock);
    expect(readDefine(Buffer.from(defineBody(3, a)), [other])).toEqual({ ignored: true, remoteId: 3 });
    const b = table('stick-table type string len 8 size 10 store gpc0', clock);
    const def = readDefine(Buffer.from(defineBody(3, a)), [b]);
    if (!('remote' in def)) throw new Error('not matched');
    const e = a.getEntry(Buffer.from('k'))!;
    const u = updateBody(a, e, { updateId: 1, timed: false }, new DictCache());
    expect(applyUpdate(def.remote, u.type, Buffer.from(u.body).subarray(0, 5), new DictCache())).toBeNull();
    expect(readDefine(Buffer.from([1, 5, 0x2f]), [b])).toEqual({ malformed: true });
  });
});
