// Runs one check ruleset as HAProxy 2.6's tcpcheck_main() does: rules in order; a connect (re)opens the
// connection, a send empties the input buffer and writes, an expect reads once and matches the whole buffer
// read since the last send (consecutive expects share it, and one that needs more data sends the chain back
// to its head to read more). The result is HAProxy's status and info text (check->desc), word for word:
// "TCPCHK did not match content '+PONG' at step 2", "Connection refused at step 1 of tcp-check (connect)".
import { connect, type Socket } from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { CheckResult, ProbeOptions, ProbeTarget } from './probe.ts';
import { connectTimeoutFor, handshakeFailureText } from './probe.ts';
import type { CheckRule, CheckRuleset, EvalResult, ExpectRule } from './rulesets.ts';
import type { AgentReply } from './agent.ts';
import { checkStatusPasses, strerror, type CheckStatus } from './status.ts';

/** HAProxy's default tune.bufsize: a full buffer counts as the last read. */
const BUFSIZE = 16384;

// tcpcheck_get_step_id(): the implicit first connect is step 0, every other rule its index + 1.
function stepId(rule: CheckRule | undefined): number {
  if (!rule) return 1;
  if (rule.kind === 'connect' && rule.implicit && rule.index === 0) return 0;
  return rule.index + 1;
}

// The part chk_report_conn_err() adds for plain tcp-check rulesets: where the connection failed.
function whereText(rs: CheckRuleset, cur: CheckRule | undefined): string {
  if (!rs.tcp) return '';
  const step = stepId(cur);
  if (step === 0) return ' at initial connection step of tcp-check';
  let out = ` at step ${step} of tcp-check`;
  if (cur?.kind === 'connect') out += cur.port ? ` (connect port ${cur.port})` : ' (connect)';
  else if (cur?.kind === 'expect') out += cur.what;
  else if (cur?.kind === 'send') out += ' (send)';
  if (cur?.comment !== undefined) out += ` comment: '${cur.comment}'`;
  return out;
}

// tcpcheck_expect_onerror_message(): the given info, else the rule's on-error text, else (plain tcp-check
// only) the generic sentence; then the rule's comment.
function errorText(rs: CheckRuleset, rule: ExpectRule, matched: boolean, info: string, buf: Buffer): string {
  let msg: string;
  if (info) msg = info;
  else if (rule.onError) msg = rule.onError(buf);
  else if (!rs.tcp) msg = '';
  else msg = `${matched ? 'TCPCHK matched unwanted content' : 'TCPCHK did not match content'}${rule.mismatch} at step ${stepId(rule)}`;
  if (rule.comment !== undefined) msg += ` comment: ${rule.comment}`;
  return msg;
}

interface Verdict {
  readonly status: CheckStatus;
  readonly desc: string;
  readonly code?: number;
  readonly agent?: AgentReply;
}

// tcpcheck_eval_expect() on the buffer read so far.
function evalExpect(rs: CheckRuleset, rule: ExpectRule, buf: Buffer, lastReadIn: boolean, isLast: boolean): EvalResult {
  const lastRead = lastReadIn || buf.length >= BUFSIZE;
  if (!lastRead) {
    if (rule.needs !== undefined && buf.length < rule.needs) return { kind: 'wait' };
    if (rule.minRecv > 0 && buf.length < rule.minRecv) return { kind: 'wait' };
  }
  const failStatus = rule.errStatus ?? 'L7RSP';
  const code = rule.statusCode?.(buf);
  const stop = (matched: boolean, info = '', status: CheckStatus = failStatus, c = code): EvalResult => ({
    kind: 'stop',
    status,
    desc: errorText(rs, rule, matched, info, buf),
    ...(c !== undefined ? { code: c } : {}),
  });
  if (rule.custom) {
    const r = rule.custom(buf, lastRead, isLast);
    if (r.kind !== 'stop') return r;
    const verdict = stop(false, r.desc, r.status, r.code);
    return r.agent && verdict.kind === 'stop' ? { ...verdict, agent: r.agent } : verdict;
  }
  let matched: boolean;
  if (rule.needle) {
    const n = rule.needle(buf);
    if (!Buffer.isBuffer(n)) return stop(false, n.error, 'L7RSP');
    if (buf.length < n.length && !lastRead) return { kind: 'wait' };
    matched = buf.length >= n.length && buf.includes(n);
  } else {
    matched = rule.match!(buf);
  }
  if (!matched && !lastRead && rule.minRecv === -1) return { kind: 'wait' };
  if (matched !== rule.inverse) return { kind: 'continue' };
  return stop(matched);
}

// The verdict once every rule ran (the end of tcpcheck_main()).
function successVerdict(rs: CheckRuleset, last: CheckRule | undefined, buf: Buffer, secured: boolean): Verdict {
  if (last?.kind === 'expect') {
    let desc = last.onSuccess ? last.onSuccess(buf) : rs.tcp ? '(tcp-check)' : '';
    if (last.onSuccess === undefined && !rs.tcp) desc = '';
    const code = last.statusCode?.(buf);
    return { status: last.okStatus ?? 'L7OK', desc, ...(code !== undefined ? { code } : {}) };
  }
  if (last?.kind === 'connect') return { status: secured ? 'L6OK' : 'L4OK', desc: last.implicit ? '' : '(tcp-check)' };
  return { status: 'L7OK', desc: '(tcp-check)' };
}

/** A connection a check reads from: what arrived, whether it ended, and a way to wait for more. */
class CheckConn {
  buf: Buffer = Buffer.alloc(0);
  ended = false;
  error: NodeJS.ErrnoException | undefined;
  private waiter: (() => void) | undefined;

  constructor(readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      if (this.buf.length > BUFSIZE) this.buf = this.buf.subarray(0, BUFSIZE);
      this.wake();
    });
    sock.on('end', () => {
      this.ended = true;
      this.wake();
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      this.error = e;
      this.wake();
    });
    sock.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** Resolves when something new happens (data, end, error) or right away when the connection is over. */
  next(): Promise<void> {
    if (this.ended || this.error) return Promise.resolve();
    return new Promise((resolve) => (this.waiter = resolve));
  }

  destroy(): void {
    this.sock.removeAllListeners();
    this.sock.on('error', () => {});
    this.sock.destroy();
  }
}

// Runs the ruleset against the target; never rejects.
export async function runTcpCheck(rs: CheckRuleset, target: ProbeTarget, opts: ProbeOptions): Promise<CheckResult> {
  const started = performance.now();
  const elapsed = (): number => Math.max(0, Math.floor(performance.now() - started));
  // check->code is reset to 0 at every rule; check->desc is a C string, so it ends at the first NUL
  const result = (v: Verdict): CheckResult => ({
    status: v.status,
    ok: checkStatusPasses(v.status),
    code: v.code ?? 0,
    desc: v.desc.split('\0', 1)[0]!,
    durationMs: elapsed(),
    ...(v.agent ? { agent: v.agent } : {}),
  });

  let conn: CheckConn | undefined;
  let secured = false;
  let cur: CheckRule | undefined;
  let deadline = Number.POSITIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  let wakeTimeout: (() => void) | undefined;
  const arm = (ms: number): void => {
    if (timer) clearTimeout(timer);
    deadline = performance.now() + ms;
    timer = setTimeout(() => {
      expired = true;
      wakeTimeout?.();
    }, Math.max(0, ms));
  };
  // the listener goes when the check ends: the scheduler's signal outlives every check
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => {
    if (opts.signal?.aborted) resolve();
    onAbort = () => resolve();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
  const timeout = (): Promise<void> => (expired ? Promise.resolve() : new Promise((resolve) => (wakeTimeout = resolve)));

  const cleanup = (): void => {
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    if (timer) clearTimeout(timer);
    conn?.destroy();
  };

  try {
    const rules = rs.rules;
    let mustRead = true;
    let reported: { status: CheckStatus; desc: string } | undefined;
    let i = 0;
    while (i < rules.length) {
      if (opts.signal?.aborted) return result({ status: 'SOCKERR', desc: 'check aborted' });
      const rule = rules[i]!;
      cur = rule;
      if (rule.kind === 'connect') {
        conn?.destroy();
        const host = rule.addr ?? target.host;
        const port = rule.port ?? target.port;
        if (!port) return result({ status: 'SOCKERR', desc: `No port available for the TCP connection${whereText(rs, cur)}` });
        arm(connectTimeoutFor(opts));
        const sock = connect({ host, port });
        sock.setNoDelay(true);
        const outcome = await Promise.race([
          new Promise<NodeJS.ErrnoException | null>((resolve) => {
            sock.once('connect', () => resolve(null));
            sock.once('error', (e: NodeJS.ErrnoException) => resolve(e));
          }),
          timeout().then(() => 'timeout' as const),
          aborted.then(() => 'aborted' as const),
        ]);
        if (outcome !== null) {
          sock.removeAllListeners();
          sock.on('error', () => {});
          sock.destroy();
          if (outcome === 'aborted') return result({ status: 'SOCKERR', desc: 'check aborted' });
          if (outcome === 'timeout') return result({ status: 'L4TOUT', desc: whereText(rs, cur) });
          return result({ status: 'L4CON', desc: `${strerror(outcome.code) || outcome.message}${whereText(rs, cur)}` });
        }
        // once connected, the rest must come within "timeout check", else within what is left of inter
        arm(opts.timeoutCheck ? opts.timeoutCheck : Math.max(0, opts.inter - elapsed()));
        // the implicit connect uses the check's transport (TCPCHK_OPT_DEFAULT_CONNECT): TLS when the check has it
        if (opts.tls && rule.implicit) {
          sock.removeAllListeners();
          sock.on('error', () => {});
          const secure = tls.connect({ ...opts.tls, socket: sock });
          const hs = await Promise.race([
            new Promise<'ok' | NodeJS.ErrnoException>((resolve) => {
              secure.once('secureConnect', () => resolve('ok'));
              secure.once('error', (e: NodeJS.ErrnoException) => resolve(e));
            }),
            timeout().then(() => 'timeout' as const),
            aborted.then(() => 'aborted' as const),
          ]);
          if (hs !== 'ok') {
            secure.removeAllListeners();
            secure.on('error', () => {});
            secure.destroy();
            if (hs === 'aborted') return result({ status: 'SOCKERR', desc: 'check aborted' });
            if (hs === 'timeout') return result({ status: 'L6TOUT', desc: whereText(rs, cur) });
            return result({ status: 'L6RSP', desc: `${handshakeFailureText(hs)}${whereText(rs, cur)}` });
          }
          secure.removeAllListeners();
          conn = new CheckConn(secure);
          secured = true;
        } else {
          conn = new CheckConn(sock);
        }
        mustRead = true;
        i++;
        continue;
      }
      if (rule.kind === 'send') {
        conn!.buf = Buffer.alloc(0);
        if (conn!.error || conn!.sock.destroyed) {
          const e = conn!.error;
          return result({ status: 'SOCKERR', desc: `${e ? strerror(e.code) || e.message : ''}${whereText(rs, cur)}` });
        }
        conn!.sock.write(rule.bytes());
        mustRead = true;
        i++;
        continue;
      }
      // expect
      const c = conn!;
      if (mustRead) {
        const before = c.buf.length;
        while (c.buf.length === before && !c.ended && !c.error && !expired) {
          await Promise.race([c.next(), timeout(), aborted]);
          if (opts.signal?.aborted) return result({ status: 'SOCKERR', desc: 'check aborted' });
        }
        if (c.buf.length === before) {
          if (expired) return result({ status: rule.toutStatus ?? 'L7TOUT', desc: whereText(rs, cur) });
          if (c.buf.length === 0 && c.error) return result({ status: 'SOCKERR', desc: `${strerror(c.error.code) || c.error.message}${whereText(rs, cur)}` });
          if (c.buf.length === 0) {
            const comment = rule.comment !== undefined ? ` comment: '${rule.comment}'` : '';
            return result({ status: rule.errStatus ?? 'L7RSP', desc: `TCPCHK got an empty response at step ${stepId(rule)}${comment}` });
          }
        }
        mustRead = false;
      }
      const lastRead = c.ended || c.error !== undefined;
      const isLast = rules.slice(i + 1).length === 0;
      const r = evalExpect(rs, rule, c.buf, lastRead, isLast);
      if (r.kind === 'stop') return result(r);
      if (r.kind === 'wait') {
        i = rule.head;
        mustRead = true;
        continue;
      }
      if (r.reported) reported = r.reported;
      i++;
    }
    void deadline;
    const final = result(successVerdict(rs, cur, conn?.buf ?? Buffer.alloc(0), secured));
    return reported && reported.status === final.status ? { ...final, logDesc: reported.desc } : final;
  } finally {
    cleanup();
  }
}
