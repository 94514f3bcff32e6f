// tcp-request content rules in mode http: they see each parsed request head, and what they set (txn/req
// variables, captures, tracked counters) belongs to the transaction that follows (one stream in HAProxy).
import { contentVerdict } from '../tcp/tcp-request-rules.ts';
import { htxHeadSize } from '../sample/fetches/payload.ts';
import { countHttpRequest, releaseStream, type Trackers } from '../stick/trackers.ts';
import type { SampleContext } from '../sample/context.ts';
import { VarStore, type VarSet } from '../sample/vars.ts';
import type { Generation, LiveFrontend } from '../live/generation.ts';
import type { RequestHead } from './request-head.ts';
import { NO_CAPTURES, StreamCaptures } from './captures.ts';
import type { Txn } from './exchange.ts';

export interface InspectingSession {
  readonly sessVars: VarStore;
  readonly sessStk: Trackers;
  sampleContext(req: RequestHead, vars: VarSet, strm?: Trackers): SampleContext;
}

/** The stream the inspected head starts: its tracked counters, captures and the rules' early variables. */
export interface InspectedStream {
  readonly strm: Trackers;
  readonly caps: StreamCaptures | undefined;
  readonly early: { txn: VarStore; reqres: VarStore } | null;
}

/** Runs the frontend's content rules on `head` (`payload` its bytes); 'reject' when one rejects the request. */
export function inspectHead(s: InspectingSession, gen: Generation, fe: LiveFrontend, head: RequestHead, payload: Buffer): InspectedStream | 'reject' {
  const tcpRules = fe.spec.tcpRequestRules;
  const early = tcpRules.length > 0 ? { proc: gen.procVars, sess: s.sessVars, txn: new VarStore('txn'), reqres: new VarStore('req') } : null;
  const htxSize = early ? htxHeadSize(head.method, head.uri, `HTTP/${head.wireVersion}`, head.headers) : 0;
  // a stream starts with its session's tracked counters (stream_new copies them)
  const strm: Trackers = [...s.sessStk];
  // the stream's captures start here: content rules may capture into its slots and be its last rule
  const caps = early ? new StreamCaptures(fe.spec.captures ?? NO_CAPTURES) : undefined;
  if (early && contentVerdict(tcpRules, { ...s.sampleContext(head, early, strm), payload, htxSize, captures: caps }, true) === 'reject') {
    releaseStream(strm, s.sessStk);
    return 'reject';
  }
  countHttpRequest(strm);
  return { strm, caps, early };
}

/** Hands the stream's tracked counters and the content rules' variables to its transaction. */
export function adoptStream(t: Txn, st: InspectedStream): void {
  t.stk = st.strm;
  const early = st.early;
  if (early && (early.txn.size > 0 || early.reqres.size > 0)) {
    for (const [k, v] of early.txn.entries()) t.vars.txn!.set(k, v);
    for (const [k, v] of early.reqres.entries()) t.vars.reqres!.set(k, v);
  }
}
