// The log line of an HTTP exchange: the record filled from a finished (or, with logasap, answered) exchange, and
// the line the proxy's format makes of it (log-format, httplog, or its CLF variant).
import type { ProxySpec } from '../config/model.ts';
import type { LiveFrontend } from '../live/generation.ts';
import { formatHttpLog, formatHttpLogClf, type TrafficLogRecord } from '../log/traffic-log.ts';
import type { Txn } from './exchange.ts';
import { splitTarget } from './request-head.ts';
import { cookieLogFlags } from './cookie-persistence.ts';
import { nextLogCount } from '../log/log-format.ts';

const NO_HEADERS: readonly string[] = [];

/** The client side of a connection as the log names it. */
export interface ClientAddress {
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  /** The connection came through a "bind ... ssl" (the log names the frontend with a '~'). */
  readonly ssl: boolean;
  /** An HTTP/2 stream: the request line is logged with its absolute target and HTTP/2.0. */
  readonly h2Uri?: string;
}

/** A record with what every line has (who, where, when) and nothing measured yet. */
export function baseRecord(c: ClientAddress, actconn: number, fe: LiveFrontend, backend: string, server: string, date: number): TrafficLogRecord {
  return {
    clientIp: c.src, clientPort: c.srcPort, frontendIp: c.dst, frontendPort: c.dstPort, date, frontend: fe.name, ssl: c.ssl, backend, server, tR: 0, tw: -1, tc: -1,
    tr: -1, ta: 0, status: 0, bytes: 0, termination: '----', actconn: actconn, feconn: fe.current,
    beconn: 0, srvconn: 0, retries: 0, srvQueue: 0, beQueue: 0, requestLine: '', redispatched: false,
  };
}

/** Fills `rec` from the exchange: timings, status, bytes, counters, and for log-format the request and samples. */
export function exchangeRecord(t: Txn, rec: TrafficLogRecord, now: number, early: boolean, h2Uri?: string): TrafficLogRecord {
  const spec = t.fe.spec;
  const applet = t.stats;
  rec.tR = t.tHead - t.tStart;
  rec.tw = t.tAssigned >= 0 ? t.tAssigned - t.tHead : -1;
  rec.tc = t.tConnected >= 0 && t.tAssigned >= 0 ? t.tConnected - t.tAssigned : -1;
  rec.tr = t.tRespHead >= 0 && t.tConnected >= 0 ? t.tRespHead - t.tConnected : -1;
  // the applet counts as an immediate server: no wait, no connect, an answer at once (none for its 401)
  if (applet) [rec.tw, rec.tc, rec.tr] = [0, 0, applet.logStatus === 400 ? -1 : 0];
  // a tarpitted request counts its hold as the queue time, and no valid request time (HAProxy's t_queue)
  if (t.tarpitHeld >= 0) [rec.tR, rec.tw] = [-1, t.tarpitHeld];
  if (t.bodyTimedOut || t.noRequestTime) rec.tR = -1;
  rec.ta = now - t.tStart;
  rec.ti = t.tIdle;
  if (early) rec.asap = true;
  rec.status = applet ? applet.logStatus : t.status;
  rec.bytes = t.bytesOut;
  // the 3rd and 4th letters are the persistence cookie's, as the proxy serving the stream sees them
  rec.termination = t.termination.slice(0, 2) + cookieLogFlags(t.backend?.spec ?? t.fe.spec, t.cookie);
  rec.beconn = t.backend?.streams ?? 0;
  // the server named in the line (a refusing one too: the stream still targets it) and its connections then
  rec.srvconn = (t.server ?? t.failedServer)?.served ?? 0;
  rec.retries = t.retries;
  rec.redispatched = t.redispatched;
  // the requests served from its queue before it, itself included (srv_queue_pos / prx_queue_pos)
  rec.srvQueue = t.queuePos?.server ? t.queuePos.pos : 0;
  rec.beQueue = t.queuePos && !t.queuePos.server ? t.queuePos.pos : 0;
  // the request as it arrived, before any rule rewrote it (HAProxy logs its capture of the request line)
  rec.requestLine = h2Uri !== undefined ? `${t.originalMethod} ${h2Uri} HTTP/2.0` : `${t.originalMethod} ${t.originalUri} HTTP/${t.req.wireVersion}`;
  rec.captures = t.captures;
  rec.uniqueId = logTimeUniqueId(t, rec, now);
  if (spec.logFormat) {
    streamFields(t, rec);
    rec.method = t.originalMethod;
    rec.uri = t.originalUri;
    const target = t.originalUri === t.req.uri ? t.req : splitTarget(t.originalUri);
    rec.path = target.path;
    rec.query = target.query;
    rec.httpVersion = t.req.version;
    rec.bytesIn = t.bytesIn();
    // by the time the line is written the stream is on its response side, an answer of our own included: req.*
    // variables are gone (as HAProxy's vars_reqres is pruned then)
    t.responseStarts();
    // what %[sample] can still read at the end: the method, the status of a server's response, the names (the
    // backend is the frontend itself until one is chosen, as HAProxy's stream starts with s->be = fe)
    rec.ctx = {
      ...t.ctx, req: undefined, reqPersist: t.req, server: t.server ?? undefined, backend: t.backend?.spec ?? t.fe.spec,
      res: t.resp ? { status: t.status, version: t.resp.version, headers: NO_HEADERS, compAlgo: t.resp.compAlgo, cacheName: t.resp.cacheName } : undefined,
    };
  }
  return rec;
}

// strm_log makes the unique id if nothing asked for it before (an answer of the proxy's own, say): by then the
// request has left the buffer, so its header and path fetches find nothing (the method and names remain).
function logTimeUniqueId(t: Txn, rec: TrafficLogRecord, now: number): string | undefined {
  const uid = t.fe.spec.uniqueId;
  if (t.captures.uniqueId === undefined && uid) {
    const idRec = requestRecord(t, { ...rec }, now);
    idRec.ctx = { ...t.ctx, req: undefined, reqPersist: t.req };
    t.captures.uniqueId = uid.formatter(idRec);
  }
  return t.captures.uniqueId;
}

/** What unique-id-format reads when the id is made at the request: names, addresses, the request line, samples. */
export function requestRecord(t: Txn, rec: TrafficLogRecord, now: number): TrafficLogRecord {
  rec.tR = t.tHead - t.tStart;
  rec.ta = now - t.tStart;
  rec.requestLine = `${t.originalMethod} ${t.originalUri} HTTP/${t.req.wireVersion}`;
  rec.method = t.originalMethod;
  rec.uri = t.originalUri;
  const target = t.originalUri === t.req.uri ? t.req : splitTarget(t.originalUri);
  rec.path = target.path;
  rec.query = target.query;
  rec.httpVersion = t.req.version;
  rec.bytesIn = t.bytesIn();
  rec.captures = t.captures;
  rec.ctx = t.ctx;
  streamFields(t, rec);
  return rec;
}

// %rt (HAProxy counts streams from 0), %sslc/%sslv, %si:%sp and %bi:%bp once a server connection exists.
function streamFields(t: Txn, rec: TrafficLogRecord): void {
  rec.streamId = t.id - 1;
  const tls = t.ctx.tls;
  if (tls) rec.tls = tls;
  if (t.serverEnds) {
    rec.serverAddress = t.serverEnds.remote;
    rec.backendSource = t.serverEnds.local;
  }
}

export function httpLogLine(spec: ProxySpec, rec: TrafficLogRecord): string {
  rec.logCount = nextLogCount(spec);
  const custom = spec.logFormatter ?? null;
  return custom ? custom(rec) : spec.options.httplogClf ? formatHttpLogClf(rec) : formatHttpLog(rec);
}
