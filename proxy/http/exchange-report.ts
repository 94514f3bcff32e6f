// What an exchange tells the outside: the detail events (request, acl, route, response), the status counters of
// the proxies and the server, and the log line (at the end, or early with option logasap).
import { streamEnds } from '../stick/trackers.ts';
import type { ProxySpec } from '../config/model.ts';
import type { LiveFrontend } from '../live/generation.ts';
import type { SessionHost } from '../live/session-host.ts';
import type { TrafficLogRecord } from '../log/traffic-log.ts';
import type { TlsView } from '../tls/tls-info.ts';
import { traceRequestRules } from './actions/run-rules.ts';
import type { Txn } from './exchange.ts';
import { baseRecord, exchangeRecord, httpLogLine, requestRecord } from './http-log.ts';

/** The client connection an exchange runs on, as events and logs name it. */
export interface ReportingSession {
  readonly host: SessionHost;
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  readonly tls: TlsView | undefined;
  /** An HTTP/2 stream's absolute request target (logged as HTTP/2.0). */
  readonly h2Uri: string | undefined;
}

/** The request event, for a request picked for detail events. */
export function emitRequest(s: ReportingSession, t: Txn): void {
  const ev = s.host.events;
  if (!t.detailed || !ev.wants.request) return;
  ev.emit({
    kind: 'request', id: t.id, frontend: t.fe.name, src: s.src, srcPort: s.srcPort, method: t.req.method,
    uri: t.req.uri, version: t.req.version, headers: t.req.headers.slice(), at: t.tStart,
  });
}

/** The acl and route events once the backend is decided (or the request answered before one was). */
export function emitRoute(s: ReportingSession, t: Txn, backend: string | undefined): void {
  const ev = s.host.events;
  if (!t.detailed) return;
  if (ev.wants.acl) ev.emit({ kind: 'acl', id: t.id, frontend: t.fe.name, rules: traceRequestRules(t.fe.spec, t.ctx) });
  if (ev.wants.route) {
    ev.emit({
      kind: 'route', id: t.id, frontend: t.fe.name, decidedBy: t.decidedBy || 'none', rule: t.rule?.text,
      loc: t.rule?.loc, backend,
    });
  }
}

/** The exchange is over: the response event, the status counters, and the log line unless logasap wrote it. */
export function reportExchange(s: ReportingSession, t: Txn): void {
  const now = Date.now();
  const ev = s.host.events;
  if (ev.wants.response) {
    const tw = t.tAssigned >= 0 ? t.tAssigned - t.tHead : -1;
    const tc = t.tConnected >= 0 && t.tAssigned >= 0 ? t.tConnected - t.tAssigned : -1;
    const tr = t.tRespHead >= 0 && t.tConnected >= 0 ? t.tRespHead - t.tConnected : -1;
    ev.emit({
      kind: 'response', id: t.id, frontend: t.fe.name, backend: t.backend?.name ?? t.fe.name,
      server: (t.server ?? t.failedServer)?.name ?? '<NOSRV>', status: t.status, bytesIn: t.req.headBytes,
      bytesOut: t.bytesOut, timings: { tq: t.tHead - t.tStart, tw, tc, tr, tt: now - t.tStart },
      termination: t.termination.slice(0, 2), retries: t.retries,
    });
  }
  if (t.status > 0) {
    const k = t.status >= 100 && t.status < 600 ? Math.floor(t.status / 100) - 1 : 5;
    t.fe.responses[k]!++;
    if (t.backend) t.backend.responses[k]!++;
    if (t.server) t.server.responses[k]!++;
  }
  if (!t.loggedEarly) logLine(s, t, now, false);
  streamEnds(t.stk, t.session.sessStk, t.req.headBytes, t.bytesOut);
}

/** option logasap: the line goes out once the response head is on its way, with what is known then. */
export function logAsap(s: ReportingSession, t: Txn): void {
  if (!t.fe.spec.options.logasap) return;
  logLine(s, t, Date.now(), true);
  t.loggedEarly = true;
}

/** A request that never became an exchange (bad, timed out, rejected by tcp-request content), logged as
 *  HAProxy does: <BADREQ>, <NOSRV>, from the first byte seen (`tFirstByte`, or -1 for none). */
export function logBadRequest(s: ReportingSession, fe: LiveFrontend, tFirstByte: number, status: number, termination: string, bytes: number): void {
  if (!fe.spec.options.httplog || !s.host.wantsLog(fe.spec, true)) return;
  const rec = record(s, fe, fe.name, '<NOSRV>', tFirstByte >= 0 ? tFirstByte : Date.now());
  rec.tR = -1;
  rec.status = status;
  rec.bytes = bytes;
  rec.termination = termination;
  rec.requestLine = '<BADREQ>';
  rec.ta = tFirstByte >= 0 ? Date.now() - tFirstByte : 0;
  emitLog(s, fe.spec, rec);
}

function logLine(s: ReportingSession, t: Txn, now: number, early: boolean): void {
  const spec = t.fe.spec;
  // monitor-uri requests are never logged (SF_MONITOR)
  if (t.monitor || (!spec.options.httplog && !spec.logFormat) || !s.host.wantsLog(spec, t.detailed)) return;
  // a denied request whose cookie named a server: HAProxy had assigned it, and logs it
  const server = t.stats ? '<STATS>' : t.cache?.hit ? '<CACHE>' : (t.server ?? t.failedServer ?? t.cookie?.denied)?.name ?? '<NOSRV>';
  const rec = record(s, t.fe, t.backend?.name ?? t.fe.name, server, t.tStart);
  const c = t.builtCtx;
  if (c?.addressesSet) {
    // http-request set-src/set-dst...: the stream's addresses are the ones logged
    rec.clientIp = c.src;
    rec.clientPort = c.srcPort;
    rec.frontendIp = c.dst;
    rec.frontendPort = c.dstPort;
  }
  emitLog(s, spec, exchangeRecord(t, rec, now, early, s.h2Uri));
}

/** What unique-id-format reads when the id is made: the stream as it is at its request. */
export function requestLogRecord(s: ReportingSession, t: Txn): TrafficLogRecord {
  return requestRecord(t, record(s, t.fe, t.backend?.name ?? t.fe.name, t.server?.name ?? '<NOSRV>', t.tStart), Date.now());
}

function record(s: ReportingSession, fe: LiveFrontend, backend: string, server: string, date: number): TrafficLogRecord {
  return baseRecord({ src: s.src, srcPort: s.srcPort, dst: s.dst, dstPort: s.dstPort, ssl: s.tls !== undefined }, s.host.actconn, fe, backend, server, date);
}

function emitLog(s: ReportingSession, spec: ProxySpec, rec: TrafficLogRecord): void {
  s.host.log(spec, httpLogLine(spec, rec));
}
