// The rule lists a health check runs (src/tcpcheck.c): a backend's own "tcp-check" lines, or the built-in ruleset
// of option redis-check, smtpchk, pgsql-check, mysql-check, ldap-check and ssl-hello-chk, with the same steps,
// patterns, statuses and messages HAProxy 2.6 gives them. The runner in tcp-check.ts evaluates them.
import type { TcpCheckRuleSpec, TcpCheckSpec } from '../../config/model.ts';
import { tryRuleFormat, PLAIN_FORMAT } from '../../sample/rule-format.ts';
import type { Formatter } from '../../sample/format-string.ts';
import type { SampleContext } from '../../sample/context.ts';
import type { CheckStatus } from './status.ts';
import type { AgentReply } from './agent.ts';

/** What evaluating one expect rule decided (TCPCHK_EVAL_*). */
export type EvalResult =
  /** `reported`: a protocol parser already set a passing status and text (HAProxy logs that one; the final verdict
   *  that follows keeps the status and empties the text). */
  | { readonly kind: 'continue'; readonly reported?: { readonly status: CheckStatus; readonly desc: string } }
  | { readonly kind: 'wait' }
  | { readonly kind: 'stop'; readonly status: CheckStatus; readonly desc: string; readonly code?: number; readonly agent?: AgentReply };

interface RuleBase {
  /** HAProxy's rule->index: position among the section's tcp-check lines (comments included). */
  readonly index: number;
  readonly comment?: string;
}

export interface ConnectRule extends RuleBase {
  readonly kind: 'connect';
  /** The connect HAProxy adds when the rules do not start with one (step 0). */
  readonly implicit: boolean;
  readonly port?: number;
  readonly addr?: string;
}

export interface SendRule extends RuleBase {
  readonly kind: 'send';
  readonly bytes: () => Buffer;
}

export interface ExpectRule extends RuleBase {
  readonly kind: 'expect';
  /** Position in the rule list of the first rule of this chain of expects (rule->expect.head). */
  head: number;
  readonly inverse: boolean;
  readonly minRecv: number;
  /** string/binary: the pattern's length, which must be buffered before matching. */
  readonly needs?: number;
  readonly match?: (buf: Buffer) => boolean;
  /** string-lf/binary-lf: the bytes to find, built from the format string at each evaluation. */
  readonly needle?: (buf: Buffer) => Buffer | { error: string };
  /** A protocol's own parser (mysql, ldap): decides by itself. */
  readonly custom?: (buf: Buffer, lastRead: boolean, isLast: boolean) => EvalResult;
  /** After "TCPCHK did not match content": " '+PONG' at step", " (regex) at step" ... (the part before "at step"). */
  readonly mismatch: string;
  /** After "at step N of tcp-check" when the connection fails here: " (expect string '+PONG')". */
  readonly what: string;
  readonly okStatus?: CheckStatus;
  readonly errStatus?: CheckStatus;
  readonly toutStatus?: CheckStatus;
  readonly onSuccess?: (buf: Buffer) => string;
  readonly onError?: (buf: Buffer) => string;
  readonly statusCode?: (buf: Buffer) => number | undefined;
}

export type CheckRule = ConnectRule | SendRule | ExpectRule;

export interface CheckRuleset {
  /** A plain tcp-check ruleset (TCPCHK_RULES_TCP_CHK): generic messages and step numbers in errors. */
  readonly tcp: boolean;
  readonly rules: readonly CheckRule[];
}

// What a check's format strings see: no client, the check's response as the buffer.
// tcp-check formats (parse_logformat_string without options). The keyword parser does not check them yet, so one
// that does not parse stays literal text here rather than failing the check.
function checkFormat(fmt: string): Formatter<SampleContext> {
  const f = tryRuleFormat(fmt, { proxy: '' }, PLAIN_FORMAT);
  return 'error' in f ? () => fmt : f.format;
}

function checkContext(buf: Buffer): SampleContext {
  return { src: '', srcPort: 0, dst: '', dstPort: 0, payload: buf };
}

function hexToBuffer(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

// dump_binary(): the buffer as upper-case hex, for rbinary patterns.
function upperHex(buf: Buffer): string {
  return buf.toString('hex').toUpperCase();
}

// cut_crlf: everything before the first CR or LF.
function cutCrlf(s: string): string {
  const m = /[\r\n]/.exec(s);
  return m ? s.slice(0, m.index) : s;
}

const text = (buf: Buffer, from = 0): string => (buf.length > from ? buf.toString('latin1', from) : '');

interface ExpectOptions {
  inverse?: boolean;
  minRecv?: number;
  okStatus?: CheckStatus;
  errStatus?: CheckStatus;
  toutStatus?: CheckStatus;
  onSuccess?: (buf: Buffer) => string;
  onError?: (buf: Buffer) => string;
  statusCode?: (buf: Buffer) => number | undefined;
  comment?: string;
}

type Draft = Omit<ConnectRule, 'index'> | Omit<SendRule, 'index'> | Omit<ExpectRule, 'index' | 'head'>;

function expectRule(type: string, pattern: string, o: ExpectOptions): Omit<ExpectRule, 'index' | 'head'> {
  const base = {
    kind: 'expect' as const,
    inverse: o.inverse ?? false,
    minRecv: o.minRecv ?? -1,
    ...(o.okStatus ? { okStatus: o.okStatus } : {}),
    ...(o.errStatus ? { errStatus: o.errStatus } : {}),
    ...(o.toutStatus ? { toutStatus: o.toutStatus } : {}),
    ...(o.onSuccess ? { onSuccess: o.onSuccess } : {}),
    ...(o.onError ? { onError: o.onError } : {}),
    ...(o.statusCode ? { statusCode: o.statusCode } : {}),
    ...(o.comment !== undefined ? { comment: o.comment } : {}),
  };
  switch (type) {
    case 'string': {
      const needle = Buffer.from(pattern, 'latin1');
      return { ...base, needs: needle.length, match: (b) => b.includes(needle), mismatch: ` '${pattern}'`, what: ` (expect string '${pattern}')` };
    }
    case 'binary': {
      const needle = hexToBuffer(pattern);
      return { ...base, needs: needle.length, match: (b) => b.includes(needle), mismatch: ' (binary)', what: ` (expect binary '${needle.toString('latin1')}')` };
    }
    case 'rstring': {
      const re = new RegExp(pattern);
      return { ...base, match: (b) => re.test(text(b)), mismatch: ' (regex)', what: ' (expect regex)' };
    }
    case 'rbinary': {
      const re = new RegExp(pattern);
      return { ...base, match: (b) => re.test(upperHex(b)), mismatch: ' (binary regex)', what: ' (expect binary regex)' };
    }
    case 'string-lf':
    case 'binary-lf': {
      const fmt = checkFormat(pattern);
      const binary = type === 'binary-lf';
      return {
        ...base,
        needle: (b) => {
          const value = fmt(checkContext(b));
          if (value === '') return { error: 'log-format string evaluated to an empty string' };
          return binary ? hexToBuffer(value) : Buffer.from(value, 'latin1');
        },
        mismatch: binary ? ' (log-format binary)' : ' (log-format string)',
        what: binary ? ' (expect log-format binary)' : ' (expect log-format string)',
      };
    }
    default:
      throw new Error(`tcp-check: unknown expect type '${type}'`);
  }
}

function formatMessage(fmt: string | undefined): ((buf: Buffer) => string) | undefined {
  if (fmt === undefined) return undefined;
  const f = checkFormat(fmt);
  return (buf) => f(checkContext(buf));
}

function fromSpec(r: Exclude<TcpCheckRuleSpec, { kind: 'comment' }>): Draft {
  const comment = r.comment !== undefined ? { comment: r.comment } : {};
  if (r.kind === 'connect') return { kind: 'connect', implicit: false, ...(r.port !== undefined ? { port: r.port } : {}), ...(r.addr !== undefined ? { addr: r.addr } : {}), ...comment };
  if (r.kind === 'send') {
    const data = r.data;
    let bytes: () => Buffer;
    if (r.type === 'send') bytes = () => Buffer.from(data, 'latin1');
    else if (r.type === 'send-binary') bytes = () => hexToBuffer(data);
    else {
      const f = checkFormat(data);
      bytes = r.type === 'send-lf' ? () => Buffer.from(f(checkContext(Buffer.alloc(0))), 'latin1') : () => hexToBuffer(f(checkContext(Buffer.alloc(0))));
    }
    return { kind: 'send', bytes, ...comment };
  }
  const onSuccess = formatMessage(r.onSuccess);
  const onError = formatMessage(r.onError);
  return expectRule(r.type, r.pattern, {
    inverse: r.inverse,
    minRecv: r.minRecv,
    ...(r.okStatus ? { okStatus: r.okStatus } : {}),
    ...(r.errorStatus ? { errStatus: r.errorStatus } : {}),
    ...(r.toutStatus ? { toutStatus: r.toutStatus } : {}),
    ...(onSuccess ? { onSuccess } : {}),
    ...(onError ? { onError } : {}),
    ...(r.comment !== undefined ? { comment: r.comment } : {}),
  });
}

// check_proxy_tcpcheck(): an implicit connect first when the rules do not begin with one; "comment" lines give
// their text to the rules that follow (up to the next connect, or the next change of action); expect chains
// point back at their first rule.
function finish(drafts: readonly { draft: Draft | { kind: 'comment'; text: string }; index: number }[], tcp: boolean): CheckRuleset {
  const rules: CheckRule[] = [];
  const first = drafts.find((d) => d.draft.kind !== 'comment');
  if (!first || first.draft.kind !== 'connect') rules.push({ kind: 'connect', implicit: true, index: 0 });
  let comment: string | undefined;
  let prev = rules.length > 0 ? 'connect' : 'comment';
  for (const { draft, index } of drafts) {
    if (draft.kind !== prev && prev !== 'comment') comment = undefined;
    prev = draft.kind;
    if (draft.kind === 'comment') {
      comment = draft.text;
      continue;
    }
    const withComment = draft.comment === undefined && comment !== undefined ? { ...draft, comment } : draft;
    if (draft.kind === 'connect') comment = undefined;
    if (withComment.kind === 'expect') {
      // the chain's head: the first of the consecutive expects (HAProxy points at the last inverse one, if any)
      let head = rules.length;
      for (let k = rules.length - 1; k >= 0 && rules[k]!.kind === 'expect'; k--) {
        if ((rules[k] as ExpectRule).inverse) head = k;
      }
      rules.push({ ...withComment, index, head } as ExpectRule);
    } else {
      rules.push({ ...withComment, index } as CheckRule);
    }
  }
  return { tcp, rules };
}

function numbered(drafts: readonly Draft[]): { draft: Draft; index: number }[] {
  return drafts.map((draft, index) => ({ draft, index }));
}

const REDIS: readonly Draft[] = [
  { kind: 'send', bytes: () => Buffer.from('*1\r\n$4\r\nPING\r\n', 'latin1') },
  expectRule('string', '+PONG\r\n', { errStatus: 'L7STS', onError: (b) => cutCrlf(text(b)), onSuccess: () => 'Redis server is ok' }),
];

const smtpCode = (b: Buffer): number | undefined => {
  const n = Number.parseInt(text(b).slice(0, 3), 10);
  return Number.isNaN(n) ? undefined : n;
};
const smtpText = (b: Buffer): string => cutCrlf(text(b, 4).replace(/^ +/, ''));

function smtp(command: string): Draft[] {
  return [
    { kind: 'connect', implicit: false },
    expectRule('rstring', '^[0-9]{3}[ \r]', { minRecv: 4, errStatus: 'L7RSP', onError: (b) => cutCrlf(text(b)) }),
    expectRule('rstring', '^2[0-9]{2}[ \r]', { minRecv: 4, errStatus: 'L7STS', onError: smtpText, statusCode: smtpCode }),
    { kind: 'send', bytes: () => Buffer.from(`${command}\r\n`, 'latin1') },
    // the whole (multi-line) EHLO reply, then QUIT and its 2xx: haproxy 2.6.12 carries these two later fixes
    // (2ec1ffaed, 9a8d8a3fd), so a refused EHLO waits for more and ends in a timeout, as it does there
    expectRule('rstring', '^(2[0-9]{2}-[^\r]*\r\n)*2[0-9]{2}[ \r]', { errStatus: 'L7STS', onError: smtpText, onSuccess: smtpText, statusCode: smtpCode }),
    { kind: 'send', bytes: () => Buffer.from('QUIT\r\n', 'latin1') },
    expectRule('rstring', '^2[0-9]{2}[- \r]', { minRecv: 4, errStatus: 'L7STS', onError: smtpText, onSuccess: smtpText, statusCode: smtpCode }),
  ];
}

function pgsql(user: string): Draft[] {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(15 + Buffer.byteLength(user, 'latin1'));
  const packet = Buffer.concat([len, hexToBuffer('00030000'), Buffer.from('user\0', 'latin1'), Buffer.from(user, 'latin1'), Buffer.from([0, 0])]);
  return [
    { kind: 'connect', implicit: false },
    { kind: 'send', bytes: () => packet },
    expectRule('rstring', '^E', { inverse: true, minRecv: 5, errStatus: 'L7RSP', onError: (b) => text(b, 6) }),
    expectRule('rbinary', '^52000000(08|0A|0C)000000(00|02|03|04|05|06)', {
      minRecv: 9,
      errStatus: 'L7STS',
      onSuccess: () => 'PostgreSQL server is ok',
      onError: () => 'PostgreSQL unknown error',
    }),
  ];
}

// tcpcheck_mysql_expect_packet(): a whole packet at `offset`; an error packet (0xff) is L7STS with its code and
// text; otherwise the next rule, or success on the last one.
function mysqlPacket(offsetOf: (b: Buffer) => number): (b: Buffer, lastRead: boolean, isLast: boolean) => EvalResult {
  return (b, lastRead, isLast) => {
    const offset = offsetOf(b);
    if (b.length < offset + 4) return lastRead ? { kind: 'stop', status: 'L7RSP', desc: '' } : { kind: 'wait' };
    const plen = b[offset]! + (b[offset + 1]! << 8) + (b[offset + 2]! << 16);
    if (b.length < offset + plen + 4) return lastRead ? { kind: 'stop', status: 'L7RSP', desc: '' } : { kind: 'wait' };
    if (b[offset + 4] === 0xff) {
      const code = b[offset + 5]! + (b[offset + 6]! << 8);
      return { kind: 'stop', status: 'L7STS', code, desc: text(b, offset + 7) };
    }
    // the last rule reports the server's version (b_peek(bi, 5))
    if (isLast) return { kind: 'continue', reported: { status: 'L7OK', desc: text(b, 5).split('\0', 1)[0]! } };
    return { kind: 'continue' };
  };
}

function mysql(user: string | undefined, post41: boolean): Draft[] {
  const drafts: Draft[] = [{ kind: 'connect', implicit: false }];
  if (user !== undefined) {
    const name = Buffer.from(user, 'latin1');
    const plen = name.length + 7 + (post41 ? 27 : 0);
    const header = Buffer.from([plen & 0xff, (plen >> 8) & 0xff, (plen >> 16) & 0xff, 1]);
    const body = post41
      ? Buffer.concat([hexToBuffer('00820000'), hexToBuffer('00800001'), hexToBuffer('21'), Buffer.alloc(23), name, Buffer.from([0, 0]), hexToBuffer('01000000'), hexToBuffer('01')])
      : Buffer.concat([hexToBuffer('0080'), hexToBuffer('000001'), name, Buffer.from([0, 0]), hexToBuffer('01000000'), hexToBuffer('01')]);
    const packet = Buffer.concat([header, body]);
    drafts.push({ kind: 'send', bytes: () => packet });
  }
  drafts.push({ kind: 'expect', inverse: false, minRecv: -1, custom: mysqlPacket(() => 0), mismatch: ' (custom function)', what: ' (expect custom function)' });
  if (user !== undefined) {
    drafts.push({
      kind: 'expect',
      inverse: false,
      minRecv: -1,
      custom: mysqlPacket((b) => (b.length >= 3 ? 4 + b[0]! + (b[1]! << 8) + (b[2]! << 16) : 0)),
      mismatch: ' (custom function)',
      what: ' (expect custom function)',
    });
  }
  return drafts;
}

// The LDAPv3 anonymous simple bind request HAProxy sends (ldap_req in src/tcpcheck.c).
const LDAP_BIND = hexToBuffer('300c020101600702010304008000');

// tcpcheck_ldap_expect_bindrsp(): a BindResponse with messageID 1 and resultCode 0.
function ldapBindResponse(b: Buffer, lastRead: boolean): EvalResult {
  const short = (): EvalResult => (lastRead ? { kind: 'stop', status: 'L7RSP', desc: '' } : { kind: 'wait' });
  if (b.length < 2) return short();
  let p = 1;
  let nbytes = 0;
  let msglen: number;
  if (b[p]! & 0x80) {
    nbytes = b[p]! & 0x7f;
    if (b.length < 1 + nbytes) return short();
    if (nbytes === 4) msglen = b.readUInt32BE(p + 1);
    else if (nbytes === 2) msglen = b.readUInt16BE(p + 1);
    else return { kind: 'stop', status: 'L7RSP', desc: 'Not LDAPv3 protocol' };
  } else msglen = b[p]!;
  p += 1 + nbytes;
  if (b.length < 2 + nbytes + msglen) return short();
  // messageID INTEGER 1, then protocolOp 0x61 (bindResponse)
  if (b[p] !== 0x02 || b[p + 1] !== 0x01 || b[p + 2] !== 0x01 || b[p + 3] !== 0x61) return { kind: 'stop', status: 'L7RSP', desc: 'Not LDAPv3 protocol' };
  p += 4;
  // the bindResponse's own length, then resultCode ENUMERATED
  if (b[p]! & 0x80) p += 1 + (b[p]! & 0x7f);
  else p += 1;
  if (b[p] !== 0x0a || b[p + 1] !== 0x01) return { kind: 'stop', status: 'L7RSP', desc: 'Not LDAPv3 protocol' };
  if (b[p + 2] !== 0) return { kind: 'stop', status: 'L7STS', desc: 'See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9', code: b[p + 2]! };
  return { kind: 'continue', reported: { status: 'L7OK', desc: 'Success' } };
}

const LDAP: readonly Draft[] = [
  { kind: 'send', bytes: () => LDAP_BIND },
  expectRule('rbinary', '^30', { minRecv: 14, errStatus: 'L7RSP', onError: () => 'Not LDAPv3 protocol' }),
  { kind: 'expect', inverse: false, minRecv: -1, custom: ldapBindResponse, mismatch: ' (custom function)', what: ' (expect custom function)' },
];

// The SSLv3 ClientHello of option ssl-hello-chk, with the current time and HAProxy's fixed random bytes.
function sslv3Hello(): Buffer {
  const time = Buffer.alloc(4);
  time.writeUInt32BE(Math.floor(Date.now() / 1000) >>> 0);
  const ciphers = [...Array.from({ length: 0x1b }, (_, i) => i + 1), ...Array.from({ length: 0x3a - 0x2f + 1 }, (_, i) => 0x2f + i)];
  const suites = Buffer.alloc(ciphers.length * 2);
  ciphers.forEach((c, i) => suites.writeUInt16BE(c, i * 2));
  return Buffer.concat([
    hexToBuffer('16030000790100007503 00'.replace(/ /g, '')),
    time,
    Buffer.from('HAPROXYSSLCHK\nHAPROXYSSLCHK\n', 'latin1'),
    hexToBuffer('00004E'),
    suites,
    hexToBuffer('0100'),
  ]);
}

const SSL_HELLO: readonly Draft[] = [
  { kind: 'send', bytes: sslv3Hello },
  expectRule('rbinary', '^1[56]', { minRecv: 5, okStatus: 'L6OK', errStatus: 'L6RSP', toutStatus: 'L6TOUT' }),
];

// The ruleset a backend's check spec runs.
export function buildRuleset(spec: TcpCheckSpec): CheckRuleset {
  switch (spec.kind) {
    case 'tcp-check':
      return finish(
        spec.rules.map((r, index) => ({ draft: r.kind === 'comment' ? { kind: 'comment' as const, text: r.text } : fromSpec(r), index })),
        true,
      );
    case 'redis-check':
      return finish(numbered(REDIS), false);
    case 'smtpchk':
      return finish(numbered(smtp(spec.command)), false);
    case 'pgsql-check':
      return finish(numbered(pgsql(spec.user)), false);
    case 'mysql-check':
      return finish(numbered(mysql(spec.user, spec.post41)), false);
    case 'ldap-check':
      return finish(numbered(LDAP), false);
    case 'ssl-hello-chk':
      return finish(numbered(SSL_HELLO), false);
  }
}
