// The httplog and tcplog lines, in HAProxy 2.6's default formats (doc/configuration.txt 8.2.3 and 8.2.2).
import type { SampleContext } from '../sample/context.ts';
import type { TlsView } from '../tls/tls-info.ts';
import { haproxyDate } from './log-date.ts';
import { headerCaptureList, headerCaptures, urlEncode } from './log-escape.ts';

export interface TrafficLogRecord {
  clientIp: string;
  clientPort: number;
  /** Accept date (tcplog %t) / request date (httplog %tr), ms since the epoch. */
  date: number;
  frontend: string;
  /** The client connection is TLS: %ft shows the frontend as "name~". */
  ssl?: boolean;
  backend: string;
  /** '<NOSRV>' when no server was reached. */
  server: string;
  /** httplog: TR/Tw/Tc/Tr/Ta; tcplog: Tw/Tc/Tt. -1 where a stage was not reached. */
  tR: number;
  tw: number;
  tc: number;
  tr: number;
  ta: number;
  status: number;
  bytes: number;
  /** Four characters, e.g. "----", "PR--", "SC--" (tcplog uses the first two). */
  termination: string;
  actconn: number;
  feconn: number;
  beconn: number;
  srvconn: number;
  retries: number;
  srvQueue: number;
  beQueue: number;
  /** 'GET / HTTP/1.1' or '<BADREQ>'. */
  requestLine: string;
  /** Retries counted after a redispatch are shown with a leading '+'. */
  redispatched: boolean;
  /**
   * Logged early by `option logasap` (HTTP: at the response head; TCP: once connected): the total time and the
   * bytes are what they were then, and carry a leading '+'.
   */
  asap?: boolean;
  /** What %[sample] expressions of a log-format read: the transaction as it ends (set only for log-format). */
  ctx?: SampleContext;
  /** For log-format variables beyond the default formats. */
  frontendIp?: string;
  frontendPort?: number;
  bytesIn?: number;
  method?: string;
  uri?: string;
  path?: string;
  query?: string | null;
  httpVersion?: string;
  /** The stream's capture slots (%hr %hs, and the {...} of option httplog). */
  /** The stream's capture slots and captured cookies (%hr %hs, %CC %CS). */
  captures?: {
    readonly req: readonly (string | undefined)[];
    readonly res: readonly (string | undefined)[];
    readonly cliCookie?: string | undefined;
    readonly srvCookie?: string | undefined;
  };
  /** %ID: the stream's unique id, when the frontend has a unique-id-format. */
  uniqueId?: string;
  /** %rt: the stream's number (HAProxy's uniq_id, from 0 in the process). */
  streamId?: number;
  /** %lc: lines the frontend logged before this one. */
  logCount?: number;
  /** %bi:%bp — the server connection's own address; %si:%sp — the server's. */
  backendSource?: { readonly ip: string; readonly port: number };
  serverAddress?: { readonly ip: string; readonly port: number };
  /** %Ti: idle time before the request (HTTP); %Tt and %Tq count it, %Ta does not. */
  ti?: number;
  /** %sslc %sslv: the client connection's TLS cipher and protocol. */
  tls?: Pick<TlsView, 'cipher' | 'protocol'>;
}

/** %ft: the frontend's name, with '~' when the connection is TLS (HAProxy's transport marker). */
export function frontendWithTransport(r: TrafficLogRecord): string {
  return r.ssl ? `${r.frontend}~` : r.frontend;
}

// %ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r
// (%hr and %hs print nothing, not even their space, for a frontend without captures on that side)
export function formatHttpLog(r: TrafficLogRecord): string {
  const hr = headerCaptures(r.captures?.req, false);
  const hs = headerCaptures(r.captures?.res, false);
  return `${r.clientIp}:${r.clientPort} [${haproxyDate(r.date)}] ${frontendWithTransport(r)} ${r.backend}/${r.server} ` +
    `${r.tR}/${r.tw}/${r.tc}/${r.tr}/${asap(r)}${r.ta} ${r.status} ${asap(r)}${r.bytes} ${r.captures?.cliCookie || '-'} ${r.captures?.srvCookie || '-'} ${r.termination} ` +
    `${r.actconn}/${r.feconn}/${r.beconn}/${r.srvconn}/${r.redispatched ? '+' : ''}${r.retries} ${r.srvQueue}/${r.beQueue} ` +
    `${hr ? `${hr} ` : ''}${hs ? `${hs} ` : ''}"${urlEncode(r.requestLine)}"`;
}

// "option httplog clf": the Common Log Format variant.
export function formatHttpLogClf(r: TrafficLogRecord): string {
  const d = new Date(r.date);
  const off = -d.getTimezoneOffset();
  const tz = `${off >= 0 ? '+' : '-'}${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}${String(Math.abs(off) % 60).padStart(2, '0')}`;
  const date = haproxyDate(r.date).slice(0, 20);
  const hrl = headerCaptureList(r.captures?.req, true);
  const hsl = headerCaptureList(r.captures?.res, true);
  return `${r.clientIp} - - [${date} ${tz}] "${urlEncode(r.requestLine)}" ${r.status} ${asap(r)}${r.bytes} "" "" ${r.clientPort} ` +
    `${String(d.getMilliseconds()).padStart(3, '0')} "${frontendWithTransport(r)}" "${r.backend}" "${r.server}" ${r.tR} ${r.tw} ${r.tc} ${r.tr} ` +
    `${asap(r)}${r.ta} "${r.termination}" ${r.actconn} ${r.feconn} ${r.beconn} ${r.srvconn} ${r.retries} ${r.srvQueue} ${r.beQueue} "${r.captures?.cliCookie ?? ''}" "${r.captures?.srvCookie ?? ''}"${hrl ? ` ${hrl}` : ''}${hsl ? ` ${hsl}` : ''}`;
}

// %ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq
export function formatTcpLog(r: TrafficLogRecord): string {
  return `${r.clientIp}:${r.clientPort} [${haproxyDate(r.date)}] ${frontendWithTransport(r)} ${r.backend}/${r.server} ` +
    `${r.tw}/${r.tc}/${asap(r)}${r.ta} ${asap(r)}${r.bytes} ${r.termination.slice(0, 2)} ` +
    `${r.actconn}/${r.feconn}/${r.beconn}/${r.srvconn}/${r.redispatched ? '+' : ''}${r.retries} ${r.srvQueue}/${r.beQueue}`;
}

// The '+' that marks a total time or byte count logged early by option logasap.
export function asap(r: TrafficLogRecord): string {
  return r.asap ? '+' : '';
}
