// Tracked counters (struct stkctr; include/haproxy/stream.h, session.h): the entries a session or a stream tracks
// with track-sc0/1/2, and the moments HAProxy updates them. A session tracks from tcp-request connection/session
// rules and keeps its entries until the connection closes; each stream (one HTTP request, or a TCP connection)
// starts with a copy of the session's and adds its own from tcp-request content, http-request and http-response
// rules, released when the stream ends.
import { dataTypeIndex } from './data-types.ts';
import type { StickEntry, StickTable } from './stick-table.ts';

/** HAProxy's MAX_SESS_STKCTR (the default build): track-sc0, track-sc1, track-sc2. */
export const MAX_SESS_STKCTR = 3;

export interface StkCtr {
  readonly table: StickTable;
  readonly entry: StickEntry;
  /** Set by a content-level rule (STKCTR_TRACK_CONTENT); from a backend's rule too (STKCTR_TRACK_BACKEND). */
  readonly content: boolean;
  readonly backend: boolean;
}

/** One slot per sc number; null when that counter is not tracked. */
export type Trackers = (StkCtr | null)[];

export function newTrackers(): Trackers {
  return [null, null, null];
}

const D = (n: string): number => dataTypeIndex(n);
const SESS_CNT = D('sess_cnt');
const SESS_RATE = D('sess_rate');
const HTTP_REQ_CNT = D('http_req_cnt');
const HTTP_REQ_RATE = D('http_req_rate');
const HTTP_ERR_CNT = D('http_err_cnt');
const HTTP_ERR_RATE = D('http_err_rate');
const HTTP_FAIL_CNT = D('http_fail_cnt');
const HTTP_FAIL_RATE = D('http_fail_rate');
const BYTES_IN_CNT = D('bytes_in_cnt');
const BYTES_IN_RATE = D('bytes_in_rate');
const BYTES_OUT_CNT = D('bytes_out_cnt');
const BYTES_OUT_RATE = D('bytes_out_rate');

/**
 * stream_track_stkctr(): tracks `key` of `table` in slot idx unless that slot is taken; counts the connection
 * (conn_cur, conn_cnt, conn_rate). Returns the tracked entry, or undefined (slot taken, table full).
 */
export function track(ctrs: Trackers, idx: number, table: StickTable, key: Buffer, flags: { content: boolean; backend: boolean }): StkCtr | undefined {
  if (ctrs[idx]) return undefined;
  const entry = table.getEntry(key);
  if (!entry) return undefined;
  const ctr: StkCtr = { table, entry, ...flags };
  ctrs[idx] = ctr;
  table.startCounters(entry);
  return ctr;
}

function bump(ctr: StkCtr, cnt: number, rate: number, n = 1): void {
  if (ctr.table.add(ctr.entry, cnt, rate, n)) ctr.table.touch(ctr.entry);
}

/** session_count_new(): a session accepted after its tcp-request connection/session rules. */
export function countSession(sess: Trackers): void {
  for (const c of sess) if (c) bump(c, SESS_CNT, SESS_RATE);
}

/** stream_inc_http_req_ctr(): one more HTTP request on every tracked counter. */
export function countHttpRequest(strm: Trackers): void {
  for (const c of strm) if (c) bump(c, HTTP_REQ_CNT, HTTP_REQ_RATE);
}

/** stream_inc_http_req_ctr() once a track-sc rule started tracking in an http-request rule (that request only). */
export function countFirstRequest(ctr: StkCtr, responseStatus?: number): void {
  const t = ctr.table;
  let any = t.add(ctr.entry, HTTP_REQ_CNT, HTTP_REQ_RATE);
  // an http-response rule tracks after the response's own accounting: it counts what that status would have
  if (responseStatus !== undefined && responseStatus >= 400 && responseStatus < 500) any = t.add(ctr.entry, HTTP_ERR_CNT, HTTP_ERR_RATE) || any;
  if (responseStatus !== undefined && isFailure(responseStatus)) any = t.add(ctr.entry, HTTP_FAIL_CNT, HTTP_FAIL_RATE) || any;
  if (any) t.touch(ctr.entry);
}

const isFailure = (status: number): boolean => status >= 500 && status < 600 && status !== 501 && status !== 505;

/** stream_inc_http_err_ctr(): a 4xx from a server, or a request the proxy denied. */
export function countHttpError(strm: Trackers): void {
  for (const c of strm) if (c) bump(c, HTTP_ERR_CNT, HTTP_ERR_RATE);
}

/** The response status' share of the counters, as http_wait_for_response counts it. */
export function countResponseStatus(strm: Trackers, status: number): void {
  if (status >= 400 && status < 500) countHttpError(strm);
  else if (isFailure(status)) for (const c of strm) if (c) bump(c, HTTP_FAIL_CNT, HTTP_FAIL_RATE);
}

/** stream_process_counters(): bytes from the client and to it. */
export function countBytes(strm: Trackers, bytesIn: number, bytesOut: number): void {
  for (const c of strm) {
    if (!c) continue;
    if (bytesIn > 0) bump(c, BYTES_IN_CNT, BYTES_IN_RATE, bytesIn);
    if (bytesOut > 0) bump(c, BYTES_OUT_CNT, BYTES_OUT_RATE, bytesOut);
  }
}

/**
 * stream_store_counters(): the stream's own counters end (conn_cur down, reference dropped); the ones it got
 * from its session stay with the session.
 */
export function releaseStream(strm: Trackers, sess: Trackers | undefined): void {
  for (let i = 0; i < strm.length; i++) {
    const c = strm[i];
    if (!c || (sess && sess[i] === c)) continue;
    c.table.stopCounters(c.entry);
    strm[i] = null;
  }
}

/** The end of a stream: its bytes counted, then its own counters released. */
export function streamEnds(strm: Trackers, sess: Trackers | undefined, bytesIn: number, bytesOut: number): void {
  countBytes(strm, bytesIn, bytesOut);
  releaseStream(strm, sess);
}

/** session_store_counters(): at the end of the client connection. */
export function releaseSession(sess: Trackers): void {
  for (let i = 0; i < sess.length; i++) {
    const c = sess[i];
    if (!c) continue;
    c.table.stopCounters(c.entry);
    sess[i] = null;
  }
}
