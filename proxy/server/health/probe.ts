// One health check, as HAProxy 2.6 runs it (src/tcpcheck.c tcpcheck_eval_connect / _expect_http,
// src/check.c chk_report_conn_err): connect, and for `option httpchk` send one request and judge the status.
// The result carries HAProxy's status code (L4OK, L4CON, L4TOUT, L7OK, L7STS, L7RSP, L7TOUT, SOCKERR),
// its info text (check->desc, e.g. "Connection refused" or the reason phrase) and the duration in ms.
//
// Timeouts (doc/configuration.txt "timeout check"): the connect may take `inter`, or min(inter, timeout
// connect) when `timeout check` is set; after the connect, the response must arrive within `timeout check`
// when set, else within what is left of `inter`.
import { connect, type Socket } from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { HeaderMatch, HttpCheckExpect, HttpCheckSpec } from '../../config/model.ts';
import { checkStatusPasses, strerror, type CheckStatus } from './status.ts';
import type { CheckRuleset } from './rulesets.ts';
import { runTcpCheck } from './tcp-check.ts';
import type { AgentReply } from './agent.ts';

export interface CheckResult {
  readonly status: CheckStatus;
  /** The check passed (L4OK, L7OK, L7OKC). */
  readonly ok: boolean;
  /** HTTP status of a layer-7 check. */
  readonly code?: number;
  /** HAProxy's check->desc: "Connection refused", the reason phrase of a wrong status, or "". */
  readonly desc: string;
  /** The text HAProxy's log line shows when a protocol parser reported its own first (mysql's version, LDAP's "Success"). */
  readonly logDesc?: string;
  readonly durationMs: number;
  /** An agent check's words, for the scheduler to apply. */
  readonly agent?: AgentReply;
}

export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
}

export interface ProbeOptions {
  /** The server's `inter` (ms). */
  readonly inter: number;
  readonly timeoutConnect?: number;
  readonly timeoutCheck?: number;
  /** `option httpchk` (+ `http-check expect status`); absent: a plain TCP connect check. */
  readonly httpchk?: HttpCheckSpec;
  /** A tcp-check ruleset (option tcp-check, redis-check, smtpchk ...): run by runTcpCheck instead. */
  readonly ruleset?: CheckRuleset;
  /** TLS for the check's connection (check-ssl, or "ssl" inherited): a handshake follows the connect. */
  readonly tls?: tls.ConnectionOptions;
  readonly signal?: AbortSignal;
  /** http-check send-state: the X-Haproxy-Server-State value this check carries. */
  readonly serverState?: string;
  /** http-check disable-on-404 while the server is not DOWN: a 404 passes conditionally (L7OKC). */
  readonly disableOn404?: boolean;
}

// conn_err_code_str(): what a check reports when the TLS handshake fails. A certificate not naming the SNI
// is CO_ER_SSL_MISMATCH_SNI; anything else CO_ER_SSL_HANDSHAKE.
export function handshakeFailureText(err: NodeJS.ErrnoException | undefined): string {
  if (err?.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'Server presented an SSL certificate different from the expected one';
  return 'SSL handshake failure';
}

/** How long the connect may take (tcpcheck_eval_connect). */
export function connectTimeoutFor(o: Pick<ProbeOptions, 'inter' | 'timeoutConnect' | 'timeoutCheck'>): number {
  return o.timeoutCheck && o.timeoutConnect ? Math.min(o.inter, o.timeoutConnect) : o.inter;
}

/** The request bytes HAProxy sends for `option httpchk METHOD URI VERSION` (header names lowercased, as haproxy 2.6 sends them). */
export function buildCheckRequest(spec: Pick<HttpCheckSpec, 'method' | 'uri' | 'version' | 'host' | 'headers' | 'body'>, serverState?: string): string {
  // "option httpchk GET / HTTP/1.1\r\nHost:\ x" keeps headers in the version word; split them off.
  const parts = spec.version.split(/\r\n|\\r\\n/);
  const version = parts[0] || 'HTTP/1.0';
  const headers: [string, string][] = [];
  for (const line of parts.slice(1)) {
    const text = line.replace(/\\ /g, ' ');
    const colon = text.indexOf(':');
    if (colon <= 0) continue;
    headers.push([text.slice(0, colon).trim().toLowerCase(), text.slice(colon + 1).trim()]);
  }
  if (spec.headers) headers.push(...spec.headers.map(([n, v]) => [n, v] as [string, string]));
  else if (spec.host && !headers.some(([n]) => n === 'host')) headers.unshift(['host', spec.host]);
  // after the configured headers, before the framing ones (tcpcheck_eval_send)
  if (serverState !== undefined) headers.push(['x-haproxy-server-state', serverState]);
  const body = spec.body ?? '';
  if (body !== '') headers.push(['content-length', String(Buffer.byteLength(body, 'latin1'))]);
  if (version === 'HTTP/1.1' && !headers.some(([n]) => n === 'connection')) headers.push(['connection', 'close']);
  return `${spec.method} ${spec.uri} ${version}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n${body}`;
}

/** Whether an HTTP status satisfies the check: the `http-check expect status` list, or 2xx/3xx by default. */
export function statusExpected(code: number, expect?: readonly number[]): boolean {
  if (expect && expect.length > 0) return expect.includes(code);
  return code >= 200 && code < 400;
}

/** Judges a response head: L7OK with the code, L7STS with code and reason phrase, or L7RSP when unparsable. */
export function judgeResponse(head: string, expect?: readonly number[]): { status: CheckStatus; code?: number; desc: string } {
  const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
  const m = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(firstLine);
  if (!m) return { status: 'L7RSP', desc: '' };
  const code = Number(m[1]);
  if (statusExpected(code, expect)) return { status: 'L7OK', code, desc: '' };
  return { status: 'L7STS', code, desc: (m[2] ?? '').trim() };
}

function headerMatches(text: string, pattern: string, how: HeaderMatch, caseless: boolean): boolean {
  const t = caseless ? text.toLowerCase() : text;
  const p = caseless ? pattern.toLowerCase() : pattern;
  switch (how) {
    case 'str':
      return t === p;
    case 'beg':
      return t.startsWith(p);
    case 'end':
      return t.endsWith(p);
    case 'sub':
      return t.includes(p);
    case 'reg':
      return new RegExp(pattern, caseless ? 'i' : '').test(text);
  }
}

/** Whether the expectation needs the response body (string, rstring). */
export function needsBody(expect: HttpCheckExpect | undefined): boolean {
  return expect?.type === 'string' || expect?.type === 'rstring';
}

// tcpcheck_eval_expect_http(): one "http-check expect" form on a whole response (head, then body).
export function judgeExpect(response: string, expect: HttpCheckExpect): { status: CheckStatus; code?: number; desc: string } {
  const headEnd = response.search(/\r?\n\r?\n/);
  const head = headEnd >= 0 ? response.slice(0, headEnd) : response;
  const body = headEnd >= 0 ? response.slice(headEnd).replace(/^\r?\n\r?\n/, '') : '';
  const lines = head.split(/\r?\n/);
  const m = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!m) return { status: 'L7RSP', desc: '' };
  const code = Number(m[1]);
  const reason = (m[2] ?? '').trim();
  let match: boolean;
  let failStatus: CheckStatus = 'L7STS';
  let failDesc = reason;
  switch (expect.type) {
    case 'status':
      match = (expect.statuses ?? []).includes(code);
      break;
    case 'rstatus':
      match = new RegExp(expect.pattern).test(m[1]!);
      break;
    case 'hdr':
    case 'fhdr': {
      const headers = lines.slice(1).flatMap((l) => {
        const colon = l.indexOf(':');
        return colon > 0 ? [{ name: l.slice(0, colon).trim(), value: l.slice(colon + 1).trim() }] : [];
      });
      const named = headers.filter((h) => headerMatches(h.name, expect.pattern, expect.nameMatch ?? 'str', true));
      if (expect.value === undefined) match = named.length > 0;
      else {
        const values = expect.type === 'hdr' ? named.flatMap((h) => h.value.split(',').map((v) => v.trim())) : named.map((h) => h.value);
        match = values.some((v) => headerMatches(v, expect.value!, expect.valueMatch ?? 'str', false));
      }
      break;
    }
    case 'string':
    case 'rstring':
      if (body === '') return { status: 'L7RSP', code, desc: 'HTTP content check could not find a response body' };
      match = expect.type === 'string' ? body.includes(expect.pattern) : new RegExp(expect.pattern).test(body);
      failStatus = 'L7RSP';
      failDesc = expect.inverse ? 'HTTP check matched unwanted content' : 'HTTP content check did not match';
      break;
  }
  if (match === expect.inverse) return { status: failStatus, code, desc: failDesc };
  return { status: 'L7OK', code, desc: '' };
}

// Runs one check against the target and resolves with HAProxy's verdict; never rejects.
export function probe(target: ProbeTarget, opts: ProbeOptions): Promise<CheckResult> {
  if (opts.ruleset) return runTcpCheck(opts.ruleset, target, opts);
  const started = performance.now();
  const elapsed = (): number => Math.max(0, Math.floor(performance.now() - started));
  return new Promise<CheckResult>((resolve) => {
    let done = false;
    let sock: Socket | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (status: CheckStatus, desc = '', code?: number): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      sock?.removeAllListeners();
      sock?.on('error', () => {});
      sock?.destroy();
      resolve({ status, ok: checkStatusPasses(status), ...(code !== undefined ? { code } : {}), desc, durationMs: elapsed() });
    };
    const onAbort = (): void => finish('SOCKERR', 'check aborted');
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    if (!target.port) return finish('SOCKERR', 'No port available for the TCP connection');

    let connected = false;
    timer = setTimeout(() => finish('L4TOUT'), connectTimeoutFor(opts));
    sock = connect({ host: target.host, port: target.port });
    sock.setNoDelay(true);
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected) finish('L4CON', strerror(err.code) || err.message);
      else finish('SOCKERR', strerror(err.code) || err.message);
    });
    sock.on('connect', () => {
      connected = true;
      clearTimeout(timer);
      const readTimeout = opts.timeoutCheck ? opts.timeoutCheck : Math.max(0, opts.inter - elapsed());
      if (!opts.tls) return connectedOn(sock!, readTimeout);
      // the handshake (CO_FL_WAIT_L6_CONN): L6TOUT when it runs out of time, L6RSP when it fails
      timer = setTimeout(() => finish('L6TOUT'), readTimeout);
      const plain = sock!;
      plain.removeAllListeners('error');
      plain.on('error', () => {});
      const secure = tls.connect({ ...opts.tls, socket: plain });
      sock = secure;
      secure.once('error', (err: NodeJS.ErrnoException) => finish('L6RSP', handshakeFailureText(err)));
      secure.once('secureConnect', () => {
        secure.removeAllListeners('error');
        secure.on('error', (err: NodeJS.ErrnoException) => finish('SOCKERR', strerror(err.code) || err.message));
        clearTimeout(timer);
        connectedOn(secure, opts.timeoutCheck ? opts.timeoutCheck : Math.max(0, opts.inter - elapsed()));
      });
    });

    function connectedOn(conn: Socket, readTimeout: number): void {
      const chk = opts.httpchk;
      if (!chk) return finish(opts.tls ? 'L6OK' : 'L4OK');
      timer = setTimeout(() => finish('L7TOUT'), readTimeout);
      let data = '';
      const expect = chk.expect;
      const judge = (): void => {
        // disable-on-404 comes before any expectation (tcpcheck_eval_expect_http): the server is to stop, not fail
        if (opts.disableOn404 && /^HTTP\/\d\.\d 404(?: |\r?\n|$)/.test(data)) return finish('L7OKC', '', 404);
        const r = expect ? judgeExpect(data, expect) : judgeResponse(data, chk.expectStatus);
        finish(r.status, r.desc, r.code);
      };
      // a body expectation waits for the whole body: Content-Length bytes, or the end of the connection
      const complete = (): boolean => {
        const end = data.search(/\r?\n\r?\n/);
        if (end < 0) return data.length > 16384;
        if (!needsBody(expect)) return true;
        const len = /\r?\ncontent-length:\s*(\d+)/i.exec(data.slice(0, end));
        const bodyStart = end + (/^\r?\n\r?\n/.exec(data.slice(end))?.[0].length ?? 0);
        return (len !== null && data.length - bodyStart >= Number(len[1])) || data.length > 16384;
      };
      conn.setEncoding('latin1');
      conn.on('data', (chunk: string) => {
        data += chunk;
        if (complete()) judge();
      });
      conn.on('end', () => (data ? judge() : finish('L7RSP')));
      conn.write(buildCheckRequest(chk, opts.serverState));
    }
  });
}
